/**
 * What the rules and the outputs leave in DuckDB's memory: a temp table is held in memory whatever
 * the limit, so one that grows with the warehouse grows the run's resident size with it (at 50,000
 * reports the rules' findings and the outputs' materialised views took over 100 MB). The rules
 * drop their table of findings once anomalies is written; the outputs' materialised views are
 * tables of a scratch database beside the warehouse (paged out like the warehouse's own), shadowed
 * by temp views, and the scratch database goes when the outputs are done.
 */
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import { runRules } from '../../pipeline/rules/index.js';
import { prepareAuditData, releaseAuditData } from '../../pipeline/outputs/site/materialised-views.js';
import { createViews } from '../../pipeline/warehouse/index.js';
import { closeWarehouse, openWarehouse } from '../../pipeline/warehouse/warehouse.js';
import { REPORTS, runOn, type PipelineRun } from '../helpers.js';

let sample: PipelineRun;
beforeAll(async () => {
  sample = await runOn(REPORTS, { workers: 2 });
}, 120_000);

const tempTables = async (conn: DuckDBConnection): Promise<string[]> =>
  (await conn.runAndReadAll('SELECT table_name FROM duckdb_tables() WHERE temporary ORDER BY ALL'))
    .getRows()
    .map(([t]) => String(t));

const attached = async (conn: DuckDBConnection): Promise<string[]> =>
  (await conn.runAndReadAll('SELECT database_name FROM duckdb_databases() WHERE NOT internal ORDER BY ALL'))
    .getRows()
    .map(([d]) => String(d));

describe("what stays in DuckDB's memory after the rules and through the outputs", () => {
  it('the rules leave no temp table of their findings once anomalies is written', async () => {
    const w = await openWarehouse(sample.db);
    try {
      await runRules(w.conn, { runId: 'memory-check' });
      const [[n]] = (await w.conn.runAndReadAll('SELECT count(*)::INTEGER FROM anomalies')).getRows();
      expect(n).toBeGreaterThan(0);
      expect(await tempTables(w.conn)).not.toContain('rule_findings');
    } finally {
      await closeWarehouse(w);
    }
  }, 60_000);

  it("the outputs' materialised views are a scratch database's tables, the same rows as the views, gone after", async () => {
    const w = await openWarehouse(sample.db);
    try {
      await createViews(w.conn);
      const rows = async (view: string) =>
        (await w.conn.runAndReadAll(`SELECT * FROM ${view} ORDER BY report_id`)).getRowsJson();
      const before = { documents: await rows('report_documents'), metrics: await rows('report_metrics') };
      const temps = await tempTables(w.conn);
      await prepareAuditData(w.conn);
      expect(await tempTables(w.conn)).toEqual(temps);
      expect(await attached(w.conn)).toContain('outputs_work');
      const scratch = `${w.path}.outputs-work`;
      expect(existsSync(scratch)).toBe(true);
      // the names read the materialised tables: a report deleted now is still there
      const [[id]] = (await w.conn.runAndReadAll('SELECT min(report_id) FROM reports')).getRows();
      expect({ documents: await rows('report_documents'), metrics: await rows('report_metrics') }).toEqual(before);
      await w.conn.run('BEGIN');
      await w.conn.run('DELETE FROM reports WHERE report_id = $1', [String(id)]);
      expect((await rows('report_documents')).length).toBe(before.documents.length);
      await w.conn.run('ROLLBACK');
      await releaseAuditData(w.conn);
      expect(await attached(w.conn)).not.toContain('outputs_work');
      expect(existsSync(scratch)).toBe(false);
      expect({ documents: await rows('report_documents'), metrics: await rows('report_metrics') }).toEqual(before);
    } finally {
      await closeWarehouse(w);
    }
  }, 60_000);
});
