/**
 * Report-scoped rules (`-- scope: report`) over a large warehouse run a slice of reports at a
 * time. A query over every report at once holds what it aggregates for all of them: at 10,000
 * reports VAL.BLANK_CELL alone needed 150 MB, NARR.PERCENT 200.
 *
 * For a slice, every table with a report_id column (the warehouse's and the rules' scratch
 * tables) is shadowed by a temp view of the same name holding the slice's rows: a rule, and the
 * prelude's views it reads, see only the slice's reports whatever the shape of its query (an
 * outer WHERE does not reach the scans through a materialised CTE or a join on another key).
 * A report's findings depend only on its own rows, so the findings are the same.
 *
 * The slices follow the order the rows are stored in, not the report ids (hashes: every range of
 * them is spread over the whole table): a report's place is that of its first cell, so a slice's
 * cells lie together, and the prelude's tables, filled a slice at a time, hold each slice's rows
 * together too. Each view reads only the row ids (`rowid`) between the slice's first and last row
 * in that table, a range DuckDB's table scan skips to: a slice reads its own rows, not the whole
 * table (which made the slices' cost grow with the square of the warehouse: N/5,000 scans of N).
 * The range only narrows the scan; the slice's rows are those of its reports (`report_id IN`).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlIdent } from '../common/index.js';

/**
 * Reports per slice. At 10,000 reports, slices of 2,000 took the rules 8.4 s and 289 MB at the
 * peak, slices of 5,000 6.1 s and 307 MB (DuckDB at 160 MB), when every slice scanned the tables whole.
 */
export const REPORTS_PER_SLICE = 5000;

/**
 * Reports per slice of the prelude's report-scoped tables. They aggregate every cell of a slice at
 * once (rules_work.sums groups about a hundred sums per report), so they take smaller slices: at
 * 10,000 reports sums in slices of 5,000 peaked at 120–145 MB over what the process held before.
 */
export const PRELUDE_REPORTS_PER_SLICE = REPORTS_PER_SLICE / 2;

/** Temp table of every report's place in storage order: (report_id, pos from 0, first_row, after: see orderReports). */
const ORDER = 'rule_report_order';

/** A division of the warehouse's reports into slices of about `perSlice` in storage order. */
export interface Slicing {
  /** Where each slice starts: its first report's place (pos), and its first cell's row id when no report of an
   * earlier slice has cells after it (a clean cut: the slice's cells are the rows from there to the next cut). */
  readonly cuts: readonly { pos: number; cellRow: bigint | null }[];
  /** Row-id ranges of each table's slices, by table (see rowRanges). */
  readonly ranges: Map<string, { key: string; rows: TableRows }>;
}

/**
 * Places every report (of `reports` or with cells) in storage order: by its first cell's row id,
 * the reports without cells first; `clean` is true where no report placed before has a cell
 * after the report's first. One scan of cells, once per evaluation.
 */
export async function orderReports(conn: DuckDBConnection): Promise<void> {
  const db = sqlIdent(String((await conn.runAndReadAll('SELECT current_database()')).getRowsJS()[0][0]));
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${ORDER} AS
    WITH placed AS (
      SELECT report_id, min(first_row) AS first_row, max(last_row) AS last_row
      FROM (SELECT report_id, min(rowid) AS first_row, max(rowid) AS last_row FROM ${db}.main.cells GROUP BY report_id
            UNION ALL SELECT report_id, NULL, NULL FROM ${db}.main.reports)
      WHERE report_id IS NOT NULL
      GROUP BY report_id
    ), ordered AS (
      SELECT report_id, (row_number() OVER (ORDER BY first_row NULLS FIRST, report_id) - 1)::INTEGER AS pos, first_row,
             max(last_row) OVER (ORDER BY first_row NULLS FIRST, report_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
      FROM placed
    )
    SELECT report_id, pos, first_row, first_row IS NOT NULL AND (before IS NULL OR before < first_row) AS clean FROM ordered`);
}

export async function dropReportOrder(conn: DuckDBConnection): Promise<void> {
  await conn.run(`DROP TABLE IF EXISTS temp.main.${ORDER}`);
}

/**
 * Slices of about `perSlice` reports over the order orderReports made: each cut at the clean place
 * nearest to a multiple of perSlice (within half a slice), else at the multiple itself.
 */
export async function reportSlices(conn: DuckDBConnection, perSlice: number = REPORTS_PER_SLICE): Promise<Slicing> {
  const size = Math.max(1, Math.floor(perSlice));
  const reach = Math.floor(size / 2);
  const rows = await conn.runAndReadAll(
    `WITH targets AS (SELECT unnest(range(${size}, (SELECT count(*) FROM ${ORDER}), ${size})) AS target)
     SELECT t.target, arg_min(o.pos, abs(o.pos - t.target)) AS pos, arg_min(o.first_row, abs(o.pos - t.target)) AS first_row
     FROM targets t LEFT JOIN ${ORDER} o ON o.clean AND o.pos BETWEEN t.target - ${reach} AND t.target + ${reach}
     GROUP BY t.target ORDER BY t.target`,
  );
  const cuts: { pos: number; cellRow: bigint | null }[] = [{ pos: 0, cellRow: 0n }];
  for (const [target, pos, firstRow] of rows.getRows()) {
    const cut =
      pos === null ? { pos: Number(target), cellRow: null } : { pos: Number(pos), cellRow: BigInt(firstRow as bigint) };
    if (cut.pos > cuts[cuts.length - 1].pos) cuts.push(cut);
  }
  return { cuts, ranges: new Map() };
}

/** The first place (pos) of slice i and of the next (null: the last slice). */
const placesOf = (s: Slicing, i: number): [number, number | null] => [s.cuts[i].pos, s.cuts[i + 1]?.pos ?? null];

/**
 * The condition on report_id of slice `i`: its reports; the first slice also takes the rows of
 * no report or of a report not placed (none in a warehouse the loader wrote), so every row is in
 * one slice, unless `placedOnly` (a table known to hold no such row: the test of every row
 * against every report id, in each scan of the table, took the first slice past DuckDB's memory).
 */
export function sliceCondition(s: Slicing, i: number, placedOnly = false): string {
  const [from, to] = placesOf(s, i);
  const own = `report_id IN (SELECT report_id FROM ${ORDER} WHERE pos >= ${from}${to === null ? '' : ` AND pos < ${to}`})`;
  return i === 0 && !placedOnly
    ? `(${own} OR report_id IS NULL OR report_id NOT IN (SELECT report_id FROM ${ORDER}))`
    : own;
}

/**
 * The cells of slice i by row id alone, when both its cuts are clean (every cell from its first
 * cut to the next is of its reports, and no other); null otherwise.
 */
function cellRowsOf(s: Slicing, i: number): string | null {
  const from = s.cuts[i].cellRow;
  const next = s.cuts[i + 1];
  if (from === null || (next && next.cellRow === null)) return null;
  return next ? `rowid >= ${from} AND rowid < ${next.cellRow}` : `rowid >= ${from}`;
}

/**
 * The condition on `table`'s rows (a warehouse table with report_id, qualified) that they are of the
 * reports `reports` (a query of report ids), narrowed to the row ids between their first and last
 * row, which DuckDB's table scan skips to: an incremental run's few reports, the new ones loaded
 * last, are a short range of a large table (their cells were read in 4 ms instead of 37 at 10,000
 * reports), and a scope spread over the table reads no more than it did. Found by one scan of
 * report_id alone.
 */
export async function rowsOfReports(conn: DuckDBConnection, table: string, reports: string): Promise<string> {
  const own = `report_id IN (${reports})`;
  const [[first, last]] = (
    await conn.runAndReadAll(`SELECT min(rowid), max(rowid) FROM ${table} WHERE ${own}`)
  ).getRows();
  return first === null ? 'false' : `rowid BETWEEN ${first} AND ${last} AND ${own}`;
}

interface ReportTable {
  name: string;
  qualified: string;
  /** The warehouse's cells (not a scratch table of the same name). */
  isCells: boolean;
  /** Changes when the table is replaced or its rows are added or removed. */
  key: string;
  rows: bigint;
}

/** The tables a slice shadows: every table of the warehouse and of rules_work with a report_id column. */
async function tablesWithReports(conn: DuckDBConnection): Promise<ReportTable[]> {
  const rows = await conn.runAndReadAll(
    `SELECT DISTINCT t.database_name, t.table_name, t.table_oid, t.estimated_size, t.database_name = current_database()
     FROM duckdb_tables() t JOIN duckdb_columns() c USING (database_name, schema_name, table_name)
     WHERE c.column_name = 'report_id' AND NOT t.temporary AND t.schema_name = 'main'
       AND t.database_name IN (current_database(), 'rules_work')
     ORDER BY ALL`,
  );
  return rows.getRows().map(([db, table, oid, size, warehouse]) => ({
    name: String(table),
    qualified: `${sqlIdent(String(db))}.main.${sqlIdent(String(table))}`,
    isCells: warehouse === true && table === 'cells',
    key: `${oid}|${size}`,
    rows: BigInt(size as bigint),
  }));
}

/** Where each slice's rows lie in a table, and whether it has rows of no placed report. */
interface TableRows {
  ranges: Map<number, [bigint, bigint]>;
  unplaced: boolean;
}

/**
 * The first and last row id of each slice's rows in a table, from one scan of it, kept for as
 * long as the table stays as it is (its oid and size).
 */
async function rowRanges(conn: DuckDBConnection, s: Slicing, t: ReportTable): Promise<TableRows> {
  const known = s.ranges.get(t.qualified);
  if (known && known.key === t.key) return known.rows;
  const starts = `[${s.cuts.map((c) => c.pos).join(', ')}]`;
  const result = await conn.runAndReadAll(
    `SELECT coalesce(len(list_filter(${starts}, x -> x <= o.pos)), 1)::INTEGER - 1 AS slice, min(t.rowid), max(t.rowid),
            bool_or(o.pos IS NULL)
     FROM ${t.qualified} t LEFT JOIN ${ORDER} o USING (report_id) GROUP BY ALL`,
  );
  const rows: TableRows = { ranges: new Map(), unplaced: false };
  for (const [slice, lo, hi, unplaced] of result.getRows()) {
    rows.ranges.set(Number(slice), [BigInt(lo as bigint), BigInt(hi as bigint)]);
    if (unplaced) rows.unplaced = true;
  }
  s.ranges.set(t.qualified, { key: t.key, rows });
  return rows;
}

/**
 * Shadows every table with a report_id column (but those in `skip`) by a temp view of its rows
 * meeting `condition`, or `whereOf(t)` when given (the same rows, said more cheaply); returns what
 * removes the shadows.
 */
export async function shadowTables(
  conn: DuckDBConnection,
  condition: string,
  skip: readonly string[] = [],
  whereOf?: (t: ReportTable) => Promise<string>,
): Promise<() => Promise<void>> {
  const tables = (await tablesWithReports(conn)).filter((t) => !skip.includes(t.name));
  // the views made and dropped in one statement each (a statement costs about half a millisecond)
  const remove = async () => {
    if (tables.length)
      await conn.run(tables.map((t) => `DROP VIEW IF EXISTS temp.main.${sqlIdent(t.name)};`).join('\n'));
  };
  try {
    const views: string[] = [];
    for (const t of tables) {
      const where = whereOf ? await whereOf(t) : condition;
      views.push(`CREATE OR REPLACE TEMP VIEW ${sqlIdent(t.name)} AS SELECT * FROM ${t.qualified} WHERE ${where};`);
    }
    if (views.length) await conn.run(views.join('\n'));
  } catch (e) {
    await remove();
    throw e;
  }
  return remove;
}

/**
 * Runs `work` once per slice (with its condition on report_id and its index) with the tables
 * shadowed by the slice's rows, and removes the shadows after each (also when it fails: the
 * outputs read the whole warehouse). The tables are listed again for each slice: `work` may
 * create one. `filling` names the tables `work` fills a slice at a time (appending each slice's
 * rows after the earlier slices'): in slice i such a table holds slices 0…i−1, then its own rows.
 */
export async function forEachSlice(
  conn: DuckDBConnection,
  s: Slicing,
  work: (condition: string, slice: number) => Promise<void>,
  filling: readonly string[] = [],
): Promise<void> {
  for (let i = 0; i < s.cuts.length; i++) {
    const condition = sliceCondition(s, i);
    const cells = cellRowsOf(s, i);
    // each view reads the range of row ids holding the slice's rows, and keeps those of its reports
    const whereOf = async (t: ReportTable): Promise<string> => {
      // a clean slice's cells are a range of rows: no join with the slice's reports (which, on
      // every scan of cells, took the sums' slices past DuckDB's memory)
      if (cells && t.isCells) return cells;
      // the rows this slice appends come after every row the table holds now (none of slice 0: it makes the table)
      if (filling.includes(t.name)) return `rowid >= ${t.rows} AND ${condition}`;
      const rows = await rowRanges(conn, s, t);
      const range = rows.ranges.get(i);
      return range ? `rowid BETWEEN ${range[0]} AND ${range[1]} AND ${sliceCondition(s, i, !rows.unplaced)}` : 'false';
    };
    const remove = await shadowTables(conn, condition, [], whereOf);
    try {
      await work(condition, i);
    } finally {
      await remove();
    }
  }
}
