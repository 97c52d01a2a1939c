/**
 * anomalies.csv / anomalies.json / reports.csv hold every column of their table and read back
 * to exactly the table's rows (CSV: UTF-8 with BOM, empty = NULL, formula guard undone).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCsvExport, toCsv, toJson, writeExports } from '../../pipeline/outputs/exports/exports.js';
import { FileSink } from '../../pipeline/outputs/files.js';
import { closeWarehouse, limitDbMemory, openWarehouse } from '../../pipeline/warehouse/index.js';
import { query, runOn, tempDir, type PipelineRun } from '../helpers.js';
import { auditInput } from './fixture.js';

let run: PipelineRun;

interface Column {
  column_name: string;
  data_type: string;
}

async function columns(table: string): Promise<Column[]> {
  return query<Column>(
    run.db,
    `SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = $1 ORDER BY column_index`,
    [table],
  );
}

/** The table as plain JSON values: numbers, booleans, text (timestamps as DuckDB prints them). */
async function tableRows(table: string, cols: Column[], order: string): Promise<Record<string, unknown>[]> {
  const select = cols
    .map((c) =>
      /TIMESTAMP|DATE/.test(c.data_type)
        ? `CAST("${c.column_name}" AS VARCHAR) AS "${c.column_name}"`
        : `"${c.column_name}"`,
    )
    .join(', ');
  const rows = await query(run.db, `SELECT ${select} FROM ${table} ORDER BY ${order}`);
  return rows.map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])),
  );
}

/** A CSV field back to the column's type. */
function typed(value: string | null, type: string): unknown {
  if (value === null) return null;
  if (type === 'BOOLEAN') return value === 'true';
  if (/INT|DOUBLE|FLOAT|DECIMAL/.test(type)) return Number(value);
  return value;
}

function csvRows(file: string, cols: Column[], key: string): Record<string, unknown>[] {
  const text = readFileSync(file, 'utf8');
  expect(text.charCodeAt(0)).toBe(0xfeff);
  const { columns: header, rows } = readCsvExport(text);
  expect(header.slice(0, cols.length)).toEqual(cols.map((c) => c.column_name));
  return rows
    .map((r) => Object.fromEntries(cols.map((c) => [c.column_name, typed(r[c.column_name], c.data_type)])))
    .sort((a, b) => String(a[key]).localeCompare(String(b[key])));
}

beforeAll(async () => {
  run = await runOn(auditInput(), { noOutputs: false });
});

describe('CSV and JSON exports', () => {
  it('anomalies.csv and anomalies.json round-trip the anomalies table exactly', async () => {
    const cols = await columns('anomalies');
    const table = await tableRows('anomalies', cols, 'fingerprint');
    expect(table.length).toBeGreaterThan(5);
    // values that need care in CSV: JSON text with quotes and commas, Chinese, NULLs, fractions, booleans
    expect(table.some((r) => typeof r.operands === 'string' && (r.operands as string).includes('"'))).toBe(true);
    expect(table.some((r) => r.expected === null)).toBe(true);
    expect(table.some((r) => typeof r.expected === 'number' && !Number.isInteger(r.expected))).toBe(true);

    const csv = csvRows(join(run.out, 'anomalies.csv'), cols, 'fingerprint');
    expect(csv).toEqual(
      table.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === '' ? null : v]))),
    );

    const json = JSON.parse(readFileSync(join(run.out, 'anomalies.json'), 'utf8')) as Record<string, unknown>[];
    const own = json
      .map((r) => Object.fromEntries(cols.map((c) => [c.column_name, r[c.column_name]])))
      .sort((a, b) => String(a.fingerprint).localeCompare(String(b.fingerprint)));
    expect(own).toEqual(table);
    // every column of the table is in every object, then the joined report columns
    expect(Object.keys(json[0]).slice(0, cols.length)).toEqual(cols.map((c) => c.column_name));
    expect(Object.keys(json[0])).toContain('report_agency');
  });

  it('reports.csv round-trips the reports table exactly', async () => {
    // region and level (from the agency CSV, set by every run) stay out: reports.csv keeps its columns
    const cols = (await columns('reports')).filter((c) => c.column_name !== 'region' && c.column_name !== 'level');
    expect(readCsvExport(readFileSync(join(run.out, 'reports.csv'), 'utf8')).columns).not.toContain('region');
    const table = await tableRows('reports', cols, 'report_id');
    const csv = csvRows(join(run.out, 'reports.csv'), cols, 'report_id');
    expect(csv).toEqual(
      table.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === '' ? null : v]))),
    );
    expect(csv.some((r) => String(r.title).includes('<script>'))).toBe(true);
  });

  it('list the rows in their order, with the columns joined in from the reports and their groups', async () => {
    const anomalies = await query<Record<string, unknown>>(
      run.db,
      `SELECT a.fingerprint, r.agency AS report_agency, r.year AS report_year, r.source AS report_source, g.group_id AS report_group_id
       FROM anomalies a LEFT JOIN reports r ON r.report_id = a.report_id LEFT JOIN report_documents g ON g.report_id = a.report_id
       ORDER BY a.rule_id, r.agency_norm, r.year, a.report_id, a.fingerprint`,
    );
    const json = JSON.parse(readFileSync(join(run.out, 'anomalies.json'), 'utf8')) as Record<string, unknown>[];
    const joined = Object.keys(anomalies[0]);
    expect(json.map((r) => Object.fromEntries(joined.map((k) => [k, r[k]])))).toEqual(anomalies);
    expect(new Set(anomalies.map((r) => r.report_group_id)).size).toBeGreaterThan(1);

    const reports = await query<Record<string, unknown>>(
      run.db,
      `SELECT r.report_id, g.group_id, g.is_representative AS group_is_representative, g.n_sources AS group_n_sources, g.is_primary AS group_is_primary
       FROM reports r LEFT JOIN report_documents g USING (report_id) ORDER BY r.agency_norm, r.year, r.source, r.report_id`,
    );
    const csv = readCsvExport(readFileSync(join(run.out, 'reports.csv'), 'utf8')).rows;
    const text = (v: unknown) => (v === null ? null : String(typeof v === 'bigint' ? Number(v) : v));
    expect(csv.map((r) => Object.keys(reports[0]).map((k) => r[k]))).toEqual(
      reports.map((r) => Object.values(r).map(text)),
    );
    expect(reports.some((r) => r.group_is_representative === false)).toBe(true);
  });

  it('hold the bytes the exports wrote when each row came as JSON text and the files were written whole', async () => {
    // the earlier reading: json_array of every column (doubles as JSON numbers, other types as
    // DuckDB prints them), JSON.parse, then toCsv / toJson of the whole table
    const { toCsv, toJson } = await import('../../pipeline/outputs/exports/exports.js');
    const asJson = (cols: Column[], alias: string) =>
      cols.map((c) =>
        /^(VARCHAR|BOOLEAN|INTEGER|BIGINT|DOUBLE)$/.test(c.data_type)
          ? `${alias}."${c.column_name}"`
          : `CAST(${alias}."${c.column_name}" AS VARCHAR)`,
      );
    const whole = async (sql: string, names: string[]) => {
      const texts = await query<{ t: string }>(run.db, sql);
      const rows = texts.map(({ t }) => Object.fromEntries((JSON.parse(t) as unknown[]).map((v, i) => [names[i], v])));
      return { columns: names, rows };
    };
    const own = await columns('anomalies');
    expect(own.some((c) => c.data_type === 'DOUBLE')).toBe(true);
    const joined = ['report_agency', 'report_year', 'report_source', 'report_group_id'];
    const anomalies = await whole(
      `SELECT json_array(${[...asJson(own, 'a'), 'r.agency', 'r.year', 'r.source', 'g.group_id'].join(', ')})::VARCHAR AS t
       FROM anomalies a LEFT JOIN reports r ON r.report_id = a.report_id LEFT JOIN report_documents g ON g.report_id = a.report_id
       ORDER BY a.rule_id, r.agency_norm, r.year, a.report_id, a.fingerprint`,
      [...own.map((c) => c.column_name), ...joined],
    );
    expect(anomalies.rows.length).toBeGreaterThan(5);
    expect(readFileSync(join(run.out, 'anomalies.csv'), 'utf8')).toBe(toCsv(anomalies));
    expect(readFileSync(join(run.out, 'anomalies.json'), 'utf8')).toBe(toJson(anomalies));

    const reportCols = (await columns('reports')).filter(
      (c) => c.column_name !== 'region' && c.column_name !== 'level',
    );
    expect(reportCols.some((c) => c.data_type === 'TIMESTAMP')).toBe(true);
    const group = ['group_id', 'group_is_representative', 'group_n_sources', 'group_is_primary'];
    const reports = await whole(
      `SELECT json_array(${[...asJson(reportCols, 'r'), 'g.group_id', 'g.is_representative', 'g.n_sources', 'g.is_primary'].join(', ')})::VARCHAR AS t
       FROM reports r LEFT JOIN report_documents g USING (report_id) ORDER BY r.agency_norm, r.year, r.source, r.report_id`,
      [...reportCols.map((c) => c.column_name), ...group],
    );
    expect(readFileSync(join(run.out, 'reports.csv'), 'utf8')).toBe(toCsv(reports));
  });

  it('keeps Excel from running document text as a formula, reversibly', async () => {
    const { toCsv } = await import('../../pipeline/outputs/exports/exports.js');
    const rows = [{ a: '=HYPERLINK("http://x")', b: "'quoted", c: '-3', d: -3, e: '正常' }];
    const text = toCsv({ columns: ['a', 'b', 'c', 'd', 'e'], rows });
    expect(text).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(readCsvExport(text).rows).toEqual([
      { a: '=HYPERLINK("http://x")', b: "'quoted", c: '-3', d: '-3', e: '正常' },
    ]);
  });
});

/** The three export files, written into `dir`. */
const exportFiles = (dir: string) => ({
  anomaliesCsv: new FileSink(join(dir, 'anomalies.csv')),
  anomaliesJson: new FileSink(join(dir, 'anomalies.json')),
  reportsCsv: new FileSink(join(dir, 'reports.csv')),
});

describe('exports of tables of many vectors', () => {
  it('hold every row in its order when the table is stored in another order, with gaps in its row ids', async () => {
    const dir = tempDir('goa-exports-');
    const db = join(dir, 'w.duckdb');
    const w = await openWarehouse(db);
    const conn = w.conn;
    const files = exportFiles(dir);
    try {
      // 6,000 reports and 7,000 findings, stored in an order unrelated to the exports' (3 and 4 vectors)
      await conn.run(
        `INSERT INTO reports (report_id, source, sha256, agency, agency_norm, year, status, title, size_bytes, loaded_at)
         SELECT 'r' || lpad(i::VARCHAR, 5, '0'), 'src/' || (i * 7919 % 6000), md5(i::VARCHAR), '机关' || (i % 97),
                '机关' || (i % 97), 2019 + i % 4, 'ok', CASE WHEN i % 11 = 0 THEN '=标题,"引号"' END, i * 1000,
                TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND
         FROM range(6000) t(i) ORDER BY hash(i)`,
      );
      await conn.run(
        `INSERT INTO anomalies (fingerprint, rule_id, severity, report_id, expected, actual, message, operands, blank_involved)
         SELECT 'f' || i, 'R' || (i % 13), 'error', 'r' || lpad((i % 6000)::VARCHAR, 5, '0'), i / 7, CASE WHEN i % 5 > 0 THEN -i * 0.1 END,
                '第' || i || '条', '[{"v":' || i || ',"s":"' || repeat('字', i % 300) || '"}]', i % 2 = 0
         FROM range(7000) t(i) ORDER BY hash(i * 3)`,
      );
      await conn.run('DELETE FROM anomalies WHERE hash(fingerprint) % 9 = 0');
      await conn.run('DELETE FROM reports WHERE hash(report_id) % 17 = 0');
      await conn.run(
        `CREATE TEMP TABLE groups AS SELECT report_id, report_id AS group_id, true AS is_representative, 1 AS n_sources,
                i % 3 = 0 AS is_primary FROM (SELECT report_id, row_number() OVER () AS i FROM reports)`,
      );
      const ids = (await conn.runAndReadAll('SELECT min(rowid), max(rowid), count(*) FROM anomalies')).getRows()[0];
      expect(Number(ids[1]) + 1).toBeGreaterThan(Number(ids[2])); // gaps
      await writeExports(conn, files, 'groups');
      for (const f of Object.values(files)) f.commit();

      // the earlier reading: each row as JSON text (doubles as JSON numbers, other types as DuckDB
      // prints them), the table written whole
      const whole = async (
        table: string,
        alias: string,
        joined: [string, string][],
        rest: string,
        omit: string[] = [],
      ) => {
        const own = (
          await conn.runAndReadAll(
            `SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = '${table}' AND schema_name = 'main' ORDER BY column_index`,
          )
        )
          .getRows()
          .map(([name, type]) => [String(name), String(type)])
          .filter(([name]) => !omit.includes(name));
        const exprs = [
          ...own.map(([name, type]) =>
            /^(VARCHAR|BOOLEAN|INTEGER|BIGINT|DOUBLE)$/.test(type)
              ? `${alias}."${name}"`
              : `CAST(${alias}."${name}" AS VARCHAR)`,
          ),
          ...joined.map(([, expr]) => expr),
        ];
        const names = [...own.map(([name]) => name), ...joined.map(([name]) => name)];
        const texts = (
          await conn.runAndReadAll(`SELECT json_array(${exprs.join(', ')})::VARCHAR ${rest}`)
        ).getColumnsJS()[0];
        const rows = (texts as string[]).map((t) =>
          Object.fromEntries((JSON.parse(t) as unknown[]).map((v, i) => [names[i], v])),
        );
        return { columns: names, rows };
      };
      const anomalies = await whole(
        'anomalies',
        'a',
        [
          ['report_agency', 'r.agency'],
          ['report_year', 'r.year'],
          ['report_source', 'r.source'],
          ['report_group_id', 'g.group_id'],
        ],
        `FROM anomalies a LEFT JOIN reports r ON r.report_id = a.report_id LEFT JOIN groups g ON g.report_id = a.report_id
         ORDER BY a.rule_id, r.agency_norm, r.year, a.report_id, a.fingerprint`,
      );
      expect(anomalies.rows.length).toBeGreaterThan(6000);
      expect(readFileSync(join(dir, 'anomalies.csv'), 'utf8')).toBe(toCsv(anomalies));
      expect(readFileSync(join(dir, 'anomalies.json'), 'utf8')).toBe(toJson(anomalies));
      const reports = await whole(
        'reports',
        'r',
        [
          ['group_id', 'g.group_id'],
          ['group_is_representative', 'g.is_representative'],
          ['group_n_sources', 'g.n_sources'],
          ['group_is_primary', 'g.is_primary'],
        ],
        'FROM reports r LEFT JOIN groups g USING (report_id) ORDER BY r.agency_norm, r.year, r.source, r.report_id',
        ['region', 'level'],
      );
      expect(reports.rows.length).toBeGreaterThan(5000);
      expect(readFileSync(join(dir, 'reports.csv'), 'utf8')).toBe(toCsv(reports));
    } finally {
      for (const f of Object.values(files)) f.abort();
      await closeWarehouse(w);
    }
  });

  it('are written within a DuckDB memory limit far smaller than the findings they list', async () => {
    // At 50,000 reports the exports' order (every row sorted with every column it is hashed from:
    // the findings' operands, cells and messages) ran out of the outputs' memory and the run failed.
    const dir = tempDir('goa-exports-');
    const w = await openWarehouse(join(dir, 'w.duckdb'));
    const conn = w.conn;
    const files = exportFiles(dir);
    try {
      await conn.run(
        `INSERT INTO reports (report_id, source, sha256, agency, agency_norm, year, status, size_bytes, loaded_at)
         SELECT 'r' || i, 'src/' || i, md5(i::VARCHAR), '机关' || (i % 97), '机关' || (i % 97), 2019 + i % 4, 'ok', 1000, TIMESTAMP '2026-01-01'
         FROM range(2000) t(i)`,
      );
      // 12,000 findings with 4 KB of operands each: about 48 MB of text
      await conn.run(
        `INSERT INTO anomalies (fingerprint, rule_id, severity, report_id, message, operands)
         SELECT 'f' || i, 'R' || (i % 13), 'error', 'r' || (i % 2000), '第' || i || '条',
                '[{"v":' || i || ',"s":"' || repeat(md5(i::VARCHAR), 128) || '"}]'
         FROM range(12000) t(i)`,
      );
      await conn.run(
        `CREATE TEMP TABLE groups AS SELECT report_id, report_id AS group_id, true AS is_representative, 1 AS n_sources,
                true AS is_primary FROM reports`,
      );
      await conn.run('CHECKPOINT');
      await limitDbMemory(conn, '32MB');
      await writeExports(conn, files, 'groups');
      for (const f of Object.values(files)) f.commit();
      expect(readCsvExport(readFileSync(join(dir, 'anomalies.csv'), 'utf8')).rows).toHaveLength(12000);
    } finally {
      for (const f of Object.values(files)) f.abort();
      await closeWarehouse(w);
    }
  });
});
