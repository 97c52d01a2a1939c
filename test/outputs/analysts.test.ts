/**
 * For researchers and auditors (issue 21), on one real run over the sample with --agencies and
 * --parquet: the agency hierarchy in the warehouse (region and level on reports and views, the
 * agencies missing from the CSV), a comment on every table, view and column with the codebook
 * generated from them, the views as Parquet with integer counts and years, and the workbook.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CODEBOOK_PATH, freshCodebook } from '../../pipeline/warehouse/codebook.js';
import { applyComments, SCHEMA_VERSION } from '../../pipeline/warehouse/dictionary.js';
import { PARQUET_FILES } from '../../pipeline/outputs/exports/parquet.js';
import { WORKBOOK_NAME, WORKBOOK_SHEETS } from '../../pipeline/outputs/exports/workbook.js';
import { closeWarehouse, openWarehouse } from '../../pipeline/warehouse/warehouse.js';
import { query, REPORTS, ROOT, runOn, tempDir, type PipelineRun } from '../helpers.js';

const AGENCIES = join(ROOT, 'test', 'fixtures', 'agencies.csv');
let run: PipelineRun;
let parquet: string;

beforeAll(async () => {
  parquet = join(tempDir('goa-pq-'), 'parquet');
  run = await runOn(REPORTS, { noOutputs: false, parquet, agencies: AGENCIES });
});

/** Columns (name → comment) of every table and view of the warehouse's own schema without a comment. */
const UNCOMMENTED = `
  SELECT table_name || '.' || column_name AS what FROM duckdb_columns()
  WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal AND trim(coalesce(comment, '')) = ''
  UNION ALL SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND trim(coalesce(comment, '')) = ''
  UNION ALL SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal AND trim(coalesce(comment, '')) = ''
  ORDER BY 1`;

describe('the agency hierarchy in the warehouse', () => {
  it('stores the CSV in agencies, with region codes and aliases', async () => {
    const rows = await query<Record<string, unknown>>(
      run.db,
      'SELECT agency, parent, region, region_code, level, aliases, line FROM agencies ORDER BY line',
    );
    expect(rows).toHaveLength(4);
    expect(rows[1]).toEqual({
      agency: '平潭综合实验区',
      parent: '福建省人民政府',
      region: '福建省平潭',
      region_code: '350128',
      level: '市级',
      aliases: ['平潭综合实验区管理委员会'],
      line: 3,
    });
  });

  it('gives reports, t2, t3, t4, report_metrics and findings their agency region and level (NULL when not listed)', async () => {
    for (const rel of ['reports', 't2', 't3', 't4', 'report_metrics', 'findings']) {
      const rows = await query<{ agency: string; region: string | null; level: string | null }>(
        run.db,
        `SELECT DISTINCT agency, region, level FROM ${rel} ORDER BY agency`,
      );
      const by = Object.fromEntries(rows.map((r) => [r.agency, [r.region, r.level]]));
      if (rel !== 'findings' || by['平潭综合实验区']) expect(by['平潭综合实验区'], rel).toEqual(['福建省平潭', '市级']);
      if (rel !== 'findings') expect(by['北京市朝阳区教育委员会'], rel).toEqual(['北京市朝阳区', '区县级部门']);
      if (by['沭阳县发展和改革局']) expect(by['沭阳县发展和改革局'], rel).toEqual([null, null]);
    }
  });

  it('lists the agencies with reports but no row in the CSV', async () => {
    const rows = await query<Record<string, unknown>>(
      run.db,
      'SELECT agency, documents, first_year, last_year FROM agencies_missing',
    );
    expect(rows).toEqual([{ agency: '沭阳县发展和改革局', documents: 3, first_year: 2023, last_year: 2023 }]);
  });

  it('empties agencies and the regions on a run without --agencies', async () => {
    const again = await runOn(REPORTS, { db: join(tempDir('goa-ag-'), 'w.duckdb') });
    await runOn(REPORTS, { db: again.db, agencies: AGENCIES });
    expect((await query(again.db, 'SELECT * FROM reports WHERE region IS NOT NULL')).length).toBe(12);
    await runOn(REPORTS, { db: again.db });
    expect(await query(again.db, 'SELECT count(*)::INTEGER AS n FROM agencies')).toEqual([{ n: 0 }]);
    expect(
      await query(again.db, 'SELECT count(*)::INTEGER AS n FROM reports WHERE region IS NOT NULL OR level IS NOT NULL'),
    ).toEqual([{ n: 0 }]);
  });
});

describe('the data dictionary', () => {
  it('comments every table, view and column of the published warehouse', async () => {
    expect(await query(run.db, UNCOMMENTED)).toEqual([]);
    const [t3] = await query<{ comment: string }>(
      run.db,
      "SELECT comment FROM duckdb_columns() WHERE table_name = 't3' AND column_name = 'natural_person'",
    );
    expect(t3.comment).toMatch(/自然人.*count.*blank/);
  });

  it('catches a column added without a comment', async () => {
    const w = await openWarehouse(':memory:');
    try {
      await w.conn.run('ALTER TABLE reports ADD COLUMN some_new_column VARCHAR');
      await applyComments(w.conn);
      expect(w.conn && (await w.conn.runAndReadAll(UNCOMMENTED)).getRowObjectsJS()).toEqual([
        { what: 'reports.some_new_column' },
      ]);
    } finally {
      await closeWarehouse(w);
    }
  });

  it('docs/codebook.md is what `npm run codebook` generates from the comments', async () => {
    expect(readFileSync(CODEBOOK_PATH(), 'utf8'), 'docs/codebook.md is stale: run `npm run codebook`').toBe(
      await freshCodebook(),
    );
  });
});

describe('--parquet for analysts', () => {
  async function parquetSchema(file: string): Promise<Record<string, string>> {
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    try {
      const rows = (
        await conn.runAndReadAll(
          `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${file}', hive_partitioning = false))`,
        )
      ).getRowObjectsJS();
      return Object.fromEntries(rows.map((r) => [String(r.column_name), String(r.column_type)]));
    } finally {
      conn.closeSync();
      inst.closeSync();
    }
  }

  it('writes every view and the catalogue tables as one file each, with the rows of the warehouse', async () => {
    for (const name of PARQUET_FILES) {
      const [{ n }] = await query<{ n: bigint }>(run.db, `SELECT count(*) AS n FROM ${name}`);
      const [{ m }] = await query<{ m: bigint }>(
        run.db,
        `SELECT count(*) AS m FROM read_parquet('${join(parquet, `${name}.parquet`)}')`,
      );
      expect(Number(m), name).toBe(Number(n));
      if (['t2', 't3', 't4', 'report_metrics', 'findings', 'agencies'].includes(name))
        expect(Number(n), name).toBeGreaterThan(0);
    }
  });

  it('keeps year an INTEGER inside the files, counts BIGINT, money and rates DOUBLE, and region and level', async () => {
    const t3 = await parquetSchema(join(parquet, 't3.parquet'));
    expect(t3).toMatchObject({
      year: 'INTEGER',
      natural_person: 'BIGINT',
      total: 'BIGINT',
      region: 'VARCHAR',
      level: 'VARCHAR',
    });
    expect(await parquetSchema(join(parquet, 't4.parquet'))).toMatchObject({
      year: 'INTEGER',
      upheld: 'BIGINT',
      total: 'BIGINT',
      region: 'VARCHAR',
    });
    expect(await parquetSchema(join(parquet, 't2.parquet'))).toMatchObject({
      year: 'INTEGER',
      issued: 'BIGINT',
      change: 'BIGINT',
      amount: 'DOUBLE',
      level: 'VARCHAR',
    });
    expect(await parquetSchema(join(parquet, 'report_metrics.parquet'))).toMatchObject({
      year: 'INTEGER',
      requests_received: 'BIGINT',
      review_total: 'BIGINT',
      grant_rate: 'DOUBLE',
      region: 'VARCHAR',
      level: 'VARCHAR',
    });
    expect(await parquetSchema(join(parquet, 'findings.parquet'))).toMatchObject({
      year: 'INTEGER',
      expected: 'DOUBLE',
      region: 'VARCHAR',
    });
    const [row] = await query<Record<string, unknown>>(
      run.db,
      `SELECT year, total, region FROM read_parquet('${join(parquet, 't3.parquet')}') WHERE agency = '北京市朝阳区教育委员会' AND row_key = 'granted'`,
    );
    expect(row).toEqual({ year: 2020, total: 4n, region: '北京市朝阳区' });
  });

  it('writes _README.json naming the run and the schema version', async () => {
    const readme = JSON.parse(readFileSync(join(parquet, '_README.json'), 'utf8'));
    expect(readme.run_id).toBe(run.summary.runId);
    expect(readme.schema_version).toBe(SCHEMA_VERSION);
    expect(Object.keys(readme.tables).sort()).toEqual(
      ['anomalies', 'cells', 'claims', 'report_documents', 'reports', ...PARQUET_FILES].sort(),
    );
    const [{ n }] = await query<{ n: bigint }>(run.db, 'SELECT count(*) AS n FROM t3');
    expect(readme.tables.t3).toMatchObject({ path: 't3.parquet', rows: Number(n) });
  });
});

describe('the auditors’ workbook', () => {
  it('has Chinese headers, a frozen header row with an autofilter, and one row per finding per report', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(run.out, WORKBOOK_NAME));
    expect(wb.worksheets.map((w) => w.name)).toEqual(Object.values(WORKBOOK_SHEETS).map((s) => s.name));
    for (const sheet of Object.values(WORKBOOK_SHEETS)) {
      const ws = wb.getWorksheet(sheet.name)!;
      expect((ws.getRow(1).values as unknown[]).slice(1), sheet.name).toEqual(sheet.columns.map((c) => c.header));
      expect(ws.views[0], sheet.name).toMatchObject({ state: 'frozen', ySplit: 1 });
      expect(ws.autoFilter, sheet.name).toBeTruthy();
      expect(ws.getColumn(1).width, sheet.name).toBe(sheet.columns[0].width);
    }
    const findings = wb.getWorksheet('发现')!;
    const rows = findings.getSheetValues().slice(2).filter(Boolean) as unknown[][];
    const col = (h: string) => WORKBOOK_SHEETS.findings.columns.findIndex((c) => c.header === h) + 1;
    // one row per finding per report: the documents of one report with the same finding count once
    const expected = await query<{ agency: string; year: number; n: bigint }>(
      run.db,
      `SELECT agency, year, count(DISTINCT (group_id, coalesce(related_group_id, ''), rule_id, coalesce(table_id, ''), coalesce(row_key, ''),
              coalesce(col_key, ''), coalesce(expected, 0), coalesce(actual, 0), message)) AS n
       FROM findings GROUP BY ALL ORDER BY agency, year`,
    );
    const got = new Map<string, number>();
    for (const r of rows)
      got.set(`${r[col('机构')]}|${r[col('年度')]}`, (got.get(`${r[col('机构')]}|${r[col('年度')]}`) ?? 0) + 1);
    expect(Object.fromEntries(got)).toEqual(
      Object.fromEntries(expected.map((e) => [`${e.agency}|${e.year}`, Number(e.n)])),
    );
    for (const r of rows) {
      expect(['错误', '警告', '提示']).toContain(r[col('严重程度')]);
      expect(r[col('报告页')]).toMatchObject({
        text: '打开',
        hyperlink: expect.stringMatching(/^reports\/r[0-9a-f]{16}\.html#/),
      });
    }
    const pingtan = rows.find((r) => r[col('机构')] === '平潭综合实验区')!;
    expect([pingtan[col('地区')], pingtan[col('级别')]]).toEqual(['福建省平潭', '市级']);
    const reports = wb.getWorksheet('报告')!;
    expect(reports.rowCount - 1).toBe(5);
    const checks = wb.getWorksheet('规则检查')!;
    expect(checks.rowCount - 1).toBe((await query(run.db, 'SELECT * FROM rules')).length);
  });
});

// last: it runs again on the warehouse the tests above read (a no-op publishes neither pages nor Parquet)
describe('a run with nothing new', () => {
  it('keeps the rule results of the run before and has no new or resolved findings', async () => {
    const again = await runOn(REPORTS, { db: run.db, out: run.out, noOutputs: false, parquet, agencies: AGENCIES });
    expect(again.summary.new + again.summary.reprocessed).toBe(0);
    const results = (id: string) =>
      query(run.db, 'SELECT * EXCLUDE (run_id) FROM rule_results WHERE run_id = $1 ORDER BY rule_id', [id]);
    const kept = await results(again.summary.runId);
    expect(kept.length).toBeGreaterThan(20);
    expect(kept).toEqual(await results(run.summary.runId));
    expect(
      await query(run.db, 'SELECT count(*)::INTEGER AS n FROM anomalies WHERE first_seen_run = $1', [
        again.summary.runId,
      ]),
    ).toEqual([{ n: 0 }]);
    expect(await query(run.db, 'SELECT count(*)::INTEGER AS n FROM resolved_findings')).toEqual([{ n: 0 }]);
  });
});
