/**
 * What the auditors' pages show (the view model), read from the warehouse in one place:
 * documents grouped into reports (same agency, year and numbers = one report with several
 * sources), and the findings, merged across the documents of a report so each is shown once.
 *
 * Memory stays flat in the number of reports: what is held for the whole run is one small record
 * per report and per finding (what the summary page lists); a report's documents, cells and the
 * operands of its findings are read for a batch of pages at a time and released again
 * (page-batches.ts). A report's cells come as one text parsed only while its page renders (`cellsOf`).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { eachNamedRow, finite, queryRows, str } from '../query.js';
import { Interner } from '../../common/index.js';
import { returnFreedMemory } from '../../warehouse/index.js';
import type { Review } from '../../rules/index.js';
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
  /** md5 of the operands and cell lists as stored: what they are, without reading them (page-keys.ts). */
  detail: string;
  /** The reports the operands and cell lists name (found in their text; page-keys.ts). */
  named: string[];
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
  /** The run that loaded the representative (its cells change only when it is loaded again). */
  loadedRun: string | null;
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
  /** Groups by agency and year, of the reports with other versions in their year (links between them). */
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

/**
 * Each distinct text's place in `collator`'s order, texts it finds equal sharing one: sorting by
 * it sorts as the collator does, comparing the distinct texts once instead of two texts on every
 * comparison (a collator's comparison is slow: sorting 10,000 reports by agency with it took
 * tens of milliseconds each run).
 */
export function collationRanks(texts: Iterable<string>, collator: Intl.Collator): Map<string, number> {
  const distinct = [...new Set(texts)].sort(collator.compare);
  const ranks = new Map<string, number>();
  let rank = 0;
  for (let i = 0; i < distinct.length; i++) {
    if (i > 0 && collator.compare(distinct[i - 1], distinct[i]) !== 0) rank++;
    ranks.set(distinct[i], rank);
  }
  return ranks;
}

/** report_documents as the outputs read it (materialised for the run: materialised-views.ts). */
export const REPORT_DOCUMENTS = 'report_documents';

/** One row per report, as `loadGroups` reads it. */
interface GroupRow {
  id: string;
  agency: string | null;
  year: number | null;
  template: string | null;
  status: string;
  versions: number | null;
  n_docs: number | null;
  source: string | null;
  loaded_run: string | null;
  first_row: number | null;
  last_row: number | null;
  n_cells: number | null;
}

async function loadGroups(
  conn: DuckDBConnection,
  texts: Interner,
): Promise<{ groups: ReportGroup[]; groupOf: Map<string, string>; documents: number }> {
  // one row per report: its representative document, and that document's first source
  const groups: ReportGroup[] = [];
  await eachNamedRow<GroupRow>(
    conn,
    `SELECT g.group_id AS id, r.agency, r.year, r.template, r.status, g.versions_in_year AS versions, g.n_sources AS n_docs, coalesce(f.source, r.source) AS source,
            r.loaded_run, p.first_row, p.last_row, p.n_cells
     FROM ${REPORT_DOCUMENTS} g JOIN reports r USING (report_id)
     LEFT JOIN (SELECT sha256, min(source) AS source FROM documents GROUP BY sha256) f ON f.sha256 = r.sha256
     LEFT JOIN (SELECT report_id, min(rowid) AS first_row, max(rowid) AS last_row, count(*) AS n_cells FROM cells GROUP BY report_id) p
       ON p.report_id = g.report_id
     WHERE g.is_representative`,
    (r) =>
      groups.push({
        id: texts.of(r.id),
        agency: texts.of(r.agency),
        year: r.year,
        template: texts.of(r.template),
        status: texts.of(r.status),
        versionsInYear: Number(r.versions ?? 1),
        nDocs: Number(r.n_docs ?? 1),
        label: r.source ?? r.id,
        loadedRun: texts.of(r.loaded_run),
        docs: [],
        cellsJson: null,
        cells: null,
        cellRows:
          r.first_row === null || r.last_row === null || !r.n_cells
            ? null
            : { first: r.first_row, last: r.last_row, count: r.n_cells },
        findings: [],
        relatedFindings: [],
      }),
  );
  const groupOf = new Map<string, string>();
  await eachNamedRow<{ report_id: string; group_id: string }>(
    conn,
    `SELECT report_id, group_id FROM ${REPORT_DOCUMENTS}`,
    (r) => groupOf.set(texts.of(r.report_id), texts.of(r.group_id)),
  );
  return { groups, groupOf, documents: groupOf.size };
}

/** One row of anomalies as `loadAuditData` reads it: a Finding without what is read with its pages. */
type FindingRow = Omit<Finding, 'operands' | 'cells'>;

/** No report named, no cells read: one array for all (most findings name none; cells are read with a page). */
const NAMED_NONE: string[] = [];
const NO_CELLS: CellRef[] = [];

/**
 * A finding as held for the run: a literal of fixed shape (a spread of the row made a larger object), its
 * repeated texts (rule, keys, run, report ids) one copy each; the properties in the order of the query's columns.
 */
const toFinding = (r: FindingRow, texts: Interner): Finding => ({
  fingerprint: r.fingerprint,
  rule_id: texts.of(r.rule_id),
  severity: texts.of(r.severity),
  report_id: texts.of(r.report_id),
  related_report_id: texts.of(r.related_report_id),
  table_id: texts.of(r.table_id),
  row_key: texts.of(r.row_key),
  col_key: texts.of(r.col_key),
  expected: r.expected,
  actual: r.actual,
  message: String(r.message ?? ''),
  blank_involved: r.blank_involved,
  first_seen_run: texts.of(r.first_seen_run),
  review_decision: texts.of(r.review_decision),
  review_note: r.review_note,
  detail: r.detail,
  named: r.named.length ? r.named.map((id) => texts.of(id)) : NAMED_NONE,
  operands: null,
  cells: NO_CELLS,
});

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
    merged.set(key, {
      label: findingLabel(f.fingerprint),
      finding: f,
      members: [f],
      group_id,
      related_group_id,
      dismissed: false,
      review: null,
    });
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
  const texts = new Interner();
  const { groups, groupOf, documents } = await loadGroups(conn, texts);
  const groupById = new Map(groups.map((g) => [g.id, g]));

  const ruleRows = await queryRows(conn, 'SELECT rule_id, severity, title_zh FROM rules');
  const rules = new Map(
    ruleRows.map((r) => [
      String(r.rule_id),
      { rule_id: String(r.rule_id), severity: String(r.severity), title_zh: str(r.title_zh) },
    ]),
  );

  // Findings about the representative document come first, so a merged finding shows its fingerprint.
  const anomalyRows: Finding[] = [];
  await eachNamedRow<FindingRow>(
    conn,
    `SELECT a.fingerprint, a.rule_id, a.severity, a.report_id, a.related_report_id, a.table_id, a.row_key, a.col_key,
            ${finite('a.expected')} AS expected, ${finite('a.actual')} AS actual, a.message, a.blank_involved, a.first_seen_run, a.review_decision, a.review_note,
            md5(coalesce(a.operands, '') || chr(1) || coalesce(a.cells, '')) AS detail,
            list_sort(list_distinct(regexp_extract_all(coalesce(a.operands, '') || coalesce(a.cells, ''), '"report_id"\\s*:\\s*"([^"]+)"', 1))) AS named
     FROM anomalies a LEFT JOIN ${REPORT_DOCUMENTS} g USING (report_id)
     ORDER BY a.rule_id, a.report_id <> coalesce(g.group_id, a.report_id), a.fingerprint`,
    (r) => anomalyRows.push(toFinding(r, texts)),
  );
  // what DuckDB freed after the findings' read (their operands and cells searched: 30-50 MB at
  // 50,000 reports) is given back before the standing's read adds its own (the outputs' peak)
  await returnFreedMemory(conn);
  const findings = mergeFindings(anomalyRows, groupOf, reviews);
  // agencies (no agency: first among findings, last among reports) and rules in their collators' order
  const agencyRank = collationRanks(
    ['', '\uffff', ...groups.map((g) => g.agency).filter((a): a is string => a !== null)],
    zhCollator,
  );
  const ruleRank = collationRanks(
    findings.map((f) => f.finding.rule_id),
    defaultCollator,
  );
  const agencyOf = (s: ShownFinding) => agencyRank.get(groupById.get(s.group_id)?.agency ?? '')!;
  const yearOf = (s: ShownFinding) => groupById.get(s.group_id)?.year ?? 0;
  findings.sort(
    (a, b) =>
      severityRank(a.finding.severity) - severityRank(b.finding.severity) ||
      agencyOf(a) - agencyOf(b) ||
      yearOf(a) - yearOf(b) ||
      ruleRank.get(a.finding.rule_id)! - ruleRank.get(b.finding.rule_id)! ||
      defaultCollator.compare(a.finding.fingerprint, b.finding.fingerprint),
  );
  for (const f of findings) {
    groupById.get(f.group_id)?.findings.push(f);
    if (f.related_group_id && f.related_group_id !== f.group_id)
      groupById.get(f.related_group_id)?.relatedFindings.push(f);
  }
  // arrays grown by push keep room for more (17 slots for one finding): held for the run, they are cut to size
  for (const g of groups) {
    if (g.findings.length) g.findings = g.findings.slice();
    if (g.relatedFindings.length) g.relatedFindings = g.relatedFindings.slice();
  }
  for (const f of findings) if (f.members.length > 1) f.members = f.members.slice();
  groups.sort(
    (a, b) =>
      agencyRank.get(a.agency ?? '\uffff')! - agencyRank.get(b.agency ?? '\uffff')! ||
      (a.year ?? 0) - (b.year ?? 0) ||
      defaultCollator.compare(a.id, b.id),
  );
  const peers = await loadStanding(conn, groups);
  // the same link for every report of an agency, of a year and level: one text each
  for (const g of groups) {
    if (g.agencyHref) g.agencyHref = texts.of(g.agencyHref);
    if (g.standing) g.standing.peers = texts.of(g.standing.peers);
  }
  // only reports with another version in their year are looked up (`otherVersionsOf`, the pages and their keys)
  const versions = new Map<string, ReportGroup[]>();
  for (const g of groups) {
    if (g.year === null || g.versionsInYear <= 1) continue;
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

/**
 * A report's cells as a batch reads them (page-batches.ts): one JSON text of an array of rows,
 * each the columns `CELL_COLUMNS` names in that order (a typed row: the cells are the bulk of
 * what the pages read, and named objects would repeat every name in every cell).
 */
export const CELL_COLUMNS = [
  'table_id',
  'row_key',
  'col_key',
  'value',
  'raw',
  'kind',
  'unit',
  'grid_row',
] as const satisfies readonly (keyof Cell)[];
type CellRow = [string, string, string, number | null, string | null, string, string | null, number | null];

/** The cells of a report whose batch is read (empty when it has none). */
export function cellsOf(g: ReportGroup): Map<string, Cell> {
  if (g.cells) return g.cells;
  const cells = new Map<string, Cell>();
  if (g.cellsJson) {
    for (const [table_id, row_key, col_key, value, raw, kind, unit, grid_row] of JSON.parse(g.cellsJson) as CellRow[]) {
      cells.set(cellKey(table_id, row_key, col_key), {
        table_id,
        row_key,
        col_key,
        value,
        raw,
        kind: String(kind),
        unit,
        grid_row,
      });
    }
  }
  g.cells = cells;
  return cells;
}
