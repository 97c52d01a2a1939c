/**
 * anomalies.csv, anomalies.json and reports.csv: every column of the table, then a few columns
 * joined in for convenience (prefixed report_/group_). CSV is UTF-8 with a BOM so Excel reads
 * the Chinese right; an empty field is NULL. A text field starting with = + - @ tab CR or an
 * apostrophe gets one apostrophe in front (so Excel never runs document text as a formula);
 * `readCsvExport` removes it again, so the files round-trip exactly.
 * The files are written while the rows stream out of DuckDB, a chunk at a time (memory flat in N).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import Papa from 'papaparse';
import { FileSink } from './files.js';
import { returnFreedMemory } from '../warehouse.js';
import { queryRows, type Row } from './query.js';
import { sqlIdent } from '../sql-text.js';

const FORMULA_START = /^[=+\-@\t\r']/;
const CSV_OPTIONS = { escapeFormulae: FORMULA_START, newline: '\r\n' };
export const CSV_BOM = '\uFEFF';

export interface TableExport {
  columns: string[];
  rows: Row[];
}

export function toCsv(t: TableExport): string {
  const data = t.rows.map((r) => t.columns.map((c) => r[c] ?? null));
  return CSV_BOM + Papa.unparse({ fields: t.columns, data }, CSV_OPTIONS) + '\r\n';
}

/** Reads a CSV written by `toCsv` back into text fields (NULL for empty), undoing the formula guard. */
export function readCsvExport(text: string): { columns: string[]; rows: Record<string, string | null>[] } {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: true });
  const [columns, ...data] = parsed.data;
  const rows = data.map((fields) => {
    const row: Record<string, string | null> = {};
    columns.forEach((c, i) => {
      const v = fields[i] ?? '';
      row[c] = v === '' ? null : v.startsWith("'") ? v.slice(1) : v;
    });
    return row;
  });
  return { columns, rows };
}

export function toJson(t: TableExport): string {
  const ordered = t.rows.map((r) => Object.fromEntries(t.columns.map((c) => [c, r[c] ?? null])));
  return JSON.stringify(ordered, null, 1) + '\n';
}

/** Whether Papa.unparse quotes a text (after doubling its quotes): line breaks, quote, BOM, delimiter, edge spaces. */
const NEEDS_QUOTES = /[\r\n"\uFEFF,]|^ | $/;

/** One field as `Papa.unparse` with CSV_OPTIONS writes it (the formula guard on text only). */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  let quote = false;
  if (typeof value === 'string' && FORMULA_START.test(text)) {
    text = `'${text}`;
    quote = true;
  }
  if (text.includes('"')) text = text.replace(/"/g, '""');
  return quote || NEEDS_QUOTES.test(text) ? `"${text}"` : text;
}

/** Writes `toCsv` of a table a chunk of rows at a time (the same bytes). */
export class CsvWriter {
  private first = true;
  constructor(
    private readonly sink: FileSink,
    readonly columns: readonly string[],
  ) {
    sink.write(CSV_BOM + Papa.unparse({ fields: [...columns], data: [] }, CSV_OPTIONS));
  }

  rows(data: readonly (readonly unknown[])[]): void {
    if (data.length === 0) return;
    const lines = data.map((r) => r.map(csvField).join(','));
    this.sink.write((this.first ? '' : '\r\n') + lines.join('\r\n'));
    this.first = false;
  }

  end(): void {
    this.sink.write('\r\n');
  }
}

/** Writes `toJson` of a table a chunk of rows at a time (the same bytes). */
export class JsonWriter {
  private first = true;
  constructor(
    private readonly sink: FileSink,
    readonly columns: readonly string[],
  ) {
    sink.write('[');
  }

  rows(data: readonly (readonly unknown[])[]): void {
    const parts: string[] = [];
    for (const r of data) {
      const o: Record<string, unknown> = {};
      this.columns.forEach((c, i) => (o[c] = r[i] ?? null));
      parts.push((this.first ? '\n ' : ',\n ') + JSON.stringify(o, null, 1).replace(/\n/g, '\n '));
      this.first = false;
    }
    this.sink.write(parts.join(''));
  }

  end(): void {
    this.sink.write(this.first ? ']\n' : '\n]\n');
  }
}

/** Types read as themselves; any other (TIMESTAMP, …) is exported as DuckDB prints it. */
const NATIVE = /^(VARCHAR|BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|HUGEINT|FLOAT|DOUBLE)$/;
const FLOATING = /^(FLOAT|DOUBLE)$/;

interface Column {
  name: string;
  type: string;
}

async function tableColumns(conn: DuckDBConnection, table: string): Promise<Column[]> {
  const rows = await queryRows(
    conn,
    `SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = $1 AND schema_name = 'main' ORDER BY column_index`,
    [table],
  );
  return rows.map((r) => ({ name: String(r.column_name), type: String(r.data_type) }));
}

/**
 * A column as a JSON value: numbers, booleans and text as themselves; a non-finite float as its
 * text (JSON has no NaN; `streamRows` turns it back); any other type as DuckDB prints it.
 */
function jsonColumn(expr: string, type: string): string {
  if (FLOATING.test(type)) return `CASE WHEN isfinite(${expr}) OR ${expr} IS NULL THEN to_json(${expr}) ELSE to_json(CAST(${expr} AS VARCHAR)) END`;
  return NATIVE.test(type) ? expr : `CAST(${expr} AS VARCHAR)`;
}

const NON_FINITE: Record<string, number> = { nan: NaN, '-nan': NaN, inf: Infinity, '-inf': -Infinity, infinity: Infinity, '-infinity': -Infinity };

/** A query over one table (and what it joins), its rows as `json_array(…)` of the export's columns. */
interface ExportQuery {
  /** The json_array(…) expression, over the table (`alias`) and the staged order (`o`, with the `joined` columns). */
  select: string;
  table: string;
  alias: string;
  /** LEFT JOINs that add columns (never rows), made once, when the order is staged. */
  joins: string;
  /** The columns the joins add, staged with the order: `expression AS name`. */
  joined: string[];
  orderBy: string;
}

/** Rows read and handed over at once: a finding's cells and operands can be kilobytes. */
const ROWS_PER_PAGE = 256;

/**
 * Runs an export query and hands its rows to `each`, in order, a page of rows at a time, as plain
 * values (numbers, booleans, text, null). The order is computed first over the sort keys alone,
 * with the columns the joins add (a temp table of row ids), then each page is read by its row ids:
 * DuckDB's 2,048-row chunks of JSON text, read whole, had the exports take 120 MB of JavaScript
 * heap and 100 of DuckDB's at 10,000 reports. The joins are made once, not once per page (each
 * joined whole tables, a cost growing with the square of the number of reports).
 */
async function streamRows(conn: DuckDBConnection, q: ExportQuery, columns: readonly Column[], each: (rows: unknown[][]) => void): Promise<void> {
  const floats = columns.flatMap((c, i) => (FLOATING.test(c.type) ? [i] : []));
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE export_order AS
     SELECT row_number() OVER (ORDER BY ${q.orderBy}) AS n, ${q.alias}.rowid AS row_id${q.joined.map((c) => `, ${c}`).join('')}
     FROM ${q.table} ${q.alias} ${q.joins} ORDER BY n`,
  );
  try {
    const total = Number((await conn.runAndReadAll('SELECT count(*) FROM export_order')).getColumnsJS()[0][0]);
    for (let from = 0; from < total; from += ROWS_PER_PAGE) {
      const reader = await conn.runAndReadAll(
        `SELECT ${q.select}::VARCHAR FROM export_order o JOIN ${q.table} ${q.alias} ON ${q.alias}.rowid = o.row_id
         WHERE o.n > ${from} AND o.n <= ${from + ROWS_PER_PAGE} ORDER BY o.n`,
      );
      const rows = (reader.getColumnsJS()[0] as string[]).map((text) => JSON.parse(text) as unknown[]);
      for (const r of rows) {
        for (const i of floats) if (typeof r[i] === 'string') r[i] = NON_FINITE[(r[i] as string).toLowerCase()] ?? Number(r[i]);
      }
      each(rows);
      await returnFreedMemory(conn);
    }
  } finally {
    await conn.run('DROP TABLE IF EXISTS export_order');
  }
}

export interface ExportFiles {
  anomaliesCsv: FileSink;
  anomaliesJson: FileSink;
  reportsCsv: FileSink;
}

/** The anomalies table (CSV and JSON, one pass) and the reports table (CSV). */
export async function writeExports(conn: DuckDBConnection, files: ExportFiles, reportDocuments: string): Promise<void> {
  const anomalies: Column[] = [
    ...(await tableColumns(conn, 'anomalies')),
    { name: 'report_agency', type: 'VARCHAR' }, { name: 'report_year', type: 'INTEGER' }, { name: 'report_source', type: 'VARCHAR' },
    { name: 'report_group_id', type: 'VARCHAR' },
  ];
  const own = anomalies.length - 4;
  const csv = new CsvWriter(files.anomaliesCsv, anomalies.map((c) => c.name));
  const json = new JsonWriter(files.anomaliesJson, anomalies.map((c) => c.name));
  await streamRows(
    conn,
    {
      select: `json_array(${anomalies
        .slice(0, own)
        .map((c) => jsonColumn(`a.${sqlIdent(c.name)}`, c.type))
        .join(', ')}, o.report_agency, o.report_year, o.report_source, o.report_group_id)`,
      table: 'anomalies',
      alias: 'a',
      joins: `LEFT JOIN reports r ON r.report_id = a.report_id LEFT JOIN ${reportDocuments} g ON g.report_id = a.report_id`,
      joined: ['r.agency AS report_agency', 'r.year AS report_year', 'r.source AS report_source', 'g.group_id AS report_group_id'],
      orderBy: 'a.rule_id, r.agency_norm, r.year, a.report_id, a.fingerprint',
    },
    anomalies,
    (rows) => {
      csv.rows(rows);
      json.rows(rows);
    },
  );
  csv.end();
  json.end();

  const reports: Column[] = [
    ...(await tableColumns(conn, 'reports')),
    { name: 'group_id', type: 'VARCHAR' }, { name: 'group_is_representative', type: 'BOOLEAN' }, { name: 'group_n_sources', type: 'INTEGER' },
    { name: 'group_is_primary', type: 'BOOLEAN' },
  ];
  const reportsCsv = new CsvWriter(files.reportsCsv, reports.map((c) => c.name));
  await streamRows(
    conn,
    {
      select: `json_array(${reports
        .slice(0, reports.length - 4)
        .map((c) => jsonColumn(`r.${sqlIdent(c.name)}`, c.type))
        .join(', ')}, o.group_id, o.group_is_representative, o.group_n_sources, o.group_is_primary)`,
      table: 'reports',
      alias: 'r',
      joins: `LEFT JOIN ${reportDocuments} g USING (report_id)`,
      joined: ['g.group_id AS group_id', 'g.is_representative AS group_is_representative', 'g.n_sources AS group_n_sources', 'g.is_primary AS group_is_primary'],
      orderBy: 'r.agency_norm, r.year, r.source, r.report_id',
    },
    reports,
    (rows) => reportsCsv.rows(rows),
  );
  reportsCsv.end();
}
