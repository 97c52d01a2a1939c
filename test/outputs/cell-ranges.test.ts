/**
 * Report pages read their cells by stretches of the cells table (row-id ranges), a batch of pages
 * at a time in the order the cells are stored. The ranges only narrow the scan: a batch gets every
 * cell of its reports, in a warehouse whose reports were all loaded again, for reports far apart,
 * and when the ranges it was given are wrong (all of them, or one report's). Pages taken out of
 * page order, in several batches, give the same pages and the same index. Their documents, read
 * from a copy staged in page order, are those the tables hold.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { loadAuditData, type AuditData, type ReportGroup } from '../../pipeline/outputs/site/audit-data.js';
import { prepareAuditData } from '../../pipeline/outputs/site/materialised-views.js';
import {
  fetchBatch,
  rowRangesFilter,
  stagePages,
  type BatchData,
  type PageStage,
} from '../../pipeline/outputs/site/page-batches.js';
import { writeOutputs } from '../../pipeline/outputs/index.js';
import { createViews } from '../../pipeline/warehouse/views.js';
import { closeWarehouse, openWarehouse } from '../../pipeline/warehouse/warehouse.js';
import { REPORTS, runOn, tempDir } from '../helpers.js';

describe('row ranges of a batch', () => {
  it('merge ranges less than a row group apart, and give up when too scattered', () => {
    const at = (first: number, last: number) => ({ first, last, count: last - first + 1 });
    expect(rowRangesFilter([])).toBe('');
    expect(rowRangesFilter([at(400, 599), at(0, 199), at(200, 399)])).toBe('AND (rowid BETWEEN 0 AND 599)');
    expect(rowRangesFilter([at(0, 199), at(1_000_000, 1_000_199)])).toBe(
      'AND (rowid BETWEEN 0 AND 199 OR rowid BETWEEN 1000000 AND 1000199)',
    );
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
      const ranges = (
        await conn.runAndReadAll(
          `SELECT min(rowid)::BIGINT, max(rowid)::BIGINT, count(*)::BIGINT FROM cells WHERE report_id IN ('r3', 'r700', 'r1499') GROUP BY report_id`,
        )
      )
        .getRowsJS()
        .map(([first, last, count]) => ({ first: Number(first), last: Number(last), count: Number(count) }));
      const filter = rowRangesFilter(ranges);
      expect(filter.match(/BETWEEN/g)).toHaveLength(3);
      const sum = async (extra: string) =>
        (
          await conn.runAndReadAll(
            `SELECT count(*)::INTEGER, sum(x)::BIGINT FROM cells WHERE report_id IN ('r3', 'r700', 'r1499') ${extra}`,
          )
        ).getRowsJS()[0];
      expect(await sum(filter)).toEqual(await sum(''));
      expect((await sum(filter))[0]).toBe(200 + 133 + 200);
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });
});

/** The reports list of index.html. */
const reportsList = (html: string) => html.slice(html.indexOf('id="reports"'), html.indexOf('id="problems"'));

describe('the index charts', () => {
  it('give the same index and charts drawn beside the pages or stopped before them (a large warehouse)', async () => {
    const run = await runOn(REPORTS);
    const w = await openWarehouse(run.db);
    try {
      const outs = [] as string[];
      for (const chartsBesidePagesMaxDocuments of [undefined, 0]) {
        const out = tempDir('goa-charts-');
        await writeOutputs(w.conn, {
          outDir: out,
          summary: run.summary,
          inputDir: REPORTS,
          chartsBesidePagesMaxDocuments,
        });
        outs.push(out);
      }
      const [beside, before] = outs;
      const index = (out: string) => readFileSync(join(out, 'index.html'), 'utf8').replaceAll(out, '<out>');
      expect(index(before)).toBe(index(beside));
      expect(index(beside)).toContain('<svg');
      const charts = readdirSync(join(beside, 'charts')).sort();
      expect(charts.filter((f) => f.endsWith('.svg')).length).toBeGreaterThanOrEqual(4);
      expect(readdirSync(join(before, 'charts')).sort()).toEqual(charts);
      for (const f of charts)
        expect(readFileSync(join(before, 'charts', f), 'utf8'), f).toBe(
          readFileSync(join(beside, 'charts', f), 'utf8'),
        );
      // the same units recorded, with the same keys and files (their inodes and times are their own)
      const units = (out: string) =>
        Object.entries(
          JSON.parse(readFileSync(join(out, 'output-keys.json'), 'utf8')).units as Record<
            string,
            { key: string; files: Record<string, { size: number }> }
          >,
        ).map(([unit, u]) => [unit, u.key, Object.entries(u.files).map(([f, st]) => [f, st.size])]);
      expect(units(before)).toEqual(units(beside));
      expect(units(beside).some(([unit]) => String(unit).startsWith('chart '))).toBe(true);
    } finally {
      await closeWarehouse(w);
    }
  });
});

describe('report pages in several batches, out of page order', () => {
  it('give the pages and the index of a single batch, the list in page order', async () => {
    const run = await runOn(REPORTS);
    const w = await openWarehouse(run.db);
    try {
      const outs = [] as string[];
      for (const pagesPerBatch of [1000, 2]) {
        const out = tempDir('goa-batches-');
        await writeOutputs(w.conn, { outDir: out, summary: run.summary, inputDir: REPORTS, pagesPerBatch });
        outs.push(out);
      }
      const [whole, batched] = outs;
      // nothing the outputs staged is left behind
      const temp =
        (await w.conn.runAndReadAll('SELECT table_name FROM duckdb_tables() WHERE temporary')).getColumnsJS()[0] ?? [];
      expect(temp).toEqual([]);
      const pages = readdirSync(join(whole, 'reports')).sort();
      expect(pages.length).toBeGreaterThanOrEqual(4);
      expect(readdirSync(join(batched, 'reports')).sort()).toEqual(pages);
      for (const page of pages) {
        expect(readFileSync(join(batched, 'reports', page), 'utf8'), page).toBe(
          readFileSync(join(whole, 'reports', page), 'utf8'),
        );
      }
      const index = (out: string) => readFileSync(join(out, 'index.html'), 'utf8').replaceAll(out, '<out>');
      expect(index(batched)).toBe(index(whole));
      // and the list names every source of every report, not only each report's first
      const sources = (
        await w.conn.runAndReadAll('SELECT DISTINCT source FROM documents')
      ).getColumnsJS()[0] as string[];
      const list = reportsList(index(batched));
      expect(sources.length).toBeGreaterThan(pages.length);
      for (const source of sources) expect(list, source).toContain(`>${source}<`);

      // the batches did go out of page order: the pages' order by stored cells is not the list's
      await prepareAuditData(w.conn);
      const data = await loadAuditData(w.conn, new Map());
      const listed = data.groups.filter((g) => g.cellRows).map((g) => g.id);
      const stored = [...listed].sort(
        (a, b) => data.groupById.get(a)!.cellRows!.first - data.groupById.get(b)!.cellRows!.first,
      );
      expect(stored).not.toEqual(listed);
      // while the list is in page order (agency, year)
      const rows = [
        ...reportsList(index(whole)).matchAll(/<a href="reports\/(r[0-9a-f]+)\.html">打开<\/a><\/td><\/tr>/g),
      ].map((m) => m[1]);
      expect(rows).toEqual(data.groups.map((g) => g.id));
    } finally {
      await closeWarehouse(w);
    }
  });
});

describe('cells of a batch of pages', () => {
  it('are every cell of its reports, whatever the ranges say', async () => {
    const first = await runOn(REPORTS);
    // every document read again: its cells deleted and appended anew
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
      const cellsOf = async (groups: ReportGroup[]) =>
        new Map((await fetchBatch(w.conn, groups, groups)).cells.map(({ id, json }) => [id, rows(json)]));

      // the reference: each report alone, its ranges pointing at nothing (read again without them)
      const reference = new Map<string, string[]>();
      for (const g of stored) {
        const wrong = { ...g, cellRows: { ...g.cellRows!, first: 0, last: 0 } };
        const cells = (await cellsOf([wrong])).get(g.id)!;
        expect(cells).toHaveLength(g.cellRows!.count);
        reference.set(g.id, cells);
      }

      // all at once, neighbours in storage order, the first with the last, and a batch where one
      // report's range covers only part of its cells (read again alone)
      const cut = { ...stored[2], cellRows: { ...stored[2].cellRows!, last: stored[2].cellRows!.first + 10 } };
      const batches = [stored, stored.slice(1, 4), [stored[0], stored[stored.length - 1]], [stored[1], cut, stored[3]]];
      for (const batch of batches) {
        const cells = await cellsOf(batch);
        expect([...cells.keys()].sort()).toEqual(batch.map((g) => g.id).sort());
        for (const g of batch) expect(cells.get(g.id), g.id).toEqual(reference.get(g.id));
      }
      // the pages' reports and the reports shown beside them are read apart
      const pages = await fetchBatch(w.conn, [stored[0]], [stored[0], stored[3]]);
      expect(pages.cells.map(({ id }) => id).sort()).toEqual([stored[0].id, stored[3].id].sort());
    } finally {
      await closeWarehouse(w);
    }
  });
});

describe("documents of a batch, read from the pages' stage", () => {
  it('are those read from the warehouse, for pages in page order or not, staged or not', async () => {
    const run = await runOn(REPORTS);
    const w = await openWarehouse(run.db);
    try {
      await createViews(w.conn);
      await prepareAuditData(w.conn);
      const data: AuditData = await loadAuditData(w.conn, new Map());
      const order = [...data.groups].reverse();
      expect(order.length).toBeGreaterThanOrEqual(4);
      // what a batch holds: the documents in the order they are listed, the rest whatever order DuckDB returned it in
      const canon = (b: BatchData) => ({
        docs: b.docs,
        details: b.details.map((d) => JSON.stringify(d)).sort(),
        cells: b.cells.map((c) => c.id).sort(),
      });
      const compare = async (stage: PageStage, batches: ReportGroup[][]) => {
        for (const batch of batches)
          expect(canon(await fetchBatch(w.conn, batch, batch, stage))).toEqual(
            canon(await fetchBatch(w.conn, batch, batch)),
          );
      };
      const stage = await stagePages(w.conn, order);
      expect([...stage.pageNo.values()]).toEqual(order.map((_, i) => i));
      await compare(stage, [order, order.slice(0, 2), [order[0], order[order.length - 1]], [order[3], order[1]]]);
      // pages not all staged: the batch is read from the tables
      const some = await stagePages(w.conn, order.slice(0, 2));
      await compare(some, [
        [order[1], order[3]],
        [order[0], order[1]],
      ]);
      // the sample has what this compares: findings with operands, and reports with several documents
      const all = await fetchBatch(w.conn, order, order, stage);
      expect(all.details.filter(({ operands }) => operands !== null).length).toBeGreaterThan(0);
      expect(all.docs.length).toBeGreaterThan(order.length);
    } finally {
      await closeWarehouse(w);
    }
  });
});
