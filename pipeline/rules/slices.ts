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
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlIdent, sqlString } from '../common/index.js';

/**
 * Reports per slice. Each slice scans the tables whole (report ids are hashes: no range of them is
 * stored together), so more slices cost more time: at 10,000 reports, slices of 2,000 took the
 * rules 8.4 s and 289 MB at the peak, slices of 5,000 6.1 s and 307 MB (DuckDB at 160 MB).
 */
export const REPORTS_PER_SLICE = 5000;

/**
 * Reports per slice of the prelude's report-scoped tables. They aggregate every cell of a slice at
 * once (rules_work.sums groups about a hundred sums per report), so they take smaller slices: at
 * 10,000 reports sums in slices of 5,000 peaked at 120–145 MB over what the process held before.
 */
export const PRELUDE_REPORTS_PER_SLICE = REPORTS_PER_SLICE / 2;

/** The first report id of every slice but the first (none when the warehouse fits in one slice). */
export async function reportSlices(conn: DuckDBConnection, perSlice: number = REPORTS_PER_SLICE): Promise<string[]> {
  const rows = await conn.runAndReadAll(
    `SELECT report_id FROM (SELECT report_id, row_number() OVER (ORDER BY report_id) - 1 AS i FROM reports)
     WHERE i > 0 AND i % ${Math.max(1, Math.floor(perSlice))} = 0 ORDER BY report_id`,
  );
  return rows.getRows().map((r) => String(r[0]));
}

/** The condition of each slice, in report-id order (a missing report id goes with the first). */
export function sliceConditions(bounds: readonly string[]): string[] {
  if (bounds.length === 0) return [];
  const at = bounds.map(sqlString);
  return [
    `report_id < ${at[0]} OR report_id IS NULL`,
    ...at.slice(1).map((hi, i) => `report_id >= ${at[i]} AND report_id < ${hi}`),
    `report_id >= ${at[at.length - 1]}`,
  ];
}

/** The tables a slice shadows: every table of the warehouse and of rules_work with a report_id column. */
async function tablesWithReports(conn: DuckDBConnection): Promise<{ name: string; qualified: string }[]> {
  const rows = await conn.runAndReadAll(
    `SELECT DISTINCT t.database_name, t.table_name
     FROM duckdb_tables() t JOIN duckdb_columns() c USING (database_name, schema_name, table_name)
     WHERE c.column_name = 'report_id' AND NOT t.temporary AND t.schema_name = 'main'
       AND t.database_name IN (current_database(), 'rules_work')
     ORDER BY ALL`,
  );
  return rows.getRows().map(([db, table]) => ({
    name: String(table),
    qualified: `${sqlIdent(String(db))}.main.${sqlIdent(String(table))}`,
  }));
}

/**
 * Shadows every table with a report_id column (but those in `skip`) by a temp view of its rows
 * meeting `condition`; returns what removes the shadows.
 */
export async function shadowTables(
  conn: DuckDBConnection,
  condition: string,
  skip: readonly string[] = [],
): Promise<() => Promise<void>> {
  const tables = (await tablesWithReports(conn)).filter((t) => !skip.includes(t.name));
  const remove = async () => {
    for (const t of tables) await conn.run(`DROP VIEW IF EXISTS temp.main.${sqlIdent(t.name)}`);
  };
  try {
    for (const t of tables)
      await conn.run(
        `CREATE OR REPLACE TEMP VIEW ${sqlIdent(t.name)} AS SELECT * FROM ${t.qualified} WHERE ${condition}`,
      );
  } catch (e) {
    await remove();
    throw e;
  }
  return remove;
}

/**
 * Runs `work` once per slice (with its index) with the tables shadowed by the slice's rows, and
 * removes the shadows after each (also when it fails: the outputs read the whole warehouse).
 * The tables are listed again for each slice: `work` may create one (a sliced prelude table).
 */
export async function forEachSlice(
  conn: DuckDBConnection,
  bounds: readonly string[],
  work: (where: string, slice: number) => Promise<void>,
): Promise<void> {
  const conditions = sliceConditions(bounds);
  for (let i = 0; i < conditions.length; i++) {
    const remove = await shadowTables(conn, conditions[i]);
    try {
      await work(`WHERE ${conditions[i]}`, i);
    } finally {
      await remove();
    }
  }
}
