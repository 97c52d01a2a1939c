#!/usr/bin/env node
/**
 * Command line: `npm run pipeline -- [options]`. Exit codes (README): 0 ok, 1 crash,
 * 2 usage error, 3 finished with failed documents, 65 --db is not a warehouse, 66 no document under
 * --input, 69 the lock held by a run for too long, 70 build failed (scripts/pipeline.mjs), 74 output
 * not writable, 75 another run holds the lock, 130 / 143 stopped by SIGINT / SIGTERM.
 * With --log-json everything written to stdout and stderr is a JSON line, errors included.
 */
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_MAX_LINKS_PER_LISTING, DEFAULT_MAX_REPORTS_PER_SOURCE, readSourcesCsv } from './crawl/index.js';
import {
  LockHeldError,
  LockHeldTooLongError,
  EXIT,
  runPipeline,
  WarehouseFileError,
  type RunOptions,
  configureHeaps,
} from './run/index.js';
import { findRegionPage } from './outputs/index.js';
import { AgencyCsvError, ReviewsFileError } from './rules/index.js';
import { describeOutputError, isOutputError, UsageError } from './common/index.js';
import { NoInputError } from './ingest/index.js';
import { DEFAULT_DB_MEMORY, sizeBytes } from './warehouse/index.js';

function shardArg(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2]))
    throw new InvalidArgumentError('expected i/n with 0 <= i < n, e.g. 0/4');
  return { index: Number(m[1]), count: Number(m[2]) };
}

function hoursArg(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of hours above 0');
  return n;
}

/**
 * --summary REGION[:YEAR]: the region as the agency CSV writes it (未分区: agencies without one),
 * the year optional.
 */
function summaryArg(value: string): { region: string; year?: number } {
  const m = /^(.+?)(?::(\d{4}))?$/.exec(value.trim());
  if (!m || m[1].includes(':')) throw new InvalidArgumentError('expected REGION or REGION:YEAR, e.g. 福建省平潭:2022');
  return { region: m[1], year: m[2] ? Number(m[2]) : undefined };
}

function positiveIntArg(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

/** DuckDB takes less than this, or a size without a unit, and fails later with its own message. */
const MIN_DB_MEMORY = 16 * 2 ** 20;

function dbMemoryArg(value: string): string {
  const bytes = /[a-z]\s*$/i.test(value) ? sizeBytes(value) : null;
  if (bytes === null) throw new InvalidArgumentError('expected a size with its unit, e.g. 160MB, 1GB or 512MiB');
  if (bytes < MIN_DB_MEMORY) throw new InvalidArgumentError('expected at least 16MB');
  return value.trim();
}

export function buildCommand(): Command {
  return new Command('pipeline')
    .description('Audit the statistics tables of 政府信息公开工作年度报告: extract, load into DuckDB, check, report.')
    .option('--input <dir>', 'folder of reports (searched recursively)', 'data/reports')
    .option('--db <file>', 'the DuckDB warehouse to publish', 'data/warehouse.duckdb')
    .option('--out <dir>', 'anomaly report and exports', 'data/out')
    .option('--agencies <file>', 'agency hierarchy CSV: agency,parent,region,level[,aliases]')
    .option('--sources <file>', "CSV agency,url of the agencies' annual-report listing pages to crawl")
    .option('--raw <dir>', 'content-addressed store for crawled documents', 'data/raw')
    .option(
      '--max-links-per-listing <n>',
      'crawl: report links followed per listing page (the rest are cut and listed)',
      positiveIntArg,
      DEFAULT_MAX_LINKS_PER_LISTING,
    )
    .option(
      '--max-reports-per-source <n>',
      'crawl: report documents fetched per source (the rest are cut and listed)',
      positiveIntArg,
      DEFAULT_MAX_REPORTS_PER_SOURCE,
    )
    .option('--parquet <dir>', 'also write reports, cells, anomalies, claims as Parquet (Hive-partitioned by year)')
    .option('--reviews <file>', 'review decisions CSV (fingerprint,decision,note,reviewer,date)')
    .option(
      '--shard <i/n>',
      'process one hash-partition of the inputs (merge the shard warehouses with --merge)',
      shardArg,
    )
    .option('--merge <files...>', 'merge shard warehouses into --db, then run the rules and outputs over all of them')
    .option('--workers <n>', 'extraction worker threads (default: one per core)', positiveIntArg)
    .option(
      '--worker-memory-mb <n>',
      'memory one extraction worker may take, heap and the rest: the document in hand over it fails',
      positiveIntArg,
      512,
    )
    .option('--max-mb <n>', 'refuse documents larger than this', positiveIntArg, 50)
    .option(
      '--db-memory <size>',
      "DuckDB's memory limit (it spills to disk beyond), e.g. 1GB",
      dbMemoryArg,
      DEFAULT_DB_MEMORY,
    )
    .option(
      '--summary <region[:year]>',
      "after the run, name the region's printable summary (--out/regions/; year: its latest by default)",
      summaryArg,
    )
    .option('--force', 're-extract documents even if unchanged')
    .option(
      '--stale-lock-hours <h>',
      'a lock held this long by a live run is an error (exit 69: hung?), not exit 75',
      hoursArg,
      12,
    )
    .option('--log-json', 'JSON-lines logs (run id, document, stage, duration) on stderr')
    .option('--quiet', 'no progress, no summary')
    .exitOverride();
}

/**
 * Where the CLI's own messages go: plain `pipeline: …` lines on stderr, or with --log-json JSON
 * lines like the run's log (the scheduler's file holds nothing else), the last carrying the exit code.
 */
class Messages {
  constructor(private readonly json: boolean) {}

  error(message: string, exitCode: number, fields: Record<string, unknown> = {}): number {
    if (this.json) {
      process.stderr.write(
        JSON.stringify({
          time: new Date().toISOString(),
          level: 'error',
          run_id: null,
          message,
          ...fields,
          exit_code: exitCode,
        }) + '\n',
      );
    } else {
      process.stderr.write(`pipeline: ${message}${typeof fields.stack === 'string' ? `\n${fields.stack}` : ''}\n`);
    }
    return exitCode;
  }

  /** Node's own warnings (deprecations and the like) as JSON lines too. */
  takeOverWarnings(): void {
    if (!this.json) return;
    process.removeAllListeners('warning');
    process.on('warning', (w) => {
      process.stderr.write(
        JSON.stringify({
          time: new Date().toISOString(),
          level: 'warn',
          run_id: null,
          message: `${w.name}: ${w.message}`,
          stage: 'node',
        }) + '\n',
      );
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  configureHeaps();
  const say = new Messages(argv.includes('--log-json'));
  say.takeOverWarnings();
  const cmd = buildCommand();
  let parseError = '';
  cmd.configureOutput({ writeErr: (text) => (parseError += text) });
  try {
    cmd.parse(argv);
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    if (code === 0) return EXIT.ok;
    return say.error(
      `usage: ${parseError.trim().replace(/^error: /, '') || (e as Error).message} (see --help)`,
      EXIT.usage,
    );
  }
  const o = cmd.opts();
  // With --sources, the bundled sample is not read unless --input is given too.
  const inputGiven = cmd.getOptionValueSource('input') === 'cli';
  const readsInput = inputGiven || (!o.sources && !o.merge);
  const options: RunOptions = {
    input: readsInput ? o.input : undefined,
    merge: o.merge,
    db: o.db,
    out: o.out,
    agencies: o.agencies,
    parquet: o.parquet,
    reviews: o.reviews,
    raw: o.raw,
    shard: o.shard,
    logJson: o.logJson,
    quiet: o.quiet,
    workers: o.workers,
    maxBytes: o.maxMb * 1024 * 1024,
    force: o.force,
    dbMemory: o.dbMemory,
    staleLockHours: o.staleLockHours,
    workerMemoryMb: o.workerMemoryMb,
    crawlTuning: { maxLinksPerListing: o.maxLinksPerListing, maxReportsPerSource: o.maxReportsPerSource },
  };
  try {
    if (o.sources) options.sources = readSourcesCsv(o.sources);
  } catch (e) {
    return say.error((e as Error).message, EXIT.usage);
  }
  try {
    const { exitCode } = await runPipeline(options);
    if (o.summary) {
      const { region, year } = o.summary as { region: string; year?: number };
      const found = findRegionPage(o.out, region, year);
      if (found.path) process.stdout.write(`region summary: ${found.path}\n`);
      else
        say.error(
          `no summary of ${region}${year ? ` for ${year}` : ''} in ${o.out}: ${found.years.length ? `it has ${found.years.join(', ')}` : 'no report of the run is in that region (regions come from --agencies; 未分区: agencies without one)'}`,
          exitCode,
        );
    }
    return exitCode;
  } catch (e) {
    if (e instanceof LockHeldError) return say.error(e.message, EXIT.locked);
    if (e instanceof LockHeldTooLongError) return EXIT.lockHeldTooLong; // logged at error level by the run
    if (e instanceof WarehouseFileError) return say.error(e.message, EXIT.badWarehouse);
    if (e instanceof UsageError || e instanceof AgencyCsvError || e instanceof ReviewsFileError)
      return say.error(e.message, EXIT.usage);
    if (e instanceof NoInputError) return say.error(e.message, EXIT.noInput, { run_id: e.runId });
    if (isOutputError(e))
      return say.error(`output error, nothing published: ${describeOutputError(e)}`, EXIT.outputError);
    return say.error(`crashed: ${(e as Error).message}`, EXIT.crash, { stack: (e as Error).stack ?? String(e) });
  }
}

main(process.argv).then((code) => {
  process.exitCode = code;
});
