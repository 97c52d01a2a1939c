/**
 * The warehouse's memory, tuned in one place: DuckDB's limit while reading and while checking,
 * statements that run out of it run once more with twice the limit, and what DuckDB's queries
 * free is given back to the system (glibc keeps freed memory in its arenas otherwise). Why and
 * how much each saves: docs/performance.md.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { isOutputError, sqlString } from '../common/index.js';

/**
 * DuckDB's memory limit (it spills to disk beyond). Its own default would be 80% of RAM, and the
 * pipeline's memory must stay flat in N: with freed memory returned after every step and the
 * report-scoped work done a slice at a time, the rules' peak stays low with this limit, and they
 * still pass with less. 144 MB rather than 160: the rules over 50,000 reports peaked 15-25 MB lower
 * at the same CPU (measured: docs/performance.md).
 */
export const DEFAULT_DB_MEMORY = '144MB';

/**
 * DuckDB's buffer memory while reading: loading appends and commits, and needs little; with the
 * full limit the buffer keeps the tables' blocks it has written, so memory grew with the warehouse.
 * Capped here, those blocks are evicted; a smaller cap lowers the reading's peak at the same speed
 * (measured: docs/performance.md). 32 MB ran the ledger's upsert at the end of 50,000 documents out
 * of memory.
 */
export const LOADING_DB_MEMORY = '48MB';

/**
 * DuckDB's buffer memory while the outputs are written: they read a batch of pages, a page of an
 * export, at a time, and with the full limit the buffer kept the blocks of every table they had
 * read (measured: docs/performance.md). The statements that need more (the views materialised for
 * the outputs) run with twice it when they run out (`withMemoryToSpare`).
 */
export const OUTPUTS_DB_MEMORY = '96MB';

/**
 * DuckDB's buffer memory while the report pages are read, a batch of pages at a time (their
 * documents, cells and findings' operands: a few MB a batch). With the outputs' limit the buffer
 * kept the blocks of the cells table read so far, up to the limit, for the whole of the pages,
 * which are the outputs' longest step; DuckDB's allocator held about as much as the limit through
 * them (measured: docs/performance.md). A batch that needs more is read again with twice it.
 */
export const PAGES_DB_MEMORY = '32MB';

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(b|bytes?|kb|kib|mb|mib|gb|gib|tb|tib)?\s*$/i;
const UNIT: Record<string, number> = {
  b: 1,
  byte: 1,
  bytes: 1,
  kb: 1e3,
  kib: 2 ** 10,
  mb: 1e6,
  mib: 2 ** 20,
  gb: 1e9,
  gib: 2 ** 30,
  tb: 1e12,
  tib: 2 ** 40,
};

/** Bytes of a DuckDB size setting ('64MB', '1GiB'); null when it is not one (DuckDB says why). */
export function sizeBytes(size: string): number | null {
  const m = SIZE.exec(size);
  return m ? Number(m[1]) * UNIT[(m[2] ?? 'b').toLowerCase()] : null;
}

/** The smaller of two size settings; `limit` when either cannot be read. */
export function smallerSize(size: string, limit: string): string {
  const [a, b] = [sizeBytes(size), sizeBytes(limit)];
  return a !== null && b !== null && a < b ? size : limit;
}

/** The memory limit last set on each connection's database (`returnFreedMemory` sets it again). */
const memoryLimits = new WeakMap<DuckDBConnection, string>();

/** Records the limit a connection's database was opened with. */
export function rememberMemoryLimit(conn: DuckDBConnection, limit: string): void {
  memoryLimits.set(conn, limit);
}

/** The memory limit set for what follows on this connection's database. */
const limitOf = (conn: DuckDBConnection): string => memoryLimits.get(conn) ?? DEFAULT_DB_MEMORY;

/** Sets the limit in DuckDB only (see limitDbMemory); setting it also makes DuckDB flush its allocator. */
async function setMemoryLimit(conn: DuckDBConnection, limit: string): Promise<void> {
  await conn.run(`SET memory_limit = ${sqlString(limit)}`);
}

/** Sets DuckDB's memory limit for what follows. */
export async function limitDbMemory(conn: DuckDBConnection, limit: string): Promise<void> {
  await setMemoryLimit(conn, limit);
  memoryLimits.set(conn, limit);
}

/**
 * Runs a statement that may run out of DuckDB's memory (a large aggregate, now and then, depending
 * on how its threads share the work) and, if it does, once more with twice the limit: the limit is
 * what keeps the run's memory flat, not a reason to fail a nightly run. A statement that fails has
 * no effect, so running it again is safe. Any other error, or a second failure, is thrown.
 */
export async function withMemoryToSpare<T>(
  conn: DuckDBConnection,
  run: () => Promise<T>,
  /** Told when the statement is run again, with the limit it gets and DuckDB's message. */
  onRetry?: (limit: string, reason: string) => void,
): Promise<T> {
  let reason: string;
  try {
    return await run();
  } catch (e) {
    reason = (e as Error).message;
    // Out of disk is not out of memory: more memory would only postpone it.
    if (!/Out of Memory Error/.test(reason) || isOutputError(e)) throw e;
  }
  const limit = limitOf(conn);
  const bytes = sizeBytes(limit);
  if (bytes === null) throw new Error(`cannot read the memory limit ${limit}`);
  const twice = `${Math.ceil((2 * bytes) / 2 ** 20)}MiB`;
  onRetry?.(twice, reason.split('\n')[0]);
  await setMemoryLimit(conn, twice);
  try {
    return await run();
  } finally {
    await setMemoryLimit(conn, limit);
  }
}

/**
 * Runs `work` with DuckDB's limit lowered to `limit` (or left as it is when that is smaller), and
 * sets the limit back after, whether `work` succeeds or throws.
 */
export async function withDbMemory<T>(conn: DuckDBConnection, limit: string, work: () => Promise<T>): Promise<T> {
  const before = limitOf(conn);
  await limitDbMemory(conn, smallerSize(limit, before));
  try {
    return await work();
  } finally {
    await limitDbMemory(conn, before);
  }
}

/** Resident size just after memory was last returned, per connection. */
const residentAfterReturn = new WeakMap<DuckDBConnection, number>();

/**
 * Growth of the resident size that makes returning freed memory worth its cost. At 24 MB the
 * resident size went up and down by as much between returns while reading; 8 MB holds it lower at
 * no measurable cost (measured: docs/performance.md).
 */
const RETURN_AFTER_GROWTH = 8 * 2 ** 20;

/**
 * Gives the memory DuckDB's queries have freed back to the operating system. Without it freed
 * memory stays in the process (glibc keeps it in its arenas for the next allocation, and a query
 * on another thread allocates from another arena), so the resident size became the sum of the
 * largest steps instead of the largest one. Setting the memory limit makes DuckDB flush its
 * allocator (`malloc_trim` on glibc), which is not free: it is done only when the process has
 * grown by RETURN_AFTER_GROWTH since (measured: docs/performance.md).
 */
export async function returnFreedMemory(conn: DuckDBConnection): Promise<void> {
  if (process.memoryUsage.rss() - (residentAfterReturn.get(conn) ?? 0) < RETURN_AFTER_GROWTH) return;
  await setMemoryLimit(conn, limitOf(conn));
  residentAfterReturn.set(conn, process.memoryUsage.rss());
}
