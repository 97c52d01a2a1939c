/**
 * Ingestion: every input document is hashed; bytes already loaded by this extractor version
 * are skipped before any parsing; the rest are extracted on the worker pool and loaded by this
 * (the only writing) thread, one transaction per batch of reports (batch-loader.ts; a failed batch
 * is retried report by report).
 */
import { readFileSync, statSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import pLimit from 'p-limit';
import { EXTRACTOR_VERSION } from '../../extractors/index.js';
import { filedYearOf, statFiles, type FileStats, type InputFile } from './discover.js';
import type { ExtractPool } from './extract-pool.js';
import { BatchLoader } from './batch-loader.js';
import { Interner, isOutputError, type Logger, sha256Of, sha256OfFile } from '../common/index.js';
import { nowTimestamp, reportIdOf, statusOf, type ReportRecord } from '../warehouse/index.js';

export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

export interface DocumentOutcome {
  source: string;
  sha256: string;
  reportId: string;
  /** new: first time these bytes are seen; reprocessed: seen before by an older extractor. */
  disposition: 'new' | 'unchanged' | 'reprocessed' | 'duplicate';
  status: 'ok' | 'partial' | 'failed';
  error: string | null;
  template: string | null;
  year: number | null;
  cells: number;
  /** Time spent on this document per stage (ms): file read + hash, reader, recogniser, warehouse load. */
  ms: { io: number; read: number; recognise: number; load: number };
  /** The path's row in `documents` (the ledger): its size, modification time and when it was hashed (null: not read). */
  size: number | null;
  mtimeMs: number | null;
  hashedAtMs: number | null;
}

/**
 * The same few texts for every document (a worker's answer arrives with its own copy of each):
 * 50,000 outcomes held as many copies of 'ok' and '2021'.
 */
const shared = new Interner(64);

interface Known {
  extractor_version: string | null;
  status: 'ok' | 'partial' | 'failed';
  error: string | null;
  template: string | null;
  year: number | null;
}

async function loadKnown(conn: DuckDBConnection): Promise<Map<string, Known>> {
  const r = await conn.runAndReadAll('SELECT sha256, extractor_version, status, error, template, year FROM reports');
  // read by column: the client converts 10,000 rows' values for less than row by row (measured: docs/performance.md)
  const map = new Map<string, Known>();
  if (r.currentRowCount === 0) return map; // no columns either
  const [sha256, version, status, error, template, year] = r.getColumnsJS();
  for (let i = 0; i < sha256.length; i++) {
    map.set(sha256[i] as string, {
      extractor_version: version[i] as string | null,
      status: status[i] as Known['status'],
      error: error[i] as string | null,
      template: template[i] as string | null,
      year: year[i] as number | null,
    });
  }
  return map;
}

/** What a path held when it was last hashed (its latest row in `documents`). */
interface HashedFile {
  sha256: string;
  size: number;
  mtimeMs: number;
  hashedAtMs: number;
}

async function loadHashedFiles(conn: DuckDBConnection): Promise<Map<string, HashedFile>> {
  const r = await conn.runAndReadAll(
    `SELECT source, sha256, size_bytes, mtime_ms, hashed_at_ms FROM documents
     WHERE mtime_ms IS NOT NULL AND hashed_at_ms IS NOT NULL
     QUALIFY row_number() OVER (PARTITION BY source ORDER BY last_seen DESC) = 1`,
  );
  const map = new Map<string, HashedFile>();
  if (r.currentRowCount === 0) return map;
  const [source, sha256, size, mtimeMs, hashedAtMs] = r.getColumnsJS();
  for (let i = 0; i < source.length; i++) {
    map.set(source[i] as string, {
      sha256: sha256[i] as string,
      size: Number(size[i]),
      mtimeMs: mtimeMs[i] as number,
      hashedAtMs: hashedAtMs[i] as number,
    });
  }
  return map;
}

/**
 * A file modified this close to the moment it was hashed may have changed again within the
 * same tick of its clock (coarse on some file systems): it is read again next time.
 */
const RACY_MS = 2000;

export interface IngestOptions {
  runId: string;
  /** Closed once every document is read. */
  pool: ExtractPool;
  log: Logger;
  maxBytes?: number;
  /** Process only the inputs whose hash falls in this shard (i of n). */
  shard?: { index: number; count: number };
  /** Re-extract even documents this extractor version already loaded. */
  force?: boolean;
  /** The files' size and modification time, when the caller has looked (statFiles) already. */
  stats?: FileStats;
}

export function inShard(sha256: string, shard?: { index: number; count: number }): boolean {
  if (!shard) return true;
  return Number(BigInt('0x' + sha256.slice(0, 12)) % BigInt(shard.count)) === shard.index;
}

/**
 * Files being checked, read, extracted or loaded at once: more than the extraction slots and the
 * loader's backlog (`BatchLoader.room`) together, so neither waits for want of files. Every file
 * started at once held a pending call, its promise and its queue entry each: the main thread's heap
 * grew with the number of files (measured: docs/performance.md).
 */
const FILES_IN_FLIGHT = 512;

/** `Promise.all(items.map(fn))`, in order, with at most `inFlight` calls of `fn` pending at a time. */
export async function mapBounded<T, R>(
  items: readonly T[],
  inFlight: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const runner = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, runner));
  return results;
}

/**
 * A worker per this many documents to extract, up to the pool's size: a worker takes about 130 ms
 * of CPU to start (its thread, the extractor's modules) and a report 15-20 ms to read, so two or
 * three new documents are read as soon on one worker as on two, for less CPU (measured:
 * docs/performance.md).
 */
const DOCUMENTS_PER_WORKER = 8;

/** Files being read or extracted below which each report is loaded as it comes (see `ingest`'s doneReading). */
const LOAD_AT_ONCE_BELOW = 16;

/** Starts the workers `documents` to extract need: one per DOCUMENTS_PER_WORKER, up to the pool's size. */
function prestartFor(pool: ExtractPool, documents: number): void {
  if (documents > 0) pool.prestart(Math.ceil(documents / DOCUMENTS_PER_WORKER));
}

/**
 * Before the warehouse is open: the files modified since it was last written (`since`, its file's
 * modification time) are most likely new, and the workers they need start now, so that their
 * start-up (0.2-0.3 s to the first document read) overlaps the warehouse's copy and opening instead
 * of following the ledger's check. Files copied with their old times are not seen here; the
 * ingest starts their workers once the ledger shows them new.
 */
export function prestartForNewer(pool: ExtractPool, stats: FileStats, since: number): void {
  let newer = 0;
  for (const t of stats.mtimeMs) if (t > since) newer++;
  prestartFor(pool, newer);
}

/** What the files' size and modification time (statFiles) tell before anything is read. */
interface CheckedFiles {
  /** By the files' index: what a trusted file held when it was hashed (its size and time are those now). */
  trusted: (HashedFile | undefined)[];
  /** Files that will be extracted unless their bytes are known after all: new paths, other sizes, an older extractor's. */
  toExtract: number;
}

/**
 * The files to be trusted without reading them (`trustedAs`), and how many will most likely be
 * extracted (a file only touched, the same size as when hashed, is counted out: it is read and
 * hashed, and most often found unchanged).
 */
function checkFiles(
  files: readonly InputFile[],
  stats: FileStats,
  hashed: ReadonlyMap<string, HashedFile>,
  known: ReadonlyMap<string, Known>,
  trustedAs: (source: string, size: number, mtimeMs: number) => HashedFile | null,
): CheckedFiles {
  const trusted: (HashedFile | undefined)[] = new Array(files.length);
  let toExtract = 0;
  for (const [i, f] of files.entries()) {
    const size = stats.size[i];
    if (f.unread || Number.isNaN(size)) continue; // not looked at: readAndExtract looks again
    const before = trustedAs(f.source, size, stats.mtimeMs[i]);
    if (before) trusted[i] = before;
    else {
      const was = hashed.get(f.source);
      if (!was || was.size !== size || known.get(was.sha256)?.extractor_version !== EXTRACTOR_VERSION) toExtract++;
    }
  }
  return { trusted, toExtract };
}

export async function ingest(
  conn: DuckDBConnection,
  files: readonly InputFile[],
  opts: IngestOptions,
): Promise<DocumentOutcome[]> {
  const known = await loadKnown(conn);
  const unreadBefore = await loadUnread(conn);
  const hashed = opts.force ? new Map<string, HashedFile>() : await loadHashedFiles(conn);
  /**
   * A file with the size and modification time it had when it was hashed, long enough before,
   * whose report this extractor loaded: not even read (the nightly no-op is a stat per file).
   */
  const trustedAs = (source: string, size: number, mtimeMs: number): HashedFile | null => {
    const before = hashed.get(source);
    return before !== undefined &&
      before.size === size &&
      before.mtimeMs === mtimeMs &&
      mtimeMs < before.hashedAtMs - RACY_MS &&
      known.get(before.sha256)?.extractor_version === EXTRACTOR_VERSION
      ? before
      : null;
  };
  const checked = checkFiles(files, opts.stats ?? statFiles(files), hashed, known, trustedAs);
  // the workers start now, while the known files are gone through, and no more than the new ones need
  prestartFor(opts.pool, checked.toExtract);
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const loader = new BatchLoader(conn);
  /** Each document of the run by its bytes: its outcome, or the promise of it while it is extracted and loaded. */
  const inRun = new Map<string, DocumentOutcome | Promise<DocumentOutcome>>();
  // Reading and extraction are bounded (bytes in memory); loading happens after the slot is freed,
  // so workers never wait on the writer, and the writer's backlog is bounded by loader.room().
  const limit = pLimit(Math.max(2, opts.pool.size * 3));
  // Every file is checked; only new or changed ones are read and extracted (the run's log says how many).
  opts.log.startProgress(files.length, 'checking');

  interface Read {
    size: number;
    sha256: string;
    mtimeMs: number;
    /** When it was read and hashed in this run (null: trusted from an earlier run). */
    hashedAtMs: number | null;
    ms: DocumentOutcome['ms'];
  }
  /** A file read and, unless already known, extracted: `outcome` when done, `rec` when it needs loading. */
  interface Prepared {
    read: Read;
    outcome?: DocumentOutcome;
    rec?: ReportRecord;
    prior?: Known;
    /** Completes the in-run entry that duplicates of these bytes wait on. */
    settle?: (o: DocumentOutcome) => void;
  }

  /** The outcome of bytes this extractor has loaded before (nothing to extract or load), entered as the run's. */
  const unchanged = (source: string, read: Read, prior: Known): DocumentOutcome => {
    const outcome: DocumentOutcome = {
      source,
      sha256: read.sha256,
      reportId: reportIdOf(read.sha256),
      disposition: 'unchanged',
      status: prior.status,
      error: prior.error,
      template: prior.template,
      year: prior.year,
      cells: 0,
      ms: read.ms,
      size: read.size,
      mtimeMs: read.mtimeMs,
      hashedAtMs: read.hashedAtMs,
    };
    inRun.set(read.sha256, outcome);
    return outcome;
  };

  /**
   * Files that went to readAndExtract and whose hash is not known yet. The in-run entries of a
   * run's bytes are made in the files' order (the first path of some bytes is their document, the
   * others duplicates): a trusted file is taken straight (`keptAsItWas`) only when none is.
   */
  let unhashed = 0;

  /** Reads, hashes and (unless known) extracts one file; a trusted file (`trustedAs`) is not read. */
  const readAndExtract = async (file: InputFile): Promise<Prepared | null> => {
    const started = Date.now();
    let bytes: Buffer | null = null;
    let read: Read;
    try {
      // Synchronous: a report is read from the page cache in microseconds, and the four thread-pool
      // round trips of an asynchronous read cost more than the read.
      const st = statSync(file.path);
      const size = st.size;
      const before = trustedAs(file.source, size, st.mtimeMs);
      let sha256: string;
      let hashedAtMs: number | null = null;
      if (before) {
        sha256 = before.sha256;
      } else {
        hashedAtMs = Date.now(); // before reading: a change made while it is read makes it untrusted next time
        // Read once: the bytes hashed are the bytes parsed (the worker hashes them again and the pool checks).
        bytes = size > maxBytes ? null : readFileSync(file.path);
        sha256 = bytes ? sha256Of(bytes) : await sha256OfFile(file.path);
      }
      read = {
        size: bytes?.byteLength ?? size,
        sha256,
        mtimeMs: st.mtimeMs,
        hashedAtMs,
        ms: { io: Date.now() - started, read: 0, recognise: 0, load: 0 },
      };
    } finally {
      unhashed--;
    }
    const { sha256, size } = read;
    if (!inShard(sha256, opts.shard)) return null;
    const prior = known.get(sha256);
    if (inRun.has(sha256)) return { read };
    if (prior && prior.extractor_version === EXTRACTOR_VERSION && !opts.force)
      return { read, outcome: unchanged(file.source, read, prior) };
    let settle!: (o: DocumentOutcome) => void;
    inRun.set(sha256, new Promise((r) => (settle = r)));
    const extracted = bytes
      ? await opts.pool.extract(bytes, { sha256, reload: () => readFileSync(file.path) })
      : {
          extraction: null,
          failure: `read: file is ${(size / 1048576).toFixed(1)} MB, over the ${(maxBytes / 1048576).toFixed(0)} MB limit`,
          messages: [],
          timings: undefined,
        };
    read.ms.read = extracted.timings?.read_ms ?? 0;
    read.ms.recognise = extracted.timings?.recognise_ms ?? 0;
    const rec: ReportRecord = {
      sha256,
      source: file.source,
      size: read.size,
      extraction: extracted.extraction,
      failure: extracted.failure,
      messages: extracted.messages,
      filedYear: filedYearOf(file.source),
      extractorVersion: EXTRACTOR_VERSION,
      runId: opts.runId,
    };
    await loader.room();
    return { read, rec, prior, settle };
  };

  /**
   * Files in readAndExtract. With few left, no batch will fill: what waits for the loader is loaded
   * now, while the next documents are extracted, not when the oldest has waited the loader's time
   * (a nightly run's reports waited 0.2 s for nothing, then were loaded after the last was read).
   */
  let reading = 0;
  const doneReading = () => {
    if (--reading < LOAD_AT_ONCE_BELOW) void loader.idle();
  };

  const one = async (file: InputFile): Promise<DocumentOutcome | null> => {
    unhashed++;
    reading++;
    let got: Prepared | null;
    try {
      got = await limit(() => readAndExtract(file));
    } catch (e) {
      doneReading();
      throw e;
    }
    const loading = got?.rec ? loader.load(got.rec, got.prior !== undefined) : null;
    doneReading();
    if (!got) return null;
    const { read, rec, prior, settle } = got;
    let out: DocumentOutcome;
    if (got.outcome) {
      out = got.outcome;
    } else if (!rec) {
      // The same bytes at a second path in this run: one document, two ledger entries.
      const first = await inRun.get(read.sha256)!;
      out = {
        ...first,
        source: file.source,
        disposition: 'duplicate',
        cells: 0,
        ms: read.ms,
        size: read.size,
        mtimeMs: read.mtimeMs,
        hashedAtMs: read.hashedAtMs,
      };
    } else {
      const loaded = await loading!;
      read.ms.load = loaded.ms;
      const { status, error } = statusOf(rec);
      const x = rec.extraction;
      opts.log.log(
        status === 'failed' ? 'warn' : 'debug',
        status === 'failed' ? `failed: ${error}` : `${status} ${x?.meta.agency ?? '?'} ${x?.meta.year ?? '?'}`,
        {
          document: file.source,
          stage: status === 'failed' ? (error ?? '').split(':')[0] : 'load',
          duration_ms: Math.round(read.ms.io + read.ms.read + read.ms.recognise + read.ms.load),
        },
      );
      out = {
        source: file.source,
        sha256: read.sha256,
        reportId: reportIdOf(read.sha256),
        disposition: prior ? 'reprocessed' : 'new',
        status: shared.of(status),
        error,
        template: shared.of(x?.template ?? null),
        year: x?.meta.year ?? null,
        cells: loaded.cells,
        ms: read.ms,
        size: read.size,
        mtimeMs: read.mtimeMs,
        hashedAtMs: read.hashedAtMs,
      };
      settle!(out);
      inRun.set(read.sha256, out); // the promise's work is done
    }
    return out;
  };

  /** The disk (or the warehouse) cannot be written: the run stops, and no document is blamed for it. */
  let outputError: unknown = null;
  /**
   * A path seen and not read (discovery's reason, or bytes that could not be read): a ledger row
   * without bytes (sha256 ''), with the reason. New when it was not so with this reason last time.
   */
  const unread = (f: InputFile, error: string): DocumentOutcome => {
    const again = unreadBefore.get(f.source) === error;
    if (!again) opts.log.error(`failed: ${error}`, { document: f.source, stage: error.split(':')[0] });
    return {
      source: f.source,
      sha256: '',
      reportId: '',
      disposition: again ? 'unchanged' : 'new',
      status: 'failed',
      error,
      template: null,
      year: null,
      cells: 0,
      ms: { io: 0, read: 0, recognise: 0, load: 0 },
      size: null,
      mtimeMs: null,
      hashedAtMs: null,
    };
  };

  /**
   * A trusted file (checkFiles) taken as it was, without a stat or a wait; undefined when it goes
   * through readAndExtract (an earlier file's hash still to come, or its bytes met in the run already).
   */
  const keptAsItWas = (f: InputFile, i: number): DocumentOutcome | null | undefined => {
    const before = checked.trusted[i];
    if (!before || unhashed > 0) return undefined;
    if (!inShard(before.sha256, opts.shard)) return null;
    if (inRun.has(before.sha256)) return undefined;
    const read: Read = {
      size: before.size,
      sha256: before.sha256,
      mtimeMs: before.mtimeMs,
      hashedAtMs: null,
      ms: { io: 0, read: 0, recognise: 0, load: 0 },
    };
    return unchanged(f.source, read, known.get(before.sha256)!);
  };

  const results = await mapBounded(files, FILES_IN_FLIGHT, async (f, i) => {
    try {
      if (outputError) return null;
      if (f.unread) return unread(f, f.unread);
      const kept = keptAsItWas(f, i);
      return kept !== undefined ? kept : await one(f);
    } catch (e) {
      if (isOutputError(e) && !isReadError(e)) {
        outputError ??= e;
        return null;
      }
      // Not even the bytes could be read (permissions, vanished file): say so, go on.
      return unread(f, `read: ${(e as Error).message}`);
    } finally {
      opts.log.tick();
    }
  });
  opts.log.stopProgress();
  if (outputError) throw outputError;
  await loader.idle();
  // every document is read: the workers' memory (50-60 MB each) goes back before the ledger is written
  await opts.pool.close();
  const outcomes = results.filter((r): r is DocumentOutcome => r !== null);
  await recordDocuments(conn, outcomes, opts.runId);
  return outcomes;
}

/** The paths the last run that saw them could not read, and why. */
async function loadUnread(conn: DuckDBConnection): Promise<Map<string, string>> {
  const r = await conn.runAndReadAll(
    // the latest row of each path, then only those unread (a path read since is no longer unread)
    `SELECT source, error FROM documents QUALIFY row_number() OVER (PARTITION BY source ORDER BY last_seen DESC) = 1 AND sha256 = ''`,
  );
  return new Map(r.getRowsJS().map(([source, error]) => [source as string, (error as string | null) ?? '']));
}

/**
 * An error reading an input (EACCES on a file of --input) is that document's, not the output's: the
 * run goes on. Errors from the warehouse (DuckDB's) or the disk filling never come from reading.
 */
function isReadError(e: unknown): boolean {
  return (
    typeof (e as NodeJS.ErrnoException)?.syscall === 'string' &&
    ['open', 'read', 'stat', 'lstat'].includes((e as NodeJS.ErrnoException).syscall!)
  );
}

/**
 * Upserts the document ledger in one statement (path, size, sha256, first/last seen, status, when
 * hashed), a row per outcome (the outcomes are the ledger: a row apiece held 100 bytes more per file).
 */
async function recordDocuments(conn: DuckDBConnection, rows: readonly DocumentOutcome[], runId: string): Promise<void> {
  if (rows.length === 0) return;
  await conn.run(
    'CREATE OR REPLACE TEMP TABLE seen_documents (source VARCHAR, sha256 VARCHAR, size_bytes BIGINT, status VARCHAR, error VARCHAR, mtime_ms DOUBLE, hashed_at_ms DOUBLE)',
  );
  const ap = await conn.createAppender('seen_documents');
  for (const r of rows) {
    ap.appendVarchar(r.source);
    ap.appendVarchar(r.sha256);
    if (r.size === null) ap.appendNull();
    else ap.appendBigInt(BigInt(r.size));
    ap.appendVarchar(r.status);
    // the ledger's error says why a path was not read ('' sha256); a document's own is in `reports`
    if (r.sha256 !== '' || r.error === null) ap.appendNull();
    else ap.appendVarchar(r.error);
    for (const v of [r.mtimeMs, r.hashedAtMs]) {
      if (v === null) ap.appendNull();
      else ap.appendDouble(v);
    }
    ap.endRow();
  }
  ap.closeSync();
  const now = nowTimestamp();
  await conn.run(
    `INSERT INTO documents (source, sha256, size_bytes, first_seen, last_seen, first_seen_run, last_seen_run, status, error, mtime_ms, hashed_at_ms)
       SELECT DISTINCT ON (source, sha256) source, sha256, size_bytes, $1, $1, $2, $2, status, error, mtime_ms, hashed_at_ms FROM seen_documents
     ON CONFLICT (source, sha256) DO UPDATE SET last_seen = excluded.last_seen, last_seen_run = excluded.last_seen_run, status = excluded.status, error = excluded.error,
       mtime_ms = excluded.mtime_ms, hashed_at_ms = coalesce(excluded.hashed_at_ms, documents.hashed_at_ms)`,
    [now, runId],
  );
  await conn.run('DROP TABLE seen_documents');
}
