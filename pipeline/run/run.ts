/**
 * One run: lock → private copy of the warehouse → ingest → rules → outputs → publish.
 * Data flows one way: bytes → grid → cells → DuckDB → rules → outputs.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { EXTRACTOR_VERSION } from '../../extractors/index.js';
import type { CrawlSource } from '../crawl/index.js';
import { crawlStage } from './crawl-run.js';
import {
  discover,
  ExtractPool,
  ingest,
  NoInputError,
  prestartForNewer,
  statFiles,
  type FileStats,
  type InputFile,
} from '../ingest/index.js';
import { acquireLock, LockHeldTooLongError, type Lock } from './lock.js';
import { Logger, UsageError, isOutputError, OutputError } from '../common/index.js';
import {
  OutputStaging,
  ADDED_OUTPUTS,
  loadReviewsFor,
  STAGED_OUTPUTS,
  UPDATED_OUTPUTS,
  writeOutputs,
  markLastChecked,
  findingsFields,
  formatSummary,
  PhaseClock,
  processCpuMs,
  summarise,
  type RunSummary,
} from '../outputs/index.js';
import {
  discardPrivateCopy,
  publish,
  removeStaleBuilds,
  startPrivateCopyInBackground,
  mergeShards,
  closeWarehouse,
  createViews,
  DEFAULT_DB_MEMORY,
  limitDbMemory,
  LOADING_DB_MEMORY,
  OUTPUTS_DB_MEMORY,
  nowTimestamp,
  openWarehouse,
  smallerSize,
  type Warehouse,
} from '../warehouse/index.js';
import {
  applyReviews,
  describeEvaluation,
  findingChanges,
  KEPT_REPORT_DOCUMENTS,
  loadAgencies,
  recordRuleResults,
  restoreThreads,
  reviewsPath,
  runRules,
  storeAgencies,
  summariseFindings,
  RULES_VERSION,
} from '../rules/index.js';
import { fingerprintRunInputs, lastRunInputs } from './run-inputs.js';
import { relaxHeapGrowth, SMALL_RUN_DOCUMENTS } from './node-options.js';

export const EXIT = {
  ok: 0,
  crash: 1,
  usage: 2,
  failedDocuments: 3,
  /** An --input folder holding no file at all (sysexits' EX_NOINPUT): a missing mount looks like this. */
  noInput: 66,
  /** `npm run pipeline` could not build dist/ from changed sources (scripts/build.mjs; sysexits' EX_SOFTWARE). */
  build: 70,
  outputError: 74,
  locked: 75,
  /** --db is not a DuckDB warehouse this pipeline can open (garbage, empty, damaged): nothing written. */
  badWarehouse: 65,
  /** The lock is held by a live run older than --stale-lock-hours: hung, most likely (a person must look). */
  lockHeldTooLong: 69,
  /** Stopped by SIGINT / SIGTERM (128 + the signal's number): lock and private build removed, nothing published. */
  stoppedBySigint: 130,
  stoppedBySigterm: 143,
} as const;

/** How long a run stopped by a signal waits for DuckDB's threads before its last sweep of the build's files. */
const SIGNAL_SETTLE_MS = 100;

/** --db exists but cannot be opened as a warehouse (the message names --db, not the private copy). */
export class WarehouseFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WarehouseFileError';
  }
}

export interface RunOptions {
  /** Folder of reports; optional when crawling. */
  input?: string;
  /** Listing pages to crawl first (agency,url). */
  sources?: CrawlSource[];
  /** Content-addressed store for crawled bytes. */
  raw?: string;
  /** Crawler settings (tests: short timeouts and delays). */
  crawlTuning?: Record<string, number>;
  db: string;
  out: string;
  agencies?: string;
  parquet?: string;
  reviews?: string;
  shard?: { index: number; count: number };
  logJson?: boolean;
  quiet?: boolean;
  workers?: number;
  maxBytes?: number;
  force?: boolean;
  /** Shard warehouses to merge into this one before the rules run. */
  merge?: string[];
  /** DuckDB memory limit (e.g. '1GB'); default DEFAULT_DB_MEMORY. */
  dbMemory?: string;
  /** Skip the anomaly report and exports (benchmarks, shards). */
  noOutputs?: boolean;
  /** Memory a worker may take as a whole, heap and the rest (ExtractPool's memoryMb). */
  workerMemoryMb?: number;
  /**
   * A lock held by a live run for longer than this is an error (exit 69), not "another run is going" (75); default 12.
   */
  staleLockHours?: number;
  /** Folder of rule files (default: the project's sql/rules; tests run a copy with a rule added). */
  rulesDir?: string;
}

export interface RunResult {
  summary: RunSummary;
  exitCode: number;
}

export function newRunId(): string {
  const t = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${t}-${randomBytes(3).toString('hex')}`;
}

export async function runPipeline(opts: RunOptions): Promise<RunResult> {
  const runId = newRunId();
  const startedAt = new Date();
  const log = new Logger(runId, !!opts.logJson, !!opts.quiet);
  const db = resolve(opts.db);
  if (opts.input && !existsSync(opts.input)) throw new UsageError(`--input ${opts.input} does not exist`);
  if (opts.input && !statSync(opts.input).isDirectory()) throw new UsageError(`--input ${opts.input} is not a folder`);
  if (!opts.input && !opts.sources && !opts.merge?.length)
    throw new UsageError('nothing to read: give --input, --sources or --merge');
  ensureWritableDir(dirname(db), 'warehouse');
  if (!opts.noOutputs) ensureWritableDir(opts.out, 'output');

  // Inputs that can be wrong are read before anything is written.
  const agencies = opts.agencies ? loadAgencies(opts.agencies) : null;
  const reviews = opts.noOutputs ? undefined : loadReviewsFor(opts.out, opts.reviews);

  let lock: Lock;
  try {
    lock = acquireLock(db, runId, {
      staleAfterHours: opts.staleLockHours,
      warn: (m) => log.warn(m, { stage: 'lock' }),
    });
  } catch (e) {
    if (e instanceof LockHeldTooLongError) log.error(e.message, { stage: 'lock' }); // loud: for the monitor, whatever the exit code's handling
    throw e;
  }
  let privatePath: string | null = null;
  /** The private copy being made (startPrivateCopyInBackground): settled before it is removed. */
  let copying: Promise<void> | null = null;
  let warehouse: Warehouse | null = null;
  let staging: OutputStaging | null = null;
  let published = false;
  const pool = new ExtractPool({ workers: opts.workers, memoryMb: opts.workerMemoryMb });
  // A new warehouse: every document found will be read, so the workers start while it is made.
  if (opts.input && !existsSync(db)) pool.prestart();
  // Stopped by systemd, `timeout` or Ctrl-C: nothing half done stays behind (the published warehouse is as it was).
  const onSignal = (signal: NodeJS.Signals) => {
    log.error(
      published
        ? `stopped by ${signal} after publishing`
        : `stopped by ${signal}: nothing published; lock and private build removed`,
      { stage: 'run' },
    );
    // DuckDB's own threads may be creating a file of the build at this very moment (a WAL, a
    // spill): stop its query, sweep, give them a moment with this thread blocked (nothing of the
    // run goes on meanwhile), and sweep again.
    warehouse?.conn.interrupt();
    const sweep = () => {
      if (privatePath) discardPrivateCopy(privatePath);
      staging?.discard();
    };
    sweep();
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, SIGNAL_SETTLE_MS);
    sweep();
    lock.release();
    process.exit(signal === 'SIGINT' ? EXIT.stoppedBySigint : EXIT.stoppedBySigterm);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const stale = removeStaleBuilds(db);
    if (stale.length) log.warn(`removed ${stale.length} unfinished private warehouse copies left by killed runs`);
    const staleOutputs = opts.noOutputs ? [] : OutputStaging.removeLeftovers(resolve(opts.out));
    if (staleOutputs.length)
      log.warn(
        `removed ${staleOutputs.length} unfinished output folder${staleOutputs.length > 1 ? 's' : ''} left by killed runs`,
      );
    // the private copy is made on libuv's threads while the files are found: those changed since
    // the warehouse was written start the workers now
    const copy = startPrivateCopyInBackground(db, runId);
    privatePath = copy.path;
    copying = copy.copied;
    let found: { files: InputFile[]; stats: FileStats } | null = null;
    if (opts.input) {
      const files = discover(opts.input);
      found = { files, stats: statFiles(files) };
      if (existsSync(db)) prestartForNewer(pool, found.stats, statSync(db).mtimeMs);
    }
    await copy.copied;
    warehouse = await openCopy(db, privatePath, opts.dbMemory);
    const { conn } = warehouse;
    await conn.run(
      'INSERT INTO runs (run_id, started_at, input, extractor_version, rules_version, host) VALUES ($1, $2, $3, $4, $5, $6)',
      [
        runId,
        nowTimestamp(),
        opts.input
          ? resolve(opts.input)
          : opts.sources
            ? `crawl of ${opts.sources.length} sources`
            : `merge of ${opts.merge?.length} shards`,
        EXTRACTOR_VERSION,
        RULES_VERSION,
        hostname(),
      ],
    );

    const rawDir = resolve(opts.raw ?? join(dirname(db), 'raw'));
    const dbMemory = opts.dbMemory ?? DEFAULT_DB_MEMORY;
    // The run's files and their outcomes (a few hundred bytes each: 20-30 MB of the main thread's heap
    // at 50,000) are held only while the documents are read, not through the rules and outputs.
    const { summary, clock } = await (async () => {
      const files = found?.files ?? [];
      let stats = found?.stats;
      found = null;
      if (opts.input) log.info(`${files.length} files under ${opts.input}`, { stage: 'discover' });
      if (opts.input && !files.length && !opts.sources && !opts.merge?.length)
        throw new NoInputError(opts.input, runId);
      const crawled = opts.sources
        ? await crawlStage(conn, { sources: opts.sources, rawDir, runId, log, tuning: opts.crawlTuning })
        : null;
      if (crawled) {
        files.push(...crawled.files);
        stats = statFiles(files);
      }
      if (opts.merge?.length) {
        const merged = await mergeShards(
          conn,
          opts.merge.map((f) => resolve(f)),
        );
        log.info(`merged ${merged.reports} reports from ${merged.shards} shard warehouses`, { stage: 'merge' });
      }
      const clock = new PhaseClock();
      await limitDbMemory(conn, smallerSize(LOADING_DB_MEMORY, dbMemory));
      const docs = await ingest(conn, files, {
        runId,
        pool,
        log,
        maxBytes: opts.maxBytes,
        shard: opts.shard,
        force: opts.force,
        stats,
      });
      const summary = summarise(runId, startedAt, opts.input ?? (opts.sources ? 'crawl' : 'merge'), docs);
      if (crawled)
        Object.assign(summary, {
          fetchProblems: crawled.problems,
          sourcesDown: crawled.sourcesDown,
          sourcesCrawled: opts.sources!.length,
        });
      return { summary, clock };
    })();
    await pool.close(); // the workers' memory goes back before the rules and outputs
    // What was loaded goes to the file now: blocks only in memory cannot be evicted, and with them
    // pinned the rules ran out of DuckDB's memory now and then at large warehouses (measured: docs/performance.md).
    if (summary.new + summary.reprocessed > 0) await conn.run('CHECKPOINT');
    await limitDbMemory(conn, dbMemory);
    if (summary.new + summary.reprocessed <= SMALL_RUN_DOCUMENTS) relaxHeapGrowth();
    summary.phases.ingest = clock.lap();
    log.info(
      `extracted ${summary.new + summary.reprocessed} new or changed documents; ${summary.unchanged} unchanged, not extracted again`,
      { stage: 'ingest', duration_ms: summary.phases.ingest.wallMs },
    );

    // The agency CSV in the warehouse, and each report's region and level from it (new reports included).
    await storeAgencies(conn, agencies);

    // Nothing loaded and nothing the rules or outputs read has changed: their results stand.
    const inputsHash = fingerprintRunInputs({
      agencies: opts.agencies,
      out: opts.out,
      parquet: opts.parquet,
      outputs: !opts.noOutputs,
      rulesDir: opts.rulesDir,
      reviews: [...(reviews?.values() ?? [])].map((r) => [r.fingerprint, r.decision, r.note] as const),
    });
    const sameInputs = !opts.merge?.length && !opts.force && (await lastRunInputs(conn)) === inputsHash;
    const unchanged =
      summary.new + summary.reprocessed === 0 &&
      sameInputs &&
      (opts.noOutputs || existsSync(join(opts.out, 'index.html')));

    if (unchanged) await conn.run('UPDATE anomalies SET last_seen_run = $1', [runId]); // they stand in this run too
    summary.rules = unchanged
      ? await summariseFindings(conn)
      : await runRules(conn, {
          runId,
          agencies,
          rulesDir: opts.rulesDir,
          // only what the reports changed, when the rules and their inputs are those of the last
          // evaluation (the rules check their own fingerprint: rule files, views, agency CSV); the
          // page code, --out and the reviews are not theirs (reviews are applied after them)
          incremental: !opts.merge?.length && !opts.force,
          leaveOneThread: true,
          onMemoryRetry: (what, limit, reason) =>
            log.warn(`${what} ran out of DuckDB's memory; running it again with ${limit} (${reason})`, {
              stage: 'rules',
            }),
        });
    // after a small incremental evaluation (left on one thread), its results and checkpoint on one thread too
    try {
      await recordRuleResults(conn, runId, unchanged);
      summary.changes = await findingChanges(conn, runId);
      // The rules' writes go to the file before the outputs read: scanned with the run's updates
      // pending (every finding's last_seen_run), the outputs' reads were slower, and the checkpoint
      // when the warehouse is closed took longer than the two do now (measured: docs/performance.md).
      if (!opts.noOutputs && !unchanged) await conn.run('CHECKPOINT');
    } finally {
      await restoreThreads(conn);
    }
    summary.phases.rules = clock.lap();
    summary.stageMs.rules = summary.phases.rules.wallMs;
    log.info(
      unchanged
        ? `nothing new: ${summary.rules.findings} findings stand, outputs unchanged`
        : `rules (${describeEvaluation(summary.rules.evaluation)}): ${summary.rules.findings} findings`,
      {
        stage: 'rules',
        duration_ms: summary.stageMs.rules,
      },
    );

    if (!opts.noOutputs && !unchanged) {
      staging = new OutputStaging(resolve(opts.out), runId);
      // the warehouse's side first: the views, this run's review decisions, and the counts as the
      // pages give them (without the findings those decisions dismiss)
      await createViews(conn);
      const applied = await applyReviews(conn, reviews ?? new Map()); // read above whenever there are outputs
      for (const r of applied.stale) {
        log.warn(
          `${reviewsPath(opts.out, opts.reviews)} line ${r.line}: fingerprint ${r.fingerprint} matches no finding; the decision (${r.decision}) is not applied`,
          { stage: 'outputs' },
        );
      }
      if (summary.rules) summary.rules = await summariseFindings(conn);
      await limitDbMemory(conn, smallerSize(OUTPUTS_DB_MEMORY, dbMemory)); // the outputs read a batch at a time
      summary.outputs = await writeOutputs(conn, {
        outDir: opts.out,
        parquetDir: opts.parquet,
        summary,
        reviewsCsv: opts.reviews,
        reviews,
        rawDir,
        staging,
        staleReviews: applied.stale,
        // the rules ran in this run (the outputs are not written otherwise): their copy is current
        reportDocuments: KEPT_REPORT_DOCUMENTS,
      });
      summary.phases.outputs = clock.lap();
      summary.stageMs.outputs = summary.phases.outputs.wallMs;
      log.info(`outputs written`, { stage: 'outputs', duration_ms: summary.stageMs.outputs });
    }
    summary.endedAt = new Date();
    // A site that is down is not a quiet night either: nothing was read from it.
    const exitCode = summary.newFailures > 0 || summary.sourcesDown.length > 0 ? EXIT.failedDocuments : EXIT.ok;
    await conn.run(
      `UPDATE runs SET ended_at = $2, docs_seen = $3, docs_new = $4, docs_unchanged = $5, docs_reprocessed = $6,
         docs_failed = $7, docs_partial = $8, cells_loaded = $9, anomalies = $10, exit_code = $11, inputs_hash = $12 WHERE run_id = $1`,
      [
        runId,
        nowTimestamp(),
        summary.seen,
        summary.new,
        summary.unchanged,
        summary.reprocessed,
        summary.failed.length,
        summary.partial.length,
        summary.cellsLoaded,
        summary.rules.findings,
        exitCode,
        inputsHash,
      ],
    );
    await closeWarehouse(warehouse);
    warehouse = null;
    // The outputs first: a run killed between the two leaves outputs ahead of the warehouse, and
    // the next run, finding the warehouse without this run's documents, writes them again.
    staging?.publish(STAGED_OUTPUTS, ADDED_OUTPUTS, UPDATED_OUTPUTS);
    staging = null;
    publish(privatePath, db);
    privatePath = null;
    published = true;
    // the outputs stand, but the summary page says the inputs were checked by this (published) run
    if (!opts.noOutputs && unchanged && !markLastChecked(opts.out, startedAt))
      log.warn(`${join(opts.out, 'index.html')} has no "last checked" time to update (written by an older version)`, {
        stage: 'outputs',
      });
    summary.peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    // One machine-readable line for the scheduler (and the benchmark) with the run's figures.
    log.record('run finished', {
      stage: 'run',
      duration_ms: summary.endedAt.getTime() - summary.startedAt.getTime(),
      exit_code: exitCode,
      seen: summary.seen,
      new: summary.new,
      unchanged: summary.unchanged,
      reprocessed: summary.reprocessed,
      duplicates: summary.duplicates,
      failed: summary.failed.length,
      partial: summary.partial.length,
      cells_loaded: summary.cellsLoaded,
      findings: summary.rules.findings,
      ...findingsFields(summary),
      stage_ms: Object.fromEntries(Object.entries(summary.stageMs).map(([k, v]) => [k, Math.round(v)])),
      phases: Object.fromEntries(
        Object.entries(summary.phases).map(([k, p]) => [k, { wall_ms: p.wallMs, cpu_ms: p.cpuMs }]),
      ),
      cpu_ms: Math.round(processCpuMs()),
      peak_rss_mb: summary.peakRssMb,
      pages_written: summary.pagesWritten ?? 0,
      outputs_kept: summary.keptOutputs?.kept ?? 0,
      outputs_made: summary.keptOutputs?.made ?? 0,
      export_rows: summary.exportRows?.rows ?? 0,
      export_rows_written: summary.exportRows?.read ?? 0,
    });
    // With --log-json the line above is the summary: stdout and stderr hold JSON lines only.
    if (!opts.quiet && !opts.logJson) process.stdout.write(formatSummary(summary) + '\n');
    return { summary, exitCode };
  } finally {
    await pool.close();
    if (warehouse) {
      try {
        warehouse.conn.closeSync();
        warehouse.instance.closeSync();
      } catch {
        /* closing after a failure: the private copy is discarded below anyway */
      }
    }
    await copying?.catch(() => undefined);
    if (privatePath) discardPrivateCopy(privatePath);
    staging?.discard();
    lock.release();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

/**
 * Opens the private copy of --db; a --db that DuckDB cannot open
 * is named as such (the copy's name means nothing to the user).
 */
async function openCopy(db: string, privatePath: string, dbMemory?: string): Promise<Warehouse> {
  try {
    return await openWarehouse(privatePath, dbMemory);
  } catch (e) {
    if (!existsSync(db) || isOutputError(e)) throw e;
    const reason = (e as Error).message.split('\n')[0].replaceAll(privatePath, db);
    throw new WarehouseFileError(
      `--db ${db} is not a DuckDB warehouse this pipeline can open (left as it was; nothing written): ${reason}`,
    );
  }
}

function ensureWritableDir(dir: string, what: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (e) {
    throw new OutputError(`cannot write the ${what} folder ${dir}: ${(e as Error).message}`);
  }
}
