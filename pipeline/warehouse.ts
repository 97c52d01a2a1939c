/**
 * The DuckDB warehouse: schema, and loading one report atomically (delete + append + commit
 * with the Appender, one transaction per report).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBConnection, DuckDBInstance, DuckDBTimestampValue, type DuckDBAppender } from '@duckdb/node-api';
import type { Extraction } from '../extractors/index.js';
import type { Message } from '../extractors/model.js';
import { normaliseAgency } from '../extractors/recognise/meta.js';
import { allTemplateKeys } from '../extractors/template.js';
import { sqlDir } from './paths.js';

export interface Warehouse {
  readonly instance: DuckDBInstance;
  readonly conn: DuckDBConnection;
  readonly path: string;
}

export async function openWarehouse(path: string): Promise<Warehouse> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  await conn.run(readFileSync(join(sqlDir(), 'schema.sql'), 'utf8'));
  await refreshTemplateKeys(conn);
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
    ap.appendVarchar(k.table_id); ap.appendVarchar(k.template); ap.appendVarchar(k.row_key); ap.appendVarchar(k.col_key);
    ap.appendVarchar(k.row_label); ap.appendVarchar(k.col_label); ap.appendInteger(k.row_order); ap.appendInteger(k.col_order);
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
  extraction: Extraction | null;
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

/** Replaces a report and its cells (and claims) in one transaction. */
export async function loadReport(conn: DuckDBConnection, rec: ReportRecord): Promise<number> {
  const id = reportIdOf(rec.sha256);
  const x = rec.extraction;
  const { status, error } = statusOf(rec);
  await conn.run('BEGIN TRANSACTION');
  try {
    for (const t of ['cells', 'claims', 'reports']) await conn.run(`DELETE FROM ${t} WHERE report_id = $1`, [id]);
    const r = await conn.createAppender('reports');
    str(r, id); str(r, rec.source); str(r, rec.sha256); str(r, x?.format ?? null);
    str(r, x?.meta.agency ?? null); str(r, x?.meta.agency ? normaliseAgency(x.meta.agency) : null);
    int(r, x?.meta.year ?? null); str(r, x?.template ?? null); str(r, status); str(r, error);
    str(r, x?.meta.title ?? null); int(r, x?.meta.titleYear ?? null); int(r, x?.meta.periodYear ?? null);
    r.appendBigInt(BigInt(rec.size)); str(r, x ? x.tablesFound.join(',') : null);
    str(r, JSON.stringify(rec.messages.filter((m) => m.type !== 'info'))); str(r, rec.extractorVersion);
    str(r, rec.runId); r.appendTimestamp(nowTimestamp()); int(r, rec.filedYear);
    r.endRow();
    r.closeSync();
    const cells = x?.cells ?? [];
    if (cells.length > 0) {
      const c = await conn.createAppender('cells');
      for (const cell of cells) {
        str(c, id); str(c, cell.table_id); str(c, cell.row_key); str(c, cell.col_key); dbl(c, cell.value);
        str(c, cell.raw); str(c, cell.kind); int(c, cell.grid_table); int(c, cell.grid_row); int(c, cell.grid_col); str(c, cell.unit);
        c.endRow();
      }
      c.closeSync();
    }
    const claims = x?.claims ?? [];
    if (claims.length > 0) {
      const c = await conn.createAppender('claims');
      for (const cl of claims) {
        str(c, id); str(c, cl.quantity); dbl(c, cl.value); dbl(c, cl.percent); str(c, cl.base); str(c, cl.sentence); int(c, cl.offset);
        c.endRow();
      }
      c.closeSync();
    }
    await conn.run('COMMIT');
    return cells.length;
  } catch (e) {
    await conn.run('ROLLBACK');
    throw new Error(`load ${rec.source}: ${(e as Error).message}`);
  }
}

export function timestampOf(date: Date): DuckDBTimestampValue {
  return new DuckDBTimestampValue(BigInt(date.getTime()) * 1000n);
}

export function nowTimestamp(): DuckDBTimestampValue {
  return timestampOf(new Date());
}
