/**
 * The documents of each report with every source they were found at: what a report page lists,
 * the index's reports list and its list of documents not read whole.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { REPORT_DOCUMENTS, type ReportDoc } from './audit-data.js';
import { jsonRows, namedRows, sqlList } from '../query.js';

/** One document and one of its sources, as `loadDocs` reads it. */
interface DocRow {
  group_id: string;
  report_id: string;
  format: string | null;
  status: string;
  error: string | null;
  title: string | null;
  source: string;
  ledger_source: string | null;
  input: string | null;
  table_pages: string | null;
}

/** Every document of every report group with each of its sources (one row per source): what a page lists. */
export const DOCUMENT_ROWS = `SELECT g.group_id, g.is_representative, r.report_id, r.format, r.status, r.error, r.title, r.source,
         d.source AS ledger_source, ru.input, tp.table_pages
     FROM ${REPORT_DOCUMENTS} g JOIN reports r USING (report_id)
     LEFT JOIN documents d ON d.sha256 = r.sha256
     LEFT JOIN runs ru ON ru.run_id = d.last_seen_run
     LEFT JOIN (  -- where a PDF prints each table: its first page
       SELECT report_id, string_agg(table_id || ':' || page, ',' ORDER BY table_id) AS table_pages
       FROM (SELECT report_id, table_id, min(page) AS page FROM cells WHERE page IS NOT NULL GROUP BY ALL)
       GROUP BY report_id
     ) tp ON tp.report_id = r.report_id`;

/** Documents and their sources from `from` (DOCUMENT_ROWS, or the pages' staged copy of it) where `where` holds. */
export async function loadDocs(conn: DuckDBConnection, from: string, where: string): Promise<ReportDoc[]> {
  const rows = await namedRows<DocRow>(
    conn,
    `SELECT group_id, report_id, format, status, error, title, source, ledger_source, input, table_pages
     FROM (${from}) WHERE ${where}
     ORDER BY group_id, is_representative DESC, source, report_id, ledger_source`,
  );
  const docs: ReportDoc[] = [];
  let last: ReportDoc | undefined;
  for (const r of rows) {
    if (last?.report_id !== r.report_id) {
      const pages = (r.table_pages ?? '')
        .split(',')
        .filter(Boolean)
        .map((tp) => ({ table_id: tp.split(':')[0], page: Number(tp.split(':')[1]) }));
      last = {
        report_id: r.report_id,
        format: r.format,
        status: r.status,
        error: r.error,
        title: r.title,
        group_id: r.group_id,
        sources: [],
        tablePages: pages,
      };
      docs.push(last);
    }
    // a document the ledger does not know (merged from a shard) keeps the source it was read from
    last.sources.push(
      r.ledger_source === null ? { source: r.source, inputDir: null } : { source: r.ledger_source, inputDir: r.input },
    );
  }
  return docs;
}

/**
 * Every document that failed or was read partially, with its sources; and which of the files this
 * run could not read are in the warehouse anyway (listed with their report, not again).
 */
export async function loadProblems(
  conn: DuckDBConnection,
  failedSources: readonly string[],
): Promise<{ docs: ReportDoc[]; known: Set<string> }> {
  const docs = await loadDocs(conn, DOCUMENT_ROWS, `status <> 'ok'`);
  const known = new Set<string>();
  if (failedSources.length) {
    const list = sqlList(new Set(failedSources));
    const rows = await jsonRows<[string]>(
      conn,
      `SELECT json_array(source) FROM documents WHERE source IN (${list}) AND sha256 IN (SELECT sha256 FROM reports)
       UNION SELECT json_array(source) FROM reports WHERE source IN (${list})`,
    );
    for (const [source] of rows) known.add(source);
  }
  return { docs, known };
}
