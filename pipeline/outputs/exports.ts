/**
 * anomalies.csv, anomalies.json and reports.csv: every column of the table, then a few columns
 * joined in for convenience (prefixed report_/group_). CSV is UTF-8 with a BOM so Excel reads
 * the Chinese right; an empty field is NULL. A text field starting with = + - @ tab CR or an
 * apostrophe gets one apostrophe in front (so Excel never runs document text as a formula);
 * `readCsvExport` removes it again, so the files round-trip exactly.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import Papa from 'papaparse';
import { queryRows, type Row } from './query.js';

const FORMULA_START = /^[=+\-@\t\r']/;
export const CSV_BOM = '\uFEFF';

export interface TableExport {
  columns: string[];
  rows: Row[];
}

export function toCsv(t: TableExport): string {
  const data = t.rows.map((r) => t.columns.map((c) => r[c] ?? null));
  return CSV_BOM + Papa.unparse({ fields: t.columns, data }, { escapeFormulae: FORMULA_START, newline: '\r\n' }) + '\r\n';
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

async function tableColumns(conn: DuckDBConnection, table: string): Promise<string[]> {
  const rows = await queryRows(conn, `SELECT column_name FROM duckdb_columns() WHERE table_name = $1 AND schema_name = 'main' ORDER BY column_index`, [table]);
  return rows.map((r) => String(r.column_name));
}

export async function anomaliesExport(conn: DuckDBConnection): Promise<TableExport> {
  const own = await tableColumns(conn, 'anomalies');
  const rows = await queryRows(
    conn,
    `SELECT a.*, r.agency AS report_agency, r.year AS report_year, r.source AS report_source, g.group_id AS report_group_id
     FROM anomalies a LEFT JOIN reports r ON r.report_id = a.report_id LEFT JOIN report_documents g ON g.report_id = a.report_id
     ORDER BY a.rule_id, r.agency_norm, r.year, a.report_id, a.fingerprint`,
  );
  return { columns: [...own, 'report_agency', 'report_year', 'report_source', 'report_group_id'], rows };
}

export async function reportsExport(conn: DuckDBConnection): Promise<TableExport> {
  const own = await tableColumns(conn, 'reports');
  const rows = await queryRows(
    conn,
    `SELECT r.*, g.group_id, g.is_representative AS group_is_representative, g.n_sources AS group_n_sources, g.is_primary AS group_is_primary
     FROM reports r LEFT JOIN report_documents g USING (report_id)
     ORDER BY r.agency_norm, r.year, r.source`,
  );
  return { columns: [...own, 'group_id', 'group_is_representative', 'group_n_sources', 'group_is_primary'], rows };
}

export function toJson(t: TableExport): string {
  const ordered = t.rows.map((r) => Object.fromEntries(t.columns.map((c) => [c, r[c] ?? null])));
  return JSON.stringify(ordered, null, 1) + '\n';
}
