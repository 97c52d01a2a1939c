/** Reading query results as plain JavaScript rows (BIGINT as number, TIMESTAMP as text). */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { sqlString } from '../common/index.js';

export type Row = Record<string, string | number | boolean | null>;

export function plain(value: unknown): string | number | boolean | null {
  if (typeof value === 'bigint') return Number(value);
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value;
  return String(value);
}

/** Runs a query; TIMESTAMP and other non-JSON values come back as DuckDB prints them. For small results. */
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

/**
 * Runs a query whose only column is one JSON text per row (`json_array(...)`, or text built as
 * JSON) and returns the parsed rows, in order. One N-API read and one JSON.parse per row:
 * much faster than reading every value of every row (the pages read hundreds of thousands of cells).
 * Numbers must be finite (`finite(x)`): JSON has no NaN.
 */
export async function jsonRows<T = unknown[]>(
  conn: DuckDBConnection,
  sql: string,
  params?: DuckDBValue[],
): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql, params);
  if (reader.currentRowCount === 0) return [];
  // one parse per row: faster than joining the rows into one text and parsing that
  return (reader.getColumnsJS()[0] as (string | null)[]).map((text) => (text === null ? null : JSON.parse(text)) as T);
}

/** A query's rows as one JSON object text each, named by its columns (`namedRows`, `eachNamedRow`). */
const asNamedJson = (sql: string): string => `SELECT to_json(named_row)::VARCHAR FROM (${sql}) named_row`;

/**
 * Runs a query and returns its rows as objects named by its columns (each row read as one JSON
 * text: `jsonRows`), typed by the caller. Numbers must be finite (`finite(x)`).
 */
export async function namedRows<T extends object>(
  conn: DuckDBConnection,
  sql: string,
  params?: DuckDBValue[],
): Promise<T[]> {
  return jsonRows<T>(conn, asNamedJson(sql), params);
}

/**
 * `namedRows` a chunk at a time: each row is handed to `each` as DuckDB streams it, so neither
 * DuckDB's result nor its texts are held whole (for the reads of every report or finding).
 */
export async function eachNamedRow<T extends object>(
  conn: DuckDBConnection,
  sql: string,
  each: (row: T) => void,
  params?: DuckDBValue[],
): Promise<void> {
  const result = await conn.stream(asNamedJson(sql), params);
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk())
    for (const text of chunk.getColumnValues(0)) each(JSON.parse(text as string) as T);
}

/** `IN (…)` list of text literals (never empty: an empty list matches nothing). */
export const sqlList = (values: Iterable<string>): string => {
  const list = [...values].map(sqlString);
  return list.length ? list.join(', ') : 'NULL';
};

export const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** A DOUBLE column as JSON can hold it (NaN and infinities become NULL), for `jsonRows`. */
export const finite = (col: string): string => `CASE WHEN isfinite(${col}) THEN ${col} END`;
