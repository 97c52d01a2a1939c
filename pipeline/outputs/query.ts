/** Reading query results as plain JavaScript rows (BIGINT as number, TIMESTAMP as text). */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';

export type Row = Record<string, string | number | boolean | null>;

function plain(value: unknown): string | number | boolean | null {
  if (typeof value === 'bigint') return Number(value);
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  return String(value);
}

/** Runs a query; TIMESTAMP and other non-JSON values come back as DuckDB prints them. */
export async function queryRows(conn: DuckDBConnection, sql: string, params?: DuckDBValue[]): Promise<Row[]> {
  const reader = await conn.runAndReadAll(sql, params);
  const js = reader.getRowObjectsJS();
  let json: Record<string, unknown>[] | null = null;
  return js.map((row, i) => {
    const out: Row = {};
    for (const [k, v] of Object.entries(row)) {
      // numbers, booleans and text as themselves; everything else (timestamps, …) as DuckDB's text
      if (v === null || typeof v !== 'object') out[k] = plain(v);
      else out[k] = plain((json ??= reader.getRowObjectsJson())[i][k]);
    }
    return out;
  });
}

export const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
