/**
 * --parquet DIR, for analysts' tools:
 *   - reports, cells, anomalies, claims (and report_documents, to tell duplicate documents apart),
 *     Hive-partitioned by the report's statistics year (DIR/cells/year=2020/data_0.parquet; an
 *     unknown year is year=__HIVE_DEFAULT_PARTITION__), readable as is by DuckDB, Spark or Trino;
 *   - the views t2, t3, t4, report_metrics, findings, benchmarks, metrics, and the tables
 *     template_keys, rules, agencies and rule_results, one file each (DIR/t3.parquet), not partitioned:
 *     `year` stays an INTEGER column inside the file (a Hive partition column comes back from
 *     pandas/pyarrow as a category), and the views' counts are BIGINT (a count printed with a
 *     fraction, which VAL.FRACTION reports, is NULL there; the warehouse keeps it as DOUBLE); money
 *     (t2.amount), rates and findings' expected/actual stay DOUBLE;
 *   - DIR/_README.json: the run, the schema version and every table written with its layout and rows.
 * Each table is written beside the old one and swapped in.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { SCHEMA_VERSION } from '../../warehouse/index.js';
import { sqlIdent, sqlString } from '../../common/index.js';
import { queryRows } from '../query.js';

/** The rows of each exported table, with the report's year joined in where the table has none. */
export const PARQUET_TABLES: Readonly<Record<string, string>> = {
  reports: 'SELECT * FROM reports',
  cells: 'SELECT c.*, r.year FROM cells c JOIN reports r USING (report_id)',
  anomalies: 'SELECT a.*, r.year FROM anomalies a LEFT JOIN reports r USING (report_id)',
  claims: 'SELECT c.*, r.year FROM claims c JOIN reports r USING (report_id)',
  report_documents: 'SELECT * FROM report_documents',
};

/** Written as one file each (DIR/<name>.parquet), in this order. */
export const PARQUET_FILES = [
  't2',
  't3',
  't4',
  'report_metrics',
  'findings',
  'benchmarks',
  'template_keys',
  'rules',
  'agencies',
  'rule_results',
  'metrics',
] as const;

/** Views whose DOUBLE columns are counts, except money and rates. */
const COUNT_VIEWS = new Set(['t2', 't3', 't4', 'report_metrics']);
const notACount = (column: string): boolean => column === 'amount' || column.endsWith('_rate');

/** The select of a one-file table: a view's counts as BIGINT (NULL when not whole), the rest as they are. */
async function fileQuery(conn: DuckDBConnection, name: string): Promise<string> {
  if (!COUNT_VIEWS.has(name)) return `SELECT * FROM ${sqlIdent(name)}`;
  const columns = await queryRows(
    conn,
    `SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = $1 ORDER BY column_index`,
    [name],
  );
  const select = columns.map(({ column_name, data_type }) => {
    const c = sqlIdent(String(column_name));
    return data_type === 'DOUBLE' && !notACount(String(column_name))
      ? `CASE WHEN ${c} = trunc(${c}) THEN CAST(${c} AS BIGINT) END AS ${c}`
      : c;
  });
  return `SELECT ${select.join(', ')} FROM ${sqlIdent(name)}`;
}

export interface ParquetOptions {
  /** The rows of some tables read elsewhere (a view already computed into a temp table). */
  queries?: Readonly<Record<string, string>>;
  /** Named in _README.json. */
  runId?: string;
}

/** Writes a staged copy in place of `target` (a folder or a file). */
async function swapIn(root: string, target: string, write: (staging: string) => Promise<void>): Promise<void> {
  const staging = join(root, `.${target.split('/').pop()}.tmp-${randomBytes(4).toString('hex')}`);
  try {
    await write(staging);
    rmSync(target, { recursive: true, force: true });
    if (existsSync(staging)) renameSync(staging, target);
    else mkdirSync(target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

export async function writeParquet(conn: DuckDBConnection, dir: string, opts: ParquetOptions = {}): Promise<string[]> {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true });
  const written: string[] = [];
  const tables: Record<string, { path: string; layout: string; rows: number }> = {};
  const rowsOf = async (query: string) => Number((await queryRows(conn, `SELECT count(*) AS n FROM (${query})`))[0].n);
  for (const [table, defaultQuery] of Object.entries(PARQUET_TABLES)) {
    const query = opts.queries?.[table] ?? defaultQuery;
    const target = join(root, table);
    await swapIn(root, target, (staging) =>
      conn
        .run(`COPY (${query}) TO ${sqlString(staging)} (FORMAT PARQUET, PARTITION_BY (year), COMPRESSION ZSTD)`)
        .then(() => undefined),
    );
    tables[table] = {
      path: `${table}/year=*/*.parquet`,
      layout: 'Hive partitions by year (year comes back as a partition column)',
      rows: await rowsOf(query),
    };
    written.push(target);
  }
  for (const name of PARQUET_FILES) {
    const query = await fileQuery(conn, name);
    const target = join(root, `${name}.parquet`);
    await swapIn(root, target, (staging) =>
      conn.run(`COPY (${query}) TO ${sqlString(staging)} (FORMAT PARQUET, COMPRESSION ZSTD)`).then(() => undefined),
    );
    tables[name] = {
      path: `${name}.parquet`,
      layout: 'one file; year (where there is one) an INTEGER column; counts BIGINT',
      rows: await rowsOf(query),
    };
    written.push(target);
  }
  const readme = join(root, '_README.json');
  writeFileSync(
    readme,
    JSON.stringify(
      {
        what: 'gov-open-audit warehouse as Parquet (政府信息公开工作年度报告 statistics, findings and rules)',
        run_id: opts.runId ?? null,
        written_at: new Date().toISOString(),
        schema_version: SCHEMA_VERSION,
        codebook: 'docs/codebook.md of the project; the same comments are in the warehouse (duckdb_columns().comment)',
        conventions:
          'counts in 件; money in 万元; a blank cell counts as 0 (cells.kind = blank); NULL = absent, text or not recognised',
        tables,
      },
      null,
      1,
    ) + '\n',
  );
  written.push(readme);
  return written;
}
