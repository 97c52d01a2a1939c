/**
 * anomalies.csv / anomalies.json / reports.csv hold every column of their table and read back
 * to exactly the table's rows (CSV: UTF-8 with BOM, empty = NULL, formula guard undone).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCsvExport } from '../../pipeline/outputs/exports/exports.js';
import { query, runOn, type PipelineRun } from '../helpers.js';
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
