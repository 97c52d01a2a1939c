/**
 * Report pages read their cells by stretches of the cells table (row-id ranges), a batch of pages
 * at a time in the order the cells are stored. The ranges only narrow the scan: a batch gets every
 * cell of its reports, from a warehouse whose reports were deleted and loaded again (holes in the
 * row ids), for reports far apart, and when the ranges it was given are wrong.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import {
  fetchBatch, loadAuditData, prepareAuditData, rowRangesFilter, type AuditData, type ReportGroup,
} from '../../pipeline/outputs/audit-data.js';
import { createViews } from '../../pipeline/outputs/views.js';
import { closeWarehouse, openWarehouse } from '../../pipeline/warehouse.js';
import { REPORTS, runOn } from '../helpers.js';

describe('row ranges of a batch', () => {
  it('merge ranges less than a row group apart, and give up when too scattered', () => {
    const at = (first: number, last: number) => ({ first, last, count: last - first + 1 });
    expect(rowRangesFilter([])).toBe('');
    expect(rowRangesFilter([at(400, 599), at(0, 199), at(200, 399)])).toBe('AND (rowid BETWEEN 0 AND 599)');
    expect(rowRangesFilter([at(0, 199), at(1_000_000, 1_000_199)])).toBe('AND (rowid BETWEEN 0 AND 199 OR rowid BETWEEN 1000000 AND 1000199)');
    const scattered = Array.from({ length: 9 }, (_, i) => at(i * 1_000_000, i * 1_000_000 + 199));
    expect(rowRangesFilter(scattered)).toBe('');
    expect(rowRangesFilter(scattered.slice(0, 8)).match(/BETWEEN/g)).toHaveLength(8);
  });
});

describe('a filter of row ranges in DuckDB', () => {
  it('selects the rows of reports row groups apart, as their ids alone do', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      // 1,500 reports of 200 rows: three row groups and a half
      await conn.run(`CREATE TABLE cells AS SELECT 'r' || (i // 200) AS report_id, i AS x FROM range(300000) t(i)`);
      await conn.run(`DELETE FROM cells WHERE report_id = 'r700' AND x % 3 = 0`);
      const ranges = (await conn.runAndReadAll(
        `SELECT min(rowid)::BIGINT, max(rowid)::BIGINT, count(*)::BIGINT FROM cells WHERE report_id IN ('r3', 'r700', 'r1499') GROUP BY report_id`,
      )).getRowsJS().map(([first, last, count]) => ({ first: Number(first), last: Number(last), count: Number(count) }));
      const filter = rowRangesFilter(ranges);
      expect(filter.match(/BETWEEN/g)).toHaveLength(3);
      const sum = async (extra: string) =>
        (await conn.runAndReadAll(`SELECT count(*)::INTEGER, sum(x)::BIGINT FROM cells WHERE report_id IN ('r3', 'r700', 'r1499') ${extra}`)).getRowsJS()[0];
      expect(await sum(filter)).toEqual(await sum(''));
      expect((await sum(filter))[0]).toBe(200 + 133 + 200);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});

describe('cells of a batch of pages', () => {
  it('are every cell of its reports, whatever the ranges say', async () => {
    const first = await runOn(REPORTS);
    // every document read again: its cells deleted and appended anew, leaving holes in the row ids
    const again = await runOn(REPORTS, { db: first.db, force: true });
    expect(again.summary.reprocessed + again.summary.new).toBeGreaterThan(0);

    const w = await openWarehouse(first.db);
    try {
      await createViews(w.conn);
      await prepareAuditData(w.conn);
      const data: AuditData = await loadAuditData(w.conn, new Map());
      const stored = data.groups.filter((g) => g.cellRows).sort((a, b) => a.cellRows!.first - b.cellRows!.first);
      expect(stored.length).toBeGreaterThanOrEqual(4);
      // a report's cells in a canonical order (the JSON text lists them in the order DuckDB aggregated them)
      const rows = (text: string) => (JSON.parse(text) as unknown[]).map((c) => JSON.stringify(c)).sort();
      const cellsOf = async (groups: ReportGroup[]) => new Map((await fetchBatch(w.conn, groups, groups)).cells.map(([id, text]) => [id, rows(text)]));

      // the reference: each report alone, its ranges pointing at nothing (read again without them)
      const reference = new Map<string, string[]>();
      for (const g of stored) {
        const wrong = { ...g, cellRows: { ...g.cellRows!, first: 0, last: 0 } };
        const cells = (await cellsOf([wrong])).get(g.id)!;
        expect(cells).toHaveLength(g.cellRows!.count);
        reference.set(g.id, cells);
      }

      // all at once, neighbours in storage order, and the first with the last (two ranges)
      const batches = [stored, stored.slice(1, 4), [stored[0], stored[stored.length - 1]]];
      for (const batch of batches) {
        const cells = await cellsOf(batch);
        expect([...cells.keys()].sort()).toEqual(batch.map((g) => g.id).sort());
        for (const g of batch) expect(cells.get(g.id), g.id).toEqual(reference.get(g.id));
      }
    } finally {
      await closeWarehouse(w);
    }
  });
});
