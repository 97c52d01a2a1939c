/**
 * The views the outputs read again and again, materialised once per output run as tables of a
 * scratch database (`outputs_work`, a file beside the warehouse) and shadowed by temp views of the
 * same names, which every query and view of the run then reads instead (DuckDB looks for a name
 * among the temp objects first): report_documents re-groups every cell at each read, and
 * report_metrics (over report_documents, cells and anomalies) is read by the standing, the
 * agencies' and regions' pages, the charts, the benchmarks view and Parquet — about fifteen
 * evaluations a run. Held as temp tables they stayed in DuckDB's memory, growing with the reports
 * (measured: docs/performance.md); in the scratch file they are paged out like the warehouse's own.
 * Made after the review decisions are applied (report_metrics counts the open errors), dropped
 * by `releaseAuditData`. Apart from the view model (audit-data.ts), which the page workers load
 * too: this file reaches the warehouse's code, and a page worker never loads DuckDB.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { attachScratch, type Scratch, withMemoryToSpare } from '../../warehouse/index.js';
import { sqlList } from '../query.js';

/** The views materialised, in the order they are made (report_metrics reads report_documents). */
const MATERIALISED_VIEWS = ['report_documents', 'report_metrics'] as const;

/**
 * report_metrics' T3 and T4 totals (the view report_cell_totals: every cell of T3 and T4 grouped,
 * most of report_metrics' time) are kept in the warehouse between runs, a row per report with the
 * run that loaded it (NULLs for a report without those cells); a run computes the rows of the
 * reports loaded since and drops those of reports gone or loaded again. The copy stands for the
 * view's definition it was made with (its SQL's md5): a new definition makes it afresh.
 */
const CELL_TOTALS = 'report_cell_totals';
const OUTPUTS_STATE = 'outputs_state';
const KEPT_CELL_TOTALS = `${OUTPUTS_STATE}.${CELL_TOTALS}`;
/** Reports computed by name (their cells found by report id); more read the view whole. */
const COMPUTED_BY_NAME_AT_MOST = 1000;

/** Brings the kept copy of report_cell_totals up to date with the reports as they are. */
async function keepCellTotals(conn: DuckDBConnection): Promise<void> {
  const [[definition]] = (
    await conn.runAndReadAll(
      `SELECT md5(sql) FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND view_name = '${CELL_TOTALS}'`,
    )
  ).getRowsJS() as [[string]];
  await conn.run(`CREATE SCHEMA IF NOT EXISTS ${OUTPUTS_STATE}`);
  const kept = (
    await conn.runAndReadAll(
      `SELECT comment FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = '${OUTPUTS_STATE}' AND table_name = '${CELL_TOTALS}'`,
    )
  ).getRowsJS() as [string | null][];
  // the rows of the reports `chosen` says of their report_id column (every report without it),
  // chosen inside the view too, so that only their cells are read
  const fill = (chosen?: (column: string) => string) => {
    const where = (column: string) => (chosen ? `WHERE ${chosen(column)}` : '');
    return `SELECT r.report_id, r.loaded_run, t.* EXCLUDE (report_id)
     FROM reports r LEFT JOIN (SELECT * FROM main.${CELL_TOTALS} ${where('report_id')}) t ON t.report_id = r.report_id
     ${where('r.report_id')}`;
  };
  if (kept[0]?.[0] !== definition) {
    await conn.run(`DROP TABLE IF EXISTS ${KEPT_CELL_TOTALS}`);
    await withMemoryToSpare(conn, () => conn.run(`CREATE TABLE ${KEPT_CELL_TOTALS} AS ${fill()}`));
    await conn.run(`COMMENT ON TABLE ${KEPT_CELL_TOTALS} IS '${definition}'`);
    return;
  }
  // rows of reports gone, or loaded again since
  await conn.run(
    `DELETE FROM ${KEPT_CELL_TOTALS} k WHERE NOT EXISTS
       (SELECT 1 FROM reports r WHERE r.report_id = k.report_id AND r.loaded_run IS NOT DISTINCT FROM k.loaded_run)`,
  );
  const missing = (
    await conn.runAndReadAll(
      `SELECT report_id FROM reports r WHERE NOT EXISTS (SELECT 1 FROM ${KEPT_CELL_TOTALS} k WHERE k.report_id = r.report_id)`,
    )
  ).getRowsJS() as [string][];
  if (missing.length === 0) return;
  const chosen =
    missing.length <= COMPUTED_BY_NAME_AT_MOST
      ? (column: string) => `${column} IN (${sqlList(missing.map(([id]) => id))})`
      : (column: string) => `${column} NOT IN (SELECT report_id FROM ${KEPT_CELL_TOTALS})`;
  await withMemoryToSpare(conn, () => conn.run(`INSERT INTO ${KEPT_CELL_TOTALS} ${fill(chosen)}`));
}

/** The outputs' scratch database, per connection, while the outputs are written. */
const scratchOf = new WeakMap<DuckDBConnection, Scratch>();
const OUTPUTS_WORK = 'outputs_work';

/**
 * `sources` names a table to read a view from instead (the rules' kept report_documents, up to
 * date after they run: the view groups every cell, 0.35 s of CPU at 10,000 reports each run).
 */
export async function prepareAuditData(
  conn: DuckDBConnection,
  sources: Partial<Record<(typeof MATERIALISED_VIEWS)[number], string>> = {},
): Promise<void> {
  await releaseAuditData(conn);
  await keepCellTotals(conn);
  await conn.run(`CREATE TEMP VIEW ${CELL_TOTALS} AS SELECT * EXCLUDE (loaded_run) FROM ${KEPT_CELL_TOTALS}`);
  const scratch = await attachScratch(conn, OUTPUTS_WORK, 'outputs-work');
  scratchOf.set(conn, scratch);
  for (const view of MATERIALISED_VIEWS) {
    const source = sources[view] ?? view;
    await withMemoryToSpare(conn, () =>
      conn.run(`CREATE TABLE ${OUTPUTS_WORK}.main.${view} AS SELECT * FROM ${source}`),
    );
    await conn.run(`CREATE TEMP VIEW ${view} AS SELECT * FROM ${OUTPUTS_WORK}.main.${view}`);
  }
  // to the file: rows only in the write-ahead log stay in memory
  await conn.run(`CHECKPOINT ${OUTPUTS_WORK}`);
}

export async function releaseAuditData(conn: DuckDBConnection): Promise<void> {
  for (const view of [...MATERIALISED_VIEWS].reverse()) await conn.run(`DROP VIEW IF EXISTS temp.main.${view}`);
  await conn.run(`DROP VIEW IF EXISTS temp.main.${CELL_TOTALS}`);
  const scratch = scratchOf.get(conn);
  scratchOf.delete(conn);
  await scratch?.release();
}
