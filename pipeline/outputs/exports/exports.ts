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
import type { FileSink } from '../files.js';
import { returnFreedMemory, withMemoryToSpare } from '../../warehouse/index.js';
import { queryRows, type Row } from '../query.js';
import { sqlIdent } from '../../common/index.js';
import { type RowSeparators, ScratchRows } from './scratch-rows.js';
import type { ExportRows } from './kept-rows.js';
import { basename } from 'node:path';

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

/** A page of rows given as its columns: `columns[c][r]` is row r's value of column c. */
export type ColumnPage = readonly (readonly unknown[])[];

const pageLength = (columns: ColumnPage): number => (columns.length === 0 ? 0 : columns[0].length);

/** Rows (each an array of the columns' values) as a `ColumnPage` of `width` columns. */
const asColumns = (rows: readonly (readonly unknown[])[], width: number): ColumnPage =>
  Array.from({ length: width }, (_, c) => rows.map((r) => r[c]));

/** Whether Papa.unparse quotes a text (after doubling its quotes): line breaks, quote, BOM, delimiter, edge spaces. */
const NEEDS_QUOTES = /[\r\n"\uFEFF,]|^ | $/;
/** Whether a text needs the formula guard, doubled quotes or quotes: most fields need none, tested once. */
const NEEDS_CARE = /[\r\n"\uFEFF,]|^[ =+\-@\t']| $/;

/** One field as `Papa.unparse` with CSV_OPTIONS writes it (the formula guard on text only). */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  // a number's or boolean's text never starts a formula nor needs quotes
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = String(value);
  if (!NEEDS_CARE.test(text)) return text;
  let quote = false;
  if (typeof value === 'string' && FORMULA_START.test(text)) {
    text = `'${text}`;
    quote = true;
  }
  if (text.includes('"')) text = text.replace(/"/g, '""');
  return quote || NEEDS_QUOTES.test(text) ? `"${text}"` : text;
}

/**
 * A table written a page of rows at a time, or as rows already written (`bytes`): `rowText` is a
 * row's text as it stands at its place in the file, separator included.
 */
abstract class TableWriter {
  /** Rows written so far. */
  protected count = 0;
  constructor(
    protected readonly sink: FileSink,
    readonly columns: readonly string[],
  ) {}

  /** The file written. */
  get path(): string {
    return this.sink.path;
  }

  /** Bytes of the file written so far (where the next row's separator goes). */
  get position(): number {
    return this.sink.position;
  }

  /** What the file puts before its first row, and before every other. */
  abstract readonly separators: RowSeparators;

  /** Row `r` of a page given as its columns (`columns[c][r]`), without the separator before it. */
  abstract rowBody(columns: ColumnPage, r: number): string;

  /**
   * The text of row `r`'s body before the text of its column `c`'s value (a string printed as it
   * is: `plainText`), for the place of a value the same in every row (kept-rows.ts).
   */
  abstract textBefore(columns: ColumnPage, r: number, c: number): string;

  /** Whether the file prints `value` as it is (no quotes added, nothing escaped; JSON's quotes aside). */
  abstract plainText(value: string): boolean;

  /** Row `r` of a page given as its columns (`columns[c][r]`), as it stands at place `place` of the file. */
  rowText(columns: ColumnPage, r: number, place: number): string {
    return (place === 0 ? this.separators.first : this.separators.rest) + this.rowBody(columns, r);
  }

  rows(data: readonly (readonly unknown[])[]): void {
    this.page(asColumns(data, this.columns.length), data.length);
  }

  /** A page of rows given as its columns (`columns[c][r]`), each field written straight into the page's text. */
  page(columns: ColumnPage, count = pageLength(columns)): void {
    let text = '';
    for (let r = 0; r < count; r++) text += this.rowText(columns, r, this.count++);
    this.sink.write(text);
  }

  /** The next `rows` rows, as `rowText` wrote them, encoded. */
  bytes(bytes: Uint8Array, rows: number): void {
    this.sink.writeBytes(bytes);
    this.count += rows;
  }
}

/** Writes `toCsv` of a table a chunk of rows at a time (the same bytes). */
export class CsvWriter extends TableWriter {
  constructor(sink: FileSink, columns: readonly string[]) {
    super(sink, columns);
    sink.write(CSV_BOM + Papa.unparse({ fields: [...columns], data: [] }, CSV_OPTIONS));
  }

  readonly separators = { first: '', rest: '\r\n' };

  rowBody(columns: ColumnPage, r: number): string {
    let text = '';
    for (let c = 0; c < columns.length; c++) text += c === 0 ? csvField(columns[c][r]) : `,${csvField(columns[c][r])}`;
    return text;
  }

  textBefore(columns: ColumnPage, r: number, c: number): string {
    let text = '';
    for (let k = 0; k < c; k++) text += `${csvField(columns[k][r])},`;
    return text;
  }

  plainText(value: string): boolean {
    return csvField(value) === value;
  }

  end(): void {
    this.sink.write('\r\n');
  }
}

/**
 * Writes `toJson` of a table a chunk of rows at a time (the same bytes): each row as
 * `JSON.stringify` of its object with an indent of 1, indented once more, printed key by key (no
 * object is built).
 */
export class JsonWriter extends TableWriter {
  /** Each column's key as `JSON.stringify(row, null, 1)`, indented one more, prints it before the value. */
  private readonly keys: string[];
  constructor(sink: FileSink, columns: readonly string[]) {
    super(sink, columns);
    this.keys = columns.map((c, i) => `${i === 0 ? '\n  ' : ',\n  '}${JSON.stringify(c)}: `);
    sink.write('[');
  }

  readonly separators = { first: '\n ', rest: ',\n ' };

  rowBody(columns: ColumnPage, r: number): string {
    const { keys } = this;
    let text = '{';
    for (let c = 0; c < keys.length; c++) text += keys[c] + JSON.stringify(columns[c][r] ?? null);
    return text + (keys.length === 0 ? '}' : '\n }');
  }

  textBefore(columns: ColumnPage, r: number, c: number): string {
    let text = '{';
    for (let k = 0; k < c; k++) text += this.keys[k] + JSON.stringify(columns[k][r] ?? null);
    return `${text}${this.keys[c]}"`;
  }

  plainText(value: string): boolean {
    return JSON.stringify(value) === `"${value}"`;
  }

  end(): void {
    this.sink.write(this.count === 0 ? ']\n' : '\n]\n');
  }
}

/** Types read as themselves; any other (TIMESTAMP, …) is exported as DuckDB prints it. */
const NATIVE =
  /^(VARCHAR|BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|HUGEINT|FLOAT|DOUBLE)$/;

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
 * A column as the export reads it: numbers, booleans and text as themselves (a 64-bit or larger
 * integer comes as a bigint, made a number); a FLOAT as its JSON text (the float's shortest
 * digits, as the exports always printed it; a non-finite one as its name); any other type as
 * DuckDB prints it.
 */
function readColumn(expr: string, type: string): string {
  if (type === 'FLOAT')
    return `CAST(CASE WHEN isfinite(${expr}) OR ${expr} IS NULL THEN to_json(${expr}) ELSE to_json(CAST(${expr} AS VARCHAR)) END AS VARCHAR)`;
  return NATIVE.test(type) ? expr : `CAST(${expr} AS VARCHAR)`;
}

const NON_FINITE: Record<string, number> = {
  nan: NaN,
  '-nan': NaN,
  inf: Infinity,
  '-inf': -Infinity,
  infinity: Infinity,
  '-infinity': -Infinity,
};

/** A FLOAT column's value from its JSON text (`readColumn`). */
function floatValue(text: string | null): number | null {
  if (text === null) return null;
  const v = JSON.parse(text) as number | string | null;
  return typeof v === 'string' ? (NON_FINITE[v.toLowerCase()] ?? Number(v)) : v;
}

/** A page's column as plain values: bigints made numbers, FLOAT's text its number. */
function plainColumn(values: unknown[], type: string): unknown[] {
  if (type === 'FLOAT') return values.map((v) => floatValue(v as string | null));
  for (let i = 0; i < values.length; i++) if (typeof values[i] === 'bigint') values[i] = Number(values[i]);
  return values;
}

/** A column an export joins in from another table: its name and type in the export, and what it is. */
interface JoinedColumn extends Column {
  expr: string;
}

/** A query over one table (and what it joins): every column of the table, then the joined ones. */
interface ExportQuery {
  table: string;
  alias: string;
  /** LEFT JOINs that add columns (never rows), made once, when the order is staged. */
  joins: string;
  /** The columns the joins add, staged with the order. */
  joined: JoinedColumn[];
  /** The rows' order: expressions over the table and its joins, most significant first (each ascending). */
  orderBy: readonly string[];
  /** Columns of the table the export leaves out (added to the table after the export's contract was fixed). */
  omit?: readonly string[];
  /** A text column of the table expected to hold one value in every row (kept-rows.ts). */
  constant?: string;
}

/** An export's columns, in order: its table's, then those its joins add. */
async function exportColumns(conn: DuckDBConnection, q: ExportQuery): Promise<Column[]> {
  const own = (await tableColumns(conn, q.table)).filter((c) => !q.omit?.includes(c.name));
  return [...own, ...q.joined.map(({ name, type }) => ({ name, type }))];
}

/** Rows made JavaScript values and written at once: a finding's cells and operands can be kilobytes. */
const ROWS_PER_PAGE = 256;
/**
 * DuckDB's vector: its rows are decompressed together, whichever of them a query reads, so the
 * table is read a vector's stretch of row ids at a time (one chunk, held by DuckDB while its rows
 * are made values, 256 at a time).
 */
const VECTOR_ROWS = 2048;

/**
 * Writes an export query's rows, in order, with each writer (`exportColumns`'s columns). The
 * order is computed first over the sort keys alone, with the columns the joins add (a temp table
 * of row ids; the joins are made once, not once per page: each joined whole tables, a cost
 * growing with the square of the number of reports). The table is then read in its storage order,
 * a range of row ids at a time (DuckDB reads only those rows; a page read in the export's order
 * decompressed every column of the whole table, each page), column by column as plain values, and
 * each row's text goes to a scratch file (`ScratchRows`), copied out in the export's order at the
 * end. Pages are small: DuckDB's 2,048-row chunks, read whole, held a large share of the run's
 * memory (measured: docs/performance.md).
 */
async function writeTable(
  conn: DuckDBConnection,
  q: ExportQuery,
  columns: readonly Column[],
  writers: readonly TableWriter[],
  kept: ExportRows | null,
): Promise<ExportCounts> {
  // the table's own columns from the table, the joined ones from the staged order (`o`)
  const own = columns.length - q.joined.length;
  // column i as read: the table's own from the table, a joined one as `joined` gives it
  const field = (i: number, joined: (c: JoinedColumn) => string) =>
    readColumn(i < own ? `${q.alias}.${sqlIdent(columns[i].name)}` : joined(q.joined[i - own]), columns[i].type);
  const select = columns.map((_, i) => field(i, (c) => `o.${sqlIdent(c.name)}`)).join(', ');
  const constant = await constantColumn(conn, q, columns, writers);
  // a row's hash: of every value it is written from (the joined ones as the joins give them), but a constant one
  const hashed = columns
    .map((_, i) => field(i, (c) => c.expr))
    .filter((_, i) => i !== constant?.index)
    .join(', ');
  // The hash and the sort keys are computed below the window: over the rows themselves, the window
  // held every column hashed (the findings' operands and cells, their messages) until it had sorted
  // them all, and at 50,000 reports ran out of the outputs' DuckDB memory.
  await withMemoryToSpare(conn, () =>
    conn.run(
      `CREATE OR REPLACE TEMP TABLE export_order AS
     SELECT row_number() OVER (ORDER BY ${q.orderBy.map((_, i) => `k${i}`).join(', ')}) - 1 AS place, row_id,
            row_hash${q.joined.map((c) => `, ${sqlIdent(c.name)}`).join('')}
     FROM (SELECT ${q.alias}.rowid AS row_id, hash(${hashed}) AS row_hash${q.joined.map((c) => `, ${c.expr} AS ${sqlIdent(c.name)}`).join('')},
                  ${q.orderBy.map((k, i) => `${k} AS k${i}`).join(', ')}
           FROM ${q.table} ${q.alias} ${q.joins})`,
    ),
  );
  const scratch: ScratchRows[] = [];
  try {
    const hashes = (
      ((await conn.runAndReadAll('SELECT row_hash FROM export_order ORDER BY place')).getColumnsJS()[0] ??
        []) as bigint[]
    ).map((h) => h.toString(36));
    const total = hashes.length;
    const names = columns.map((c) => c.name);
    // the rows unchanged since a writer's file was published are copied from it; the rest are read
    const fresh = new Uint8Array(total);
    let freshCount = 0;
    for (const w of writers) {
      const published = kept?.publishedRows(basename(w.path), names, constant?.text ?? null) ?? null;
      const rows = new ScratchRows(w.path, total, {
        separators: w.separators,
        published: published?.path,
        constant: constant ? Buffer.from(constant.text, 'utf8') : undefined,
      });
      scratch.push(rows);
      for (let place = 0; place < total; place++) {
        const at = published?.find(hashes[place]);
        if (at) rows.keep(place, at.start, at.length, at.mark);
        else if (fresh[place] === 0) {
          fresh[place] = 1;
          freshCount++;
        }
      }
    }
    // the rows to read, when not all: a table of their places
    const some = freshCount < total;
    if (some) {
      await conn.run('CREATE OR REPLACE TEMP TABLE export_fresh (place BIGINT)');
      const appender = await conn.createAppender('export_fresh', 'main', 'temp');
      for (let place = 0; place < total; place++) {
        if (fresh[place] === 0) continue;
        appender.appendBigInt(BigInt(place));
        appender.endRow();
      }
      appender.closeSync();
    }
    const freshOrder = some ? '(SELECT o.* FROM export_order o JOIN export_fresh USING (place))' : 'export_order';
    // the stretches of DuckDB's vectors that hold rows to read, in storage order
    const stretches = ((
      await conn.runAndReadAll(`SELECT DISTINCT row_id // ${VECTOR_ROWS} AS v FROM ${freshOrder} ORDER BY v`)
    ).getColumnsJS()[0] ?? []) as bigint[]; // no column at all when there is no row
    for (const v of stretches) {
      const range = (id: string) => `${id} >= ${v * BigInt(VECTOR_ROWS)} AND ${id} < ${(v + 1n) * BigInt(VECTOR_ROWS)}`;
      const result = await conn.stream(
        // the row id is read too: without it, DuckDB 1.5.6 left out a vector's last row in some runs
        `SELECT o.place, ${q.alias}.rowid, ${select} FROM ${q.table} ${q.alias} JOIN ${freshOrder} o ON ${q.alias}.rowid = o.row_id
         WHERE ${range(`${q.alias}.rowid`)} AND ${range('o.row_id')}`,
      );
      for (
        let chunk = await result.fetchChunk();
        chunk !== null && chunk.rowCount > 0;
        chunk = await result.fetchChunk()
      ) {
        const vectors = Array.from({ length: chunk.columnCount }, (_, i) => chunk.getColumnVector(i));
        for (let from = 0; from < chunk.rowCount; from += ROWS_PER_PAGE) {
          const to = Math.min(chunk.rowCount, from + ROWS_PER_PAGE);
          const slice = vectors.map((vector) => {
            const values: unknown[] = [];
            for (let r = from; r < to; r++) values.push(vector.getItem(r));
            return values;
          });
          const [placeColumn, , ...values] = slice;
          const places = placeColumn.map(Number);
          const page = values.map((v, i) => plainColumn(v, columns[i].type));
          writers.forEach((w, k) => {
            // a row a writer keeps from its published file is not written again
            const mine = places.flatMap((place, r) => (scratch[k].has(place) ? [] : [r]));
            scratch[k].add(
              mine.map((r) => places[r]),
              mine.map((r) => w.rowBody(page, r)),
              constant ? mine.map((r) => Buffer.byteLength(w.textBefore(page, r, constant.index), 'utf8')) : undefined,
            );
          });
        }
      }
      await returnFreedMemory(conn);
    }
    writers.forEach((w, k) => {
      const offset = w.position;
      const spans = scratch[k].copyInOrder((bytes, rows) => w.bytes(bytes, rows));
      kept?.record(w.path, names, hashes, spans, offset, constant?.text ?? null);
    });
    return { rows: total, read: freshCount };
  } finally {
    for (const s of scratch) s.close();
    await conn.run('DROP TABLE IF EXISTS export_order');
    await conn.run('DROP TABLE IF EXISTS export_fresh');
  }
}

/**
 * The query's constant column, when it holds one value in every row (rows there are) and every
 * writer prints that value as it is: its place among the columns and its text. Else null.
 */
async function constantColumn(
  conn: DuckDBConnection,
  q: ExportQuery,
  columns: readonly Column[],
  writers: readonly TableWriter[],
): Promise<{ index: number; text: string } | null> {
  const index = q.constant ? columns.findIndex((c) => c.name === q.constant && c.type === 'VARCHAR') : -1;
  if (index < 0) return null;
  const column = `${q.alias}.${sqlIdent(q.constant!)}`;
  const [[values, text]] = (
    await conn.runAndReadAll(
      `SELECT count(DISTINCT ${column}) + count(*) FILTER (WHERE ${column} IS NULL), min(${column}) FROM ${q.table} ${q.alias}`,
    )
  ).getRowsJS() as [bigint, string | null][];
  return Number(values) === 1 && typeof text === 'string' && writers.every((w) => w.plainText(text))
    ? { index, text }
    : null;
}

/** Rows of the exports' tables, and how many of them were read (the others copied from the published files). */
export interface ExportCounts {
  rows: number;
  read: number;
}

export interface ExportFiles {
  anomaliesCsv: FileSink;
  anomaliesJson: FileSink;
  reportsCsv: FileSink;
}

/**
 * The anomalies table (CSV and JSON, one pass) and the reports table (CSV). With `kept` (the rows
 * of the files as last published), a row unchanged since is copied from the published file, and
 * the files' rows are recorded in it.
 */
export async function writeExports(
  conn: DuckDBConnection,
  files: ExportFiles,
  reportDocuments: string,
  kept: ExportRows | null = null,
): Promise<ExportCounts> {
  const anomaliesQuery: ExportQuery = {
    table: 'anomalies',
    alias: 'a',
    joins: `LEFT JOIN reports r ON r.report_id = a.report_id LEFT JOIN ${reportDocuments} g ON g.report_id = a.report_id`,
    joined: [
      { name: 'report_agency', type: 'VARCHAR', expr: 'r.agency' },
      { name: 'report_year', type: 'INTEGER', expr: 'r.year' },
      { name: 'report_source', type: 'VARCHAR', expr: 'r.source' },
      { name: 'report_group_id', type: 'VARCHAR', expr: 'g.group_id' },
    ],
    orderBy: ['a.rule_id', 'r.agency_norm', 'r.year', 'a.report_id', 'a.fingerprint'],
    // every finding is one the latest run saw
    constant: 'last_seen_run',
  };
  const anomalies = await exportColumns(conn, anomaliesQuery);
  const csv = new CsvWriter(
    files.anomaliesCsv,
    anomalies.map((c) => c.name),
  );
  const json = new JsonWriter(
    files.anomaliesJson,
    anomalies.map((c) => c.name),
  );
  const counts = await writeTable(conn, anomaliesQuery, anomalies, [csv, json], kept);
  csv.end();
  json.end();

  const reportsQuery: ExportQuery = {
    table: 'reports',
    alias: 'r',
    joins: `LEFT JOIN ${reportDocuments} g USING (report_id)`,
    joined: [
      { name: 'group_id', type: 'VARCHAR', expr: 'g.group_id' },
      { name: 'group_is_representative', type: 'BOOLEAN', expr: 'g.is_representative' },
      { name: 'group_n_sources', type: 'INTEGER', expr: 'g.n_sources' },
      { name: 'group_is_primary', type: 'BOOLEAN', expr: 'g.is_primary' },
    ],
    orderBy: ['r.agency_norm', 'r.year', 'r.source', 'r.report_id'],
    // region and level come from the agency CSV, not the document: in the warehouse, the views and the workbook
    omit: ['region', 'level'],
  };
  const reports = await exportColumns(conn, reportsQuery);
  const reportsCsv = new CsvWriter(
    files.reportsCsv,
    reports.map((c) => c.name),
  );
  const reportCounts = await writeTable(conn, reportsQuery, reports, [reportsCsv], kept);
  reportsCsv.end();
  return { rows: counts.rows + reportCounts.rows, read: counts.read + reportCounts.read };
}
