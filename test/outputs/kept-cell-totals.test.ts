/**
 * report_metrics' T3 and T4 totals are kept in the warehouse between runs (outputs_state.
 * report_cell_totals): a run computes only the reports loaded since. What the outputs read must
 * equal the view computed afresh, after a report is loaded again, one is removed, and when the
 * view's definition changed.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { prepareAuditData, releaseAuditData } from '../../pipeline/outputs/site/materialised-views.js';
import { closeWarehouse, openWarehouse } from '../../pipeline/warehouse/warehouse.js';
import { REPORTS, runOn } from '../helpers.js';

const rows = async (conn: DuckDBConnection, sql: string) => (await conn.runAndReadAll(sql)).getRowsJS();

/** report_metrics as the outputs read it (the kept totals), and as the view computes it from every cell. */
async function bothWays(conn: DuckDBConnection): Promise<[unknown[][], unknown[][]]> {
  await prepareAuditData(conn);
  const kept = await rows(conn, 'SELECT * FROM report_metrics ORDER BY report_id');
  await releaseAuditData(conn);
  const fresh = await rows(conn, 'SELECT * FROM report_metrics ORDER BY report_id');
  return [kept, fresh];
}

const keptRows = async (conn: DuckDBConnection) =>
  Number((await rows(conn, 'SELECT count(*) FROM outputs_state.report_cell_totals'))[0][0]);

describe('report_metrics with its totals kept between runs', () => {
  it('equals the view after a report is loaded again, one removed, and the view redefined', async () => {
    const run = await runOn(REPORTS);
    const w = await openWarehouse(run.db);
    try {
      const { conn } = w;
      const reports = Number((await rows(conn, 'SELECT count(*) FROM reports'))[0][0]);
      let [kept, fresh] = await bothWays(conn);
      expect(kept.length).toBeGreaterThanOrEqual(4);
      expect(kept).toEqual(fresh);
      // one row per report, those without T3 or T4 cells too (a failed document)
      expect(await keptRows(conn)).toBe(reports);

      // a report loaded again by a later run, with other numbers
      const [[id]] = (await rows(
        conn,
        `SELECT report_id FROM cells WHERE table_id = 'T3' AND row_key = 'new_received' AND col_key = 'total' AND value IS NOT NULL
         ORDER BY report_id LIMIT 1`,
      )) as [[string]];
      const before = kept.find((r) => r[0] === id);
      await conn.run(
        `UPDATE cells SET value = value + 7 WHERE report_id = '${id}' AND table_id = 'T3' AND row_key = 'new_received' AND col_key = 'total'`,
      );
      await conn.run(`UPDATE reports SET loaded_run = 'a later run' WHERE report_id = '${id}'`);
      [kept, fresh] = await bothWays(conn);
      expect(kept).toEqual(fresh);
      expect(kept.find((r) => r[0] === id)).not.toEqual(before);

      // a report gone
      const [[gone]] = (await rows(
        conn,
        `SELECT report_id FROM reports WHERE report_id <> '${id}' ORDER BY report_id LIMIT 1`,
      )) as [[string]];
      await conn.run(`DELETE FROM cells WHERE report_id = '${gone}'`);
      await conn.run(`DELETE FROM claims WHERE report_id = '${gone}'`);
      await conn.run(`DELETE FROM reports WHERE report_id = '${gone}'`);
      [kept, fresh] = await bothWays(conn);
      expect(kept).toEqual(fresh);
      expect(await keptRows(conn)).toBe(reports - 1);

      // a copy made for another definition of the view (an older version): made afresh
      await conn.run(`UPDATE outputs_state.report_cell_totals SET requests_received = -1`);
      await conn.run(`COMMENT ON TABLE outputs_state.report_cell_totals IS 'another definition'`);
      [kept, fresh] = await bothWays(conn);
      expect(kept).toEqual(fresh);
      expect(
        await rows(conn, 'SELECT count(*) FROM outputs_state.report_cell_totals WHERE requests_received = -1'),
      ).toEqual([[0n]]);
    } finally {
      await closeWarehouse(w);
    }
  });
});
