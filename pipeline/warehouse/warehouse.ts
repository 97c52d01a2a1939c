/**
 * The DuckDB warehouse: schema, and loading reports atomically (delete + append + commit with the
 * Appender, one transaction per batch of reports, each report in whole or not at all).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance, DuckDBTimestampValue, DuckDBAppender } from '@duckdb/node-api';
import { duckdb } from './duckdb.js';
import { type Message, gridAt, stringAt, valueAt, type PackedExtraction } from '../../extractors/index.js';
import { allTemplateKeys, normaliseAgency } from '../../domain/index.js';
import { applyComments } from './dictionary.js';
import { isOutputError, sqlDir } from '../common/index.js';
import { createViews, viewsAreCurrent } from './views.js';
import { inTransaction } from './transaction.js';
import { DEFAULT_DB_MEMORY, rememberMemoryLimit } from './memory.js';

export {
  DEFAULT_DB_MEMORY,
  LOADING_DB_MEMORY,
  limitDbMemory,
  OUTPUTS_DB_MEMORY,
  PAGES_DB_MEMORY,
  returnFreedMemory,
  sizeBytes,
  smallerSize,
  withDbMemory,
  withMemoryToSpare,
} from './memory.js';

export interface Warehouse {
  readonly instance: DuckDBInstance;
  readonly conn: DuckDBConnection;
  readonly path: string;
}

export async function openWarehouse(path: string, memoryLimit = DEFAULT_DB_MEMORY): Promise<Warehouse> {
  const instance = await duckdb.DuckDBInstance.create(path, {
    memory_limit: memoryLimit,
    threads: String(Math.max(1, availableParallelism())),
    // Large CREATE TABLE AS and joins need far less memory when row order need not be kept.
    preserve_insertion_order: 'false',
  });
  const conn = await instance.connect();
  rememberMemoryLimit(conn, memoryLimit);
  // A warehouse this code has opened before has its schema, the tables' comments and the template's
  // keys as this code makes them: the views' hash, written last, stands for them all (their check took
  // a nightly run 30-40 ms).
  if (await viewsAreCurrent(conn)) return { instance, conn, path };
  // One transaction: statement by statement, each was a commit of its own (a sync of the WAL).
  await inTransaction(conn, readFileSync(join(sqlDir(), 'schema.sql'), 'utf8'));
  await applyComments(conn, 'tables');
  await refreshTemplateKeys(conn);
  // The researchers' views are part of every published warehouse, with or without outputs.
  await createViews(conn);
  return { instance, conn, path };
}

export async function closeWarehouse(w: Warehouse): Promise<void> {
  await w.conn.run('CHECKPOINT');
  w.conn.closeSync();
  w.instance.closeSync();
}

async function refreshTemplateKeys(conn: DuckDBConnection): Promise<void> {
  await conn.run('BEGIN TRANSACTION');
  await conn.run('DELETE FROM template_keys');
  const ap = await conn.createAppender('template_keys');
  for (const k of allTemplateKeys()) {
    ap.appendVarchar(k.table_id);
    ap.appendVarchar(k.template);
    ap.appendVarchar(k.row_key);
    ap.appendVarchar(k.col_key);
    ap.appendVarchar(k.row_label);
    ap.appendVarchar(k.col_label);
    ap.appendInteger(k.row_order);
    ap.appendInteger(k.col_order);
    ap.endRow();
  }
  ap.closeSync();
  await conn.run('COMMIT');
}

function str(ap: DuckDBAppender, v: string | null | undefined): void {
  if (v === null || v === undefined) ap.appendNull();
  else ap.appendVarchar(v);
}
function int(ap: DuckDBAppender, v: number | null | undefined): void {
  if (v === null || v === undefined) ap.appendNull();
  else ap.appendInteger(v);
}
function dbl(ap: DuckDBAppender, v: number | null | undefined): void {
  if (v === null || v === undefined || !Number.isFinite(v)) ap.appendNull();
  else ap.appendDouble(v);
}

export function reportIdOf(sha256: string): string {
  return 'r' + sha256.slice(0, 16);
}

/** What the warehouse keeps of one document, whatever became of it. */
export interface ReportRecord {
  sha256: string;
  source: string;
  size: number;
  /** What the extractor made of it, its cells packed to cross from the worker that read it. */
  extraction: PackedExtraction | null;
  /** stage: reason, for a document that could not be read at all. */
  failure: string | null;
  messages: readonly Message[];
  filedYear: number | null;
  extractorVersion: string;
  runId: string;
}

export interface ReportRow {
  status: 'ok' | 'partial' | 'failed';
  error: string | null;
}

export function statusOf(rec: ReportRecord): ReportRow {
  if (rec.failure || !rec.extraction) return { status: 'failed', error: rec.failure ?? 'unknown failure' };
  return { status: rec.extraction.status, error: rec.extraction.error };
}

function appendReport(r: DuckDBAppender, rec: ReportRecord): void {
  const x = rec.extraction;
  const { status, error } = statusOf(rec);
  str(r, reportIdOf(rec.sha256));
  str(r, rec.source);
  str(r, rec.sha256);
  str(r, x?.format ?? null);
  str(r, x?.meta.agency ?? null);
  str(r, x?.meta.agency ? normaliseAgency(x.meta.agency) : null);
  int(r, x?.meta.year ?? null);
  str(r, x?.template ?? null);
  str(r, status);
  str(r, error);
  str(r, x?.meta.title ?? null);
  int(r, x?.meta.titleYear ?? null);
  int(r, x?.meta.periodYear ?? null);
  r.appendBigInt(BigInt(rec.size));
  str(r, x ? x.tablesFound.join(',') : null);
  str(r, JSON.stringify(rec.messages.filter((m) => m.type !== 'info')));
  str(r, rec.extractorVersion);
  str(r, rec.runId);
  r.appendTimestamp(nowTimestamp());
  int(r, rec.filedYear);
  r.appendNull();
  r.appendNull(); // region, level: set from the agency CSV by every run (setReportAgencies)
  r.endRow();
}

function appendCells(c: DuckDBAppender, rec: ReportRecord): number {
  const id = reportIdOf(rec.sha256);
  const p = rec.extraction?.cells;
  if (!p) return 0;
  for (let i = 0; i < p.count; i++) {
    str(c, id);
    str(c, stringAt(p, i, 'table_id'));
    str(c, stringAt(p, i, 'row_key'));
    str(c, stringAt(p, i, 'col_key'));
    dbl(c, valueAt(p, i));
    str(c, stringAt(p, i, 'raw'));
    str(c, stringAt(p, i, 'kind'));
    int(c, gridAt(p, i, 'grid_table'));
    int(c, gridAt(p, i, 'grid_row'));
    int(c, gridAt(p, i, 'grid_col'));
    str(c, stringAt(p, i, 'unit'));
    int(c, gridAt(p, i, 'page'));
    c.endRow();
  }
  return p.count;
}

function appendClaims(c: DuckDBAppender, rec: ReportRecord): void {
  const id = reportIdOf(rec.sha256);
  for (const cl of rec.extraction?.claims ?? []) {
    str(c, id);
    str(c, cl.quantity);
    dbl(c, cl.value);
    dbl(c, cl.percent);
    str(c, cl.base);
    str(c, cl.sentence);
    int(c, cl.offset);
    c.endRow();
  }
}

/**
 * Loads reports with their cells and claims in one transaction (delete + append + commit):
 * each report is in whole or not at all. Reports already in the warehouse (`replace`) are
 * deleted first. Returns the cells loaded per report.
 */
export async function loadReports(
  conn: DuckDBConnection,
  recs: readonly ReportRecord[],
  replace: readonly boolean[],
): Promise<number[]> {
  await conn.run('BEGIN TRANSACTION');
  try {
    const stale = recs.filter((_, i) => replace[i]).map((r) => `'${reportIdOf(r.sha256)}'`);
    if (stale.length > 0) {
      for (const t of ['cells', 'claims', 'reports'])
        await conn.run(`DELETE FROM ${t} WHERE report_id IN (${stale.join(',')})`);
    }
    const reports = await conn.createAppender('reports');
    for (const rec of recs) appendReport(reports, rec);
    reports.closeSync();
    const cells = await conn.createAppender('cells');
    const counts = recs.map((rec) => appendCells(cells, rec));
    cells.closeSync();
    if (recs.some((r) => (r.extraction?.claims.length ?? 0) > 0)) {
      const claims = await conn.createAppender('claims');
      for (const rec of recs) appendClaims(claims, rec);
      claims.closeSync();
    }
    await conn.run('COMMIT');
    return counts;
  } catch (e) {
    // A COMMIT that failed (a full disk) has ended the transaction already: its error is the one to
    // throw, not the ROLLBACK's "no transaction is active".
    await conn.run('ROLLBACK').catch(() => undefined);
    if (isOutputError(e)) throw e;
    throw new Error(`load ${recs.map((r) => r.source).join(', ')}: ${(e as Error).message}`);
  }
}

/** One report in its own transaction. */
export async function loadReport(conn: DuckDBConnection, rec: ReportRecord, replace = true): Promise<number> {
  return (await loadReports(conn, [rec], [replace]))[0];
}

export function timestampOf(date: Date): DuckDBTimestampValue {
  return new duckdb.DuckDBTimestampValue(BigInt(date.getTime()) * 1000n);
}

export function nowTimestamp(): DuckDBTimestampValue {
  return timestampOf(new Date());
}
