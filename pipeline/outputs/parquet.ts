/**
 * --parquet DIR: reports, cells, anomalies, claims (and report_documents, to tell duplicate
 * documents apart) as Parquet, Hive-partitioned by the report's statistics year
 * (DIR/cells/year=2020/data_0.parquet; an unknown year is year=__HIVE_DEFAULT_PARTITION__),
 * readable as is by DuckDB, Spark or Trino. Each table is written beside the old one and swapped in.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../sql-text.js';

/** The rows of each exported table, with the report's year joined in where the table has none. */
export const PARQUET_TABLES: Readonly<Record<string, string>> = {
  reports: 'SELECT * FROM reports',
  cells: 'SELECT c.*, r.year FROM cells c JOIN reports r USING (report_id)',
  anomalies: 'SELECT a.*, r.year FROM anomalies a LEFT JOIN reports r USING (report_id)',
  claims: 'SELECT c.*, r.year FROM claims c JOIN reports r USING (report_id)',
  report_documents: 'SELECT * FROM report_documents',
};

/** `queries`: the rows of some tables read elsewhere (a view already computed into a temp table). */
export async function writeParquet(conn: DuckDBConnection, dir: string, queries: Readonly<Record<string, string>> = {}): Promise<string[]> {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  const written: string[] = [];
  for (const [table, defaultQuery] of Object.entries(PARQUET_TABLES)) {
    const query = queries[table] ?? defaultQuery;
    const target = join(root, table);
    const staging = join(root, `.${table}.tmp-${randomBytes(4).toString('hex')}`);
    try {
      await conn.run(`COPY (${query}) TO ${sqlString(staging)} (FORMAT PARQUET, PARTITION_BY (year), COMPRESSION ZSTD)`);
      rmSync(target, { recursive: true, force: true });
      if (existsSync(staging)) renameSync(staging, target);
      else mkdirSync(target);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
    written.push(target);
  }
  return written;
}
