/**
 * What the auditors' pages show, read from the warehouse in one place: documents grouped into
 * reports (same agency, year and numbers = one report with several sources), their cells, and
 * the findings, merged across the documents of a report so each is shown once.
 *
 * Memory stays flat in the number of reports: what is held for the whole run is one small record
 * per report and per finding (what the summary page lists); a report's documents, cells and the
 * operands of its findings are read for a batch of pages at a time (`fetchBatch`, `applyBatch`) and
 * released (`releaseBatch`). Reads are set-based: a few queries per batch, one JSON text per row
 * (see `jsonRows`), a report's cells as one text parsed only while its page renders (`cellsOf`).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { finite, jsonRows, queryRows, sqlList, str } from './query.js';
import type { Review } from './reviews.js';
import { loadStanding, type PeerGroup, type Standing } from './standing.js';

export interface CellRef {
  table_id: string;
  row_key: string;
  col_key: string;
  report_id?: string;
}

export interface Cell {
  table_id: string;
  row_key: string;
  col_key: string;
  value: number | null;
  raw: string | null;
  kind: string;
  unit: string | null;
  /** Row of the printed grid (orders sub-rows as printed). */
  grid_row: number | null;
}

export interface SourceDoc {
  source: string;
  /** Folder the source path is relative to (the --input of the run that last saw it). */
  inputDir: string | null;
}

export interface ReportDoc {
  report_id: string;
  format: string | null;
  status: string;
  error: string | null;
  title: string | null;
  group_id: string;
  /** Every path or URL these bytes were found at. */
  sources: SourceDoc[];
  /** A PDF's tables and the page each starts on (`#page=N` links), in table order. */
  tablePages: { table_id: string; page: number }[];
}

/** One row of anomalies, with its JSON columns parsed. */
export interface Finding {
  fingerprint: string;
  rule_id: string;
  severity: string;
  report_id: string;
  related_report_id: string | null;
  table_id: string | null;
  row_key: string | null;
  col_key: string | null;
  expected: number | null;
  actual: number | null;
  message: string;
  /** Read with the pages that show the finding (`applyBatch`); null otherwise. */
  operands: unknown;
  /** Read with the pages that show the finding (`applyBatch`); empty otherwise. */
  cells: CellRef[];
  blank_involved: boolean | null;
  first_seen_run: string | null;
  review_decision: string | null;
  review_note: string | null;
}

/** A finding as shown: the same finding raised on several documents of one report is one. */
export interface ShownFinding {
  /**
   * Its label on every page and export (`findingLabel`): anchors, cell marks, links. Derived from
   * its fingerprint alone, so a finding keeps its label whatever other findings come and go, and
   * a page changes only when what it shows does.
   */
  label: string;
  finding: Finding;
  /** Every anomalies row merged into this one (its documents' fingerprints). */
  members: Finding[];
  group_id: string;
  related_group_id: string | null;
  dismissed: boolean;
  review: Review | null;
}

export interface ReportGroup {
  id: string;
  agency: string | null;
  year: number | null;
  template: string | null;
  status: string;
  /** Other reports of the same agency and year whose numbers differ. */
  versionsInYear: number;
  /** Documents of the report (same agency, year and numbers). */
  nDocs: number;
  /** The representative's first source (or the id): names the report among versions of one year. */
  label: string;
  /** The representative document first, then the other sources; filled by `applyBatch`, then released. */
  docs: ReportDoc[];
  /**
   * The representative's cells as read for the pages being written (one JSON text: `fetchBatch`),
   * parsed only where a page is rendered (`cellsOf`, on a page worker): the main thread holds
   * only the texts of a batch.
   */
  cellsJson: string | null;
  /** Parsed from `cellsJson` by `cellsOf`. */
  cells: Map<string, Cell> | null;
  /** Where the representative's cells lie in the cells table (null: it has none). */
  cellRows: CellRows | null;
  /** Findings about this report. */
  findings: ShownFinding[];
  /** Findings about another report that name this one (cross-year, cross-agency). */
  relatedFindings: ShownFinding[];
  /** Its metrics against its year and level (`loadStanding`; primary reports only). */
  standing?: Standing;
  /** Its agency's page, relative to the report pages, when the agency has one. */
  agencyHref?: string;
}

/**
 * The stretch of the cells table holding a report's cells: pages taken in this order read a
 * stretch of the table (`fetchBatch`), not all of it. Row ids are DuckDB's positions, as read
 * with the groups; the count tells a batch whether it got every cell.
 */
export interface CellRows {
  first: number;
  last: number;
  count: number;
}

export interface RuleInfo {
  rule_id: string;
  severity: string;
  title_zh: string | null;
}

export interface AuditData {
  /** In page order: agency (Chinese collation), year, id. */
  groups: ReportGroup[];
  groupById: Map<string, ReportGroup>;
  /** report_id of every document → id of its report group. */
  groupOf: Map<string, string>;
  findings: ShownFinding[];
  rules: Map<string, RuleInfo>;
  /** Documents in the warehouse (all sources of all reports). */
  documents: number;
  /** Groups by agency and year (links between the versions of one year). */
  versions: Map<string, ReportGroup[]>;
  /** The peers of every year and level (their files, read by the report pages: standing.ts). */
  peers: PeerGroup[];
}

/** A cell's key (as `fetchBatch` builds it in SQL too). */
export const cellKey = (table: string, row: string, col: string): string => `${table}|${row}|${col}`;

const SEVERITY_ORDER: Record<string, number> = { error: 0, warning: 1, info: 2 };
export const severityRank = (s: string): number => SEVERITY_ORDER[s] ?? 3;

/** String.prototype.localeCompare(b, 'zh') and localeCompare(b), without building a collator per call. */
export const zhCollator = new Intl.Collator('zh');
export const defaultCollator = new Intl.Collator();

/** The materialised report_documents view: computed once per output run (each read of the view re-groups every cell). */
export const REPORT_DOCUMENTS = 'out_report_documents';

/** A DOUBLE as JSON can carry it (json_array writes NaN and Infinity bare). */

export async function prepareAuditData(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${REPORT_DOCUMENTS} AS SELECT * FROM report_documents`);
}

export async function releaseAuditData(conn: DuckDBConnection): Promise<void> {
  await dropPageStage(conn);
  await conn.run(`DROP TABLE IF EXISTS ${REPORT_DOCUMENTS}`);
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function parseCells(text: unknown): CellRef[] {
  const parsed = parseJson(text);
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(
    (c): c is CellRef => !!c && typeof c === 'object' && typeof c.table_id === 'string' && typeof c.row_key === 'string' && typeof c.col_key === 'string',
  );
}

type GroupRow = [string, string | null, number | null, string | null, string, number | null, number | null, string, number | null, number | null, number | null];

async function loadGroups(conn: DuckDBConnection): Promise<{ groups: ReportGroup[]; groupOf: Map<string, string>; documents: number }> {
  // one row per report: its representative document, and that document's first source
  const rows = await jsonRows<GroupRow>(
    conn,
    `SELECT json_array(g.group_id, r.agency, r.year, r.template, r.status, g.versions_in_year, g.n_sources, coalesce(f.source, r.source),
                       p.first_row, p.last_row, p.n_cells)
     FROM ${REPORT_DOCUMENTS} g JOIN reports r USING (report_id)
     LEFT JOIN (SELECT sha256, min(source) AS source FROM documents GROUP BY sha256) f ON f.sha256 = r.sha256
     LEFT JOIN (SELECT report_id, min(rowid) AS first_row, max(rowid) AS last_row, count(*) AS n_cells FROM cells GROUP BY report_id) p
       ON p.report_id = g.report_id
     WHERE g.is_representative`,
  );
  const groups = rows.map(
    ([id, agency, year, template, status, versions, nDocs, source, first, last, count]): ReportGroup => ({
      id, agency, year, template, status, versionsInYear: Number(versions ?? 1), nDocs: Number(nDocs ?? 1), label: source ?? id,
      docs: [], cellsJson: null, cells: null, cellRows: first === null || last === null || !count ? null : { first, last, count },
      findings: [], relatedFindings: [],
    }),
  );
  const members = await jsonRows<[string, string]>(conn, `SELECT json_array(report_id, group_id) FROM ${REPORT_DOCUMENTS}`);
  const groupOf = new Map(members);
  return { groups, groupOf, documents: members.length };
}

type FindingRow = [
  string, string, string, string, string | null, string | null, string | null, string | null, number | null, number | null, string,
  boolean | null, string | null, string | null, string | null,
];

function toFinding(r: FindingRow): Finding {
  return {
    fingerprint: r[0], rule_id: r[1], severity: r[2], report_id: r[3], related_report_id: r[4], table_id: r[5], row_key: r[6], col_key: r[7],
    expected: r[8], actual: r[9], message: String(r[10] ?? ''), operands: null, cells: [], blank_involved: r[11],
    first_seen_run: r[12], review_decision: r[13], review_note: r[14],
  };
}

/**
 * One shown finding per anomalies row: the rules keep a finding once per report (its fingerprint
 * names the report, not a document: pipeline/rules/findings.ts), so the page, the exports, the
 * `findings` view and the run summary count the same findings.
 */
function mergeFindings(rows: Finding[], groupOf: Map<string, string>, reviews: Map<string, Review>): ShownFinding[] {
  const merged = new Map<string, ShownFinding>();
  for (const f of rows) {
    const group_id = groupOf.get(f.report_id) ?? f.report_id;
    const related_group_id = f.related_report_id ? (groupOf.get(f.related_report_id) ?? f.related_report_id) : null;
    const key = f.fingerprint;
    const hit = merged.get(key);
    if (hit) {
      hit.members.push(f);
      continue;
    }
    merged.set(key, { label: findingLabel(f.fingerprint), finding: f, members: [f], group_id, related_group_id, dismissed: false, review: null });
  }
  const shown = [...merged.values()];
  for (const s of shown) {
    const reviewed = s.members.find((m) => m.review_decision);
    if (reviewed) {
      s.finding = reviewed;
      s.dismissed = reviewed.review_decision === 'dismissed';
      s.review = reviews.get(reviewed.fingerprint) ?? null;
    }
  }
  return shown;
}

/**
 * A finding's label: F and the head of its fingerprint (an md5 in hex). Eight digits tell apart
 * the findings of one page (a page with 300 has a chance of 1 in 100,000 of two alike; cell marks
 * and anchors still tell them apart by fingerprint).
 */
export const findingLabel = (fingerprint: string): string => `F${fingerprint.slice(0, 8)}`;

/** Groups the versions of one agency's report for one year. */
export const versionKey = (g: ReportGroup): string => `${g.agency ?? ''}\u0001${g.year}`;

export async function loadAuditData(conn: DuckDBConnection, reviews: Map<string, Review>): Promise<AuditData> {
  const { groups, groupOf, documents } = await loadGroups(conn);
  const groupById = new Map(groups.map((g) => [g.id, g]));

  const ruleRows = await queryRows(conn, 'SELECT rule_id, severity, title_zh FROM rules');
  const rules = new Map(ruleRows.map((r) => [String(r.rule_id), { rule_id: String(r.rule_id), severity: String(r.severity), title_zh: str(r.title_zh) }]));

  // Findings about the representative document come first, so a merged finding shows its fingerprint.
  const anomalyRows = await jsonRows<FindingRow>(
    conn,
    `SELECT json_array(a.fingerprint, a.rule_id, a.severity, a.report_id, a.related_report_id, a.table_id, a.row_key, a.col_key,
                       ${finite('a.expected')}, ${finite('a.actual')}, a.message, a.blank_involved, a.first_seen_run, a.review_decision, a.review_note)
     FROM anomalies a LEFT JOIN ${REPORT_DOCUMENTS} g USING (report_id)
     ORDER BY a.rule_id, a.report_id <> coalesce(g.group_id, a.report_id), a.fingerprint`,
  );
  const findings = mergeFindings(anomalyRows.map(toFinding), groupOf, reviews);
  const agencyOf = (s: ShownFinding) => groupById.get(s.group_id)?.agency ?? '';
  const yearOf = (s: ShownFinding) => groupById.get(s.group_id)?.year ?? 0;
  findings.sort(
    (a, b) =>
      severityRank(a.finding.severity) - severityRank(b.finding.severity) ||
      zhCollator.compare(agencyOf(a), agencyOf(b)) ||
      yearOf(a) - yearOf(b) ||
      defaultCollator.compare(a.finding.rule_id, b.finding.rule_id) ||
      defaultCollator.compare(a.finding.fingerprint, b.finding.fingerprint),
  );
  for (const f of findings) {
    groupById.get(f.group_id)?.findings.push(f);
    if (f.related_group_id && f.related_group_id !== f.group_id) groupById.get(f.related_group_id)?.relatedFindings.push(f);
  }
  groups.sort(
    (a, b) => zhCollator.compare(a.agency ?? '\uffff', b.agency ?? '\uffff') || (a.year ?? 0) - (b.year ?? 0) || defaultCollator.compare(a.id, b.id),
  );
  const peers = await loadStanding(conn, groups);
  const versions = new Map<string, ReportGroup[]>();
  for (const g of groups) {
    if (g.year === null) continue;
    const list = versions.get(versionKey(g)) ?? [];
    list.push(g);
    versions.set(versionKey(g), list);
  }
  return { groups, groupById, groupOf, findings, rules, documents, versions, peers };
}

/** The other reports of the same agency and year (different numbers), in page order. */
export function otherVersionsOf(g: ReportGroup, data: AuditData): ReportGroup[] {
  if (g.versionsInYear <= 1 || g.year === null) return [];
  return (data.versions.get(versionKey(g)) ?? []).filter((o) => o.id !== g.id);
}

type DocRow = [string, string, string | null, string, string | null, string | null, string, string | null, string | null, string | null];

/** Every document of every report group with each of its sources (one row per source): what a page lists. */
const DOCUMENT_ROWS = `SELECT g.group_id, g.is_representative, r.report_id, r.format, r.status, r.error, r.title, r.source,
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
async function loadDocs(conn: DuckDBConnection, from: string, where: string): Promise<ReportDoc[]> {
  const rows = await jsonRows<DocRow>(
    conn,
    `SELECT json_array(group_id, report_id, format, status, error, title, source, ledger_source, input, table_pages)
     FROM (${from}) WHERE ${where}
     ORDER BY group_id, is_representative DESC, source, report_id, ledger_source`,
  );
  const docs: ReportDoc[] = [];
  let last: ReportDoc | undefined;
  for (const [group_id, report_id, format, status, error, title, source, ledgerSource, input, tablePages] of rows) {
    if (last?.report_id !== report_id) {
      const pages = (tablePages ?? '').split(',').filter(Boolean).map((tp) => ({ table_id: tp.split(':')[0], page: Number(tp.split(':')[1]) }));
      last = { report_id, format, status, error, title, group_id, sources: [], tablePages: pages };
      docs.push(last);
    }
    // a document the ledger does not know (merged from a shard) keeps the source it was read from
    last.sources.push(ledgerSource === null ? { source, inputDir: null } : { source: ledgerSource, inputDir: input });
  }
  return docs;
}

/**
 * Every document that failed or was read partially, with its sources; and which of the files this
 * run could not read are in the warehouse anyway (listed with their report, not again).
 */
export async function loadProblems(conn: DuckDBConnection, failedSources: readonly string[]): Promise<{ docs: ReportDoc[]; known: Set<string> }> {
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

/** cellKey, then the cell's columns. */
type CellRow = [string, string, string, string, number | null, string | null, string, string | null, number | null];

/** What a batch of pages shows, read from the warehouse (`fetchBatch`) but not yet attached (`applyBatch`). */
export interface BatchData {
  docs: ReportDoc[];
  /** Per report: its cells (JSON text of CellRow[]). */
  cells: [string, string][];
  /** Per finding shown: fingerprint, operands, cells (JSON text). */
  details: [string, string | null, string | null][];
}

/** The pages' documents, staged in page order (`stagePages`), and the page order it is made with. */
const PAGE_DOCUMENTS = 'out_page_documents';
const PAGE_ORDER = 'out_page_order';

/**
 * Where each page stands in the order its batches are read, once its documents are staged in that
 * order (`stagePages`): a batch then reads its stretch of the staged table, a comparison of
 * integers (and beyond a row group, DuckDB skips the rest by its min/max statistics), not a join
 * of the whole documents and reports tables.
 */
export interface PageStage {
  pageNo: Map<string, number>;
}

/**
 * Copies, in page order, the documents each page lists with their sources. Done once per run: read
 * per batch, they took 10 ms a batch at 10,000 reports, a join of the documents and reports tables
 * whole, a cost growing with the square of the number of reports. (The findings' operands are
 * still read per batch by fingerprint: staged, their texts held 20 MB more at 10,000 reports.)
 */
export async function stagePages(conn: DuckDBConnection, pages: readonly ReportGroup[]): Promise<PageStage> {
  const pageNo = new Map(pages.map((g, i) => [g.id, i]));
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${PAGE_ORDER} (group_id VARCHAR, page_no INTEGER)`);
  try {
    const order = await conn.createAppender(PAGE_ORDER);
    try {
      pages.forEach((g, i) => {
        order.appendVarchar(g.id);
        order.appendInteger(i);
        order.endRow();
      });
    } finally {
      order.closeSync();
    }
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE ${PAGE_DOCUMENTS} AS
         SELECT o.page_no, d.* FROM ${PAGE_ORDER} o JOIN (${DOCUMENT_ROWS}) d USING (group_id) ORDER BY o.page_no`,
    );
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${PAGE_ORDER}`);
  }
  return { pageNo };
}

/** Drops the staged copy once the pages are written (and what staging it left, had it failed). */
export async function dropPageStage(conn: DuckDBConnection): Promise<void> {
  for (const table of [PAGE_DOCUMENTS, PAGE_ORDER]) await conn.run(`DROP TABLE IF EXISTS ${table}`);
}

/** `page_no BETWEEN a AND b` over these pages' places in the stage (null when one of them is not staged). */
function pageStretch(stage: PageStage | undefined, pages: readonly ReportGroup[]): string | null {
  if (!stage) return null;
  const at = pages.map((g) => stage.pageNo.get(g.id));
  if (at.some((n) => n === undefined)) return null;
  return `page_no BETWEEN ${Math.min(...(at as number[]))} AND ${Math.max(...(at as number[]))}`;
}

/**
 * Reads what the pages of `pages` show: their documents and sources, the cells of `withCells`
 * (the pages' reports and those shown beside them), the operands and cell lists of their findings.
 * With a `stage`, documents come from its stretch for these pages; the list of ids still decides
 * what is read, so pages out of page order get the same. Touches no group, so the
 * next batch can be read while this one is rendered.
 */
export async function fetchBatch(conn: DuckDBConnection, pages: readonly ReportGroup[], withCells: readonly ReportGroup[], stage?: PageStage): Promise<BatchData> {
  const batch: BatchData = { docs: [], cells: [], details: [] };
  if (pages.length === 0) return batch;
  const stretch = pageStretch(stage, pages);
  const groupIn = `group_id IN (${sqlList(pages.map((g) => g.id))})`;
  batch.docs = stretch ? await loadDocs(conn, `SELECT * FROM ${PAGE_DOCUMENTS}`, `${stretch} AND ${groupIn}`) : await loadDocs(conn, DOCUMENT_ROWS, groupIn);
  // The pages' own cells lie in one stretch of the table (pages go in the order their cells are
  // stored); the reports shown beside them may lie anywhere, so they are read apart rather than
  // widening the pages' ranges.
  const pageIds = new Set(pages.map((g) => g.id));
  const stored = withCells.flatMap((g): [string, CellRows][] => (g.cellRows ? [[g.id, g.cellRows]] : []));
  for (const part of [stored.filter(([id]) => pageIds.has(id)), stored.filter(([id]) => !pageIds.has(id))]) {
    if (part.length) batch.cells.push(...(await readCells(conn, part)));
  }
  const shown = new Set<string>();
  for (const g of pages) for (const s of [...g.findings, ...g.relatedFindings]) shown.add(s.finding.fingerprint);
  if (shown.size) {
    batch.details = await jsonRows<[string, string | null, string | null]>(
      conn,
      `SELECT json_array(fingerprint, operands, cells) FROM anomalies WHERE fingerprint IN (${sqlList(shown)})`,
    );
  }
  return batch;
}

/** Cells of reports that have some (id and where they lie), one JSON text per report: CellRow[]. */
async function readCells(conn: DuckDBConnection, stored: readonly (readonly [string, CellRows])[]): Promise<[string, string][]> {
  const read = async (ids: readonly string[], ranges: string) => {
    const reader = await conn.runAndReadAll(
      `SELECT report_id, count(*)::INTEGER, '[' || string_agg(json_array(table_id || '|' || row_key || '|' || col_key, table_id, row_key, col_key, ${finite('value')}, raw, kind, unit, grid_row)::VARCHAR, ',') || ']'
       FROM cells WHERE report_id IN (${sqlList(ids)}) ${ranges} GROUP BY report_id`,
    );
    const [got = [], counts = [], texts = []] = (reader.currentRowCount > 0 ? reader.getColumnsJS() : []) as [string[], number[], string[]];
    return { counts: new Map(got.map((id, i) => [id, counts[i]])), cells: got.map((id, i): [string, string] => [id, texts[i]]) };
  };
  const ranges = rowRangesFilter(stored.map(([, rows]) => rows));
  const got = await read(stored.map(([id]) => id), ranges);
  if (!ranges) return got.cells;
  // Row ids move when a checkpoint vacuums deleted rows. Nothing writes between `loadGroups` and
  // the last batch, but a report that comes back short of its cells is read again without them.
  const short = new Set(stored.filter(([id, rows]) => got.counts.get(id) !== rows.count).map(([id]) => id));
  if (short.size === 0) return got.cells;
  return [...got.cells.filter(([id]) => !short.has(id)), ...(await read([...short], '')).cells];
}

/** DuckDB skips a row group (this many rows) whose row ids fall outside every range of the filter. */
const ROWS_PER_ROW_GROUP = 122_880;
/** Beyond this many ranges the filter costs more than the scan it saves (1–2 ms a range at 10,000 reports). */
const MAX_ROW_RANGES = 8;

/**
 * `AND (rowid BETWEEN a AND b OR …)` over the stretches of the cells table that hold these reports'
 * cells, ranges less than a row group apart merged; empty when they are too scattered to be worth it.
 * With it a batch reads the row groups of its own reports: the pages' reads stay linear in the
 * number of reports instead of scanning the whole table once per batch.
 */
export function rowRangesFilter(rows: readonly CellRows[]): string {
  const sorted = [...rows].sort((a, b) => a.first - b.first);
  const merged: [number, number][] = [];
  for (const { first, last } of sorted) {
    const prev = merged[merged.length - 1];
    if (prev && first <= prev[1] + ROWS_PER_ROW_GROUP) prev[1] = Math.max(prev[1], last);
    else merged.push([first, last]);
  }
  if (merged.length === 0 || merged.length > MAX_ROW_RANGES) return '';
  return `AND (${merged.map(([a, b]) => `rowid BETWEEN ${a} AND ${b}`).join(' OR ')})`;
}

/** Attaches what `fetchBatch` read to the groups and findings (released by `releaseBatch`). */
export function applyBatch(batch: BatchData, pages: readonly ReportGroup[], withCells: readonly ReportGroup[]): void {
  const byId = new Map(pages.map((g) => [g.id, g]));
  for (const doc of batch.docs) byId.get(doc.group_id)?.docs.push(doc);
  const cellGroups = new Map(withCells.map((g) => [g.id, g]));
  for (const [id, json] of batch.cells) {
    const g = cellGroups.get(id);
    if (g) g.cellsJson = json;
  }
  const shown = new Map<string, Finding>();
  for (const g of pages) for (const s of [...g.findings, ...g.relatedFindings]) shown.set(s.finding.fingerprint, s.finding);
  for (const [fingerprint, operands, cells] of batch.details) {
    const f = shown.get(fingerprint);
    if (!f) continue;
    f.operands = parseJson(operands);
    f.cells = parseCells(cells);
  }
}

/** The cells of a report whose batch is read (empty when it has none). */
export function cellsOf(g: ReportGroup): Map<string, Cell> {
  if (g.cells) return g.cells;
  const cells = new Map<string, Cell>();
  if (g.cellsJson) {
    for (const [key, table_id, row_key, col_key, value, raw, kind, unit, grid_row] of JSON.parse(g.cellsJson) as CellRow[]) {
      cells.set(key, { table_id, row_key, col_key, value, raw, kind: String(kind), unit, grid_row });
    }
  }
  g.cells = cells;
  return cells;
}

export function releaseBatch(pages: readonly ReportGroup[], withCells: readonly ReportGroup[]): void {
  for (const g of withCells) {
    g.cellsJson = null;
    g.cells = null;
  }
  for (const g of pages) {
    g.docs = [];
    for (const s of [...g.findings, ...g.relatedFindings]) {
      s.finding.operands = null;
      s.finding.cells = [];
    }
  }
}
