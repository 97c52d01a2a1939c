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

/** The views materialised, in the order they are made (report_metrics reads report_documents). */
const MATERIALISED_VIEWS = ['report_documents', 'report_metrics'] as const;

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
  const scratch = scratchOf.get(conn);
  scratchOf.delete(conn);
  await scratch?.release();
}
