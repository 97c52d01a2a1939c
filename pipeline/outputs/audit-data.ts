/**
 * What the auditors' pages show, read from the warehouse in one place: documents grouped into
 * reports (same agency, year and numbers = one report with several sources), their cells, and
 * the findings, merged across the documents of a report so each is shown once.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { num, queryRows, str, type Row } from './query.js';
import type { Review } from './reviews.js';

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
  agency: string | null;
  year: number | null;
  template: string | null;
  status: string;
  error: string | null;
  title: string | null;
  tables_found: string | null;
  group_id: string;
  /** Every path or URL these bytes were found at. */
  sources: SourceDoc[];
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
  operands: unknown;
  cells: CellRef[];
  blank_involved: boolean | null;
  first_seen_run: string | null;
  review_decision: string | null;
  review_note: string | null;
}

/** A finding as shown: the same finding raised on several documents of one report is one. */
export interface ShownFinding {
  /** Stable id within the output (F + position), used for anchors and cell marks. */
  id: string;
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
  /** The representative document first, then the other sources. */
  docs: ReportDoc[];
  agency: string | null;
  year: number | null;
  template: string | null;
  status: string;
  /** Other reports of the same agency and year whose numbers differ. */
  versionsInYear: number;
  /** The representative's cells; filled by `loadCells` for the pages being written, then released. */
  cells: Map<string, Cell>;
  /** Findings about this report. */
  findings: ShownFinding[];
  /** Findings about another report that name this one (cross-year, cross-agency). */
  relatedFindings: ShownFinding[];
}

export interface RuleInfo {
  rule_id: string;
  severity: string;
  title_zh: string | null;
}

export interface AuditData {
  groups: ReportGroup[];
  groupById: Map<string, ReportGroup>;
  /** report_id of every document → id of its report group. */
  groupOf: Map<string, string>;
  findings: ShownFinding[];
  rules: Map<string, RuleInfo>;
}

export const cellKey = (table: string, row: string, col: string): string => `${table}|${row}|${col}`;

const SEVERITY_ORDER: Record<string, number> = { error: 0, warning: 1, info: 2 };
export const severityRank = (s: string): number => SEVERITY_ORDER[s] ?? 3;

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

function toFinding(r: Row): Finding {
  return {
    fingerprint: String(r.fingerprint), rule_id: String(r.rule_id), severity: String(r.severity), report_id: String(r.report_id),
    related_report_id: str(r.related_report_id), table_id: str(r.table_id), row_key: str(r.row_key), col_key: str(r.col_key),
    expected: num(r.expected), actual: num(r.actual), message: String(r.message), operands: parseJson(r.operands),
    cells: parseCells(r.cells), blank_involved: r.blank_involved === null ? null : Boolean(r.blank_involved),
    first_seen_run: str(r.first_seen_run), review_decision: str(r.review_decision), review_note: str(r.review_note),
  };
}

async function loadGroups(conn: DuckDBConnection): Promise<{ groups: ReportGroup[]; groupOf: Map<string, string> }> {
  const docs = await queryRows(
    conn,
    `SELECT r.report_id, r.sha256, r.format, r.agency, r.year, r.template, r.status, r.error, r.title, r.tables_found, r.source,
            g.group_id, g.versions_in_year
     FROM reports r JOIN report_documents g USING (report_id)
     ORDER BY g.group_id, g.is_representative DESC, r.source`,
  );
  const ledger = await queryRows(
    conn,
    `SELECT d.sha256, d.source, ru.input FROM documents d LEFT JOIN runs ru ON ru.run_id = d.last_seen_run ORDER BY d.source`,
  );
  const sourcesBySha = new Map<string, SourceDoc[]>();
  for (const l of ledger) {
    const list = sourcesBySha.get(String(l.sha256)) ?? [];
    list.push({ source: String(l.source), inputDir: str(l.input) });
    sourcesBySha.set(String(l.sha256), list);
  }
  const groups = new Map<string, ReportGroup>();
  const groupOf = new Map<string, string>();
  for (const d of docs) {
    const doc: ReportDoc = {
      report_id: String(d.report_id), format: str(d.format), agency: str(d.agency), year: num(d.year), template: str(d.template),
      status: String(d.status), error: str(d.error), title: str(d.title), tables_found: str(d.tables_found), group_id: String(d.group_id),
      sources: sourcesBySha.get(String(d.sha256)) ?? [{ source: String(d.source), inputDir: null }],
    };
    groupOf.set(doc.report_id, doc.group_id);
    let g = groups.get(doc.group_id);
    if (!g) {
      g = {
        id: doc.group_id, docs: [], agency: doc.agency, year: doc.year, template: doc.template, status: doc.status,
        versionsInYear: Number(d.versions_in_year ?? 1), cells: new Map(), findings: [], relatedFindings: [],
      };
      groups.set(doc.group_id, g);
    }
    g.docs.push(doc);
  }
  return { groups: [...groups.values()], groupOf };
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Fills the cells of these report groups (a few hundred at a time: a national run holds millions of cells). */
export async function loadCells(conn: DuckDBConnection, groups: readonly ReportGroup[]): Promise<void> {
  if (groups.length === 0) return;
  const byId = new Map(groups.map((g) => [g.id, g]));
  const rows = await queryRows(
    conn,
    `SELECT report_id, table_id, row_key, col_key, value, raw, kind, unit, grid_row
     FROM cells WHERE report_id IN (${groups.map((g) => sqlString(g.id)).join(', ')})`,
  );
  for (const c of rows) {
    const g = byId.get(String(c.report_id));
    if (!g) continue;
    g.cells.set(cellKey(String(c.table_id), String(c.row_key), String(c.col_key)), {
      table_id: String(c.table_id), row_key: String(c.row_key), col_key: String(c.col_key),
      value: num(c.value), raw: str(c.raw), kind: String(c.kind), unit: str(c.unit), grid_row: num(c.grid_row),
    });
  }
}

/** Merges the anomalies rows that say the same thing about the same report (one per document). */
function mergeFindings(rows: Finding[], groupOf: Map<string, string>, reviews: Map<string, Review>): ShownFinding[] {
  const merged = new Map<string, ShownFinding>();
  for (const f of rows) {
    const group_id = groupOf.get(f.report_id) ?? f.report_id;
    const related_group_id = f.related_report_id ? (groupOf.get(f.related_report_id) ?? f.related_report_id) : null;
    const key = [group_id, related_group_id, f.rule_id, f.table_id, f.row_key, f.col_key, f.expected, f.actual, f.message].join('\u0001');
    const hit = merged.get(key);
    if (hit) {
      hit.members.push(f);
      continue;
    }
    merged.set(key, { id: '', finding: f, members: [f], group_id, related_group_id, dismissed: false, review: null });
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

export async function loadAuditData(conn: DuckDBConnection, reviews: Map<string, Review>): Promise<AuditData> {
  const { groups, groupOf } = await loadGroups(conn);
  const groupById = new Map(groups.map((g) => [g.id, g]));

  const ruleRows = await queryRows(conn, 'SELECT rule_id, severity, title_zh FROM rules');
  const rules = new Map(ruleRows.map((r) => [String(r.rule_id), { rule_id: String(r.rule_id), severity: String(r.severity), title_zh: str(r.title_zh) }]));

  // Findings about the representative document come first, so a merged finding shows its fingerprint.
  const anomalyRows = await queryRows(
    conn,
    `SELECT a.* FROM anomalies a LEFT JOIN report_documents g USING (report_id)
     ORDER BY a.rule_id, a.report_id <> coalesce(g.group_id, a.report_id), a.fingerprint`,
  );
  const findings = mergeFindings(anomalyRows.map(toFinding), groupOf, reviews);
  findings.sort(
    (a, b) =>
      severityRank(a.finding.severity) - severityRank(b.finding.severity) ||
      (groupById.get(a.group_id)?.agency ?? '').localeCompare(groupById.get(b.group_id)?.agency ?? '', 'zh') ||
      (groupById.get(a.group_id)?.year ?? 0) - (groupById.get(b.group_id)?.year ?? 0) ||
      a.finding.rule_id.localeCompare(b.finding.rule_id) ||
      a.finding.fingerprint.localeCompare(b.finding.fingerprint),
  );
  findings.forEach((f, i) => (f.id = `F${i + 1}`));
  for (const f of findings) {
    groupById.get(f.group_id)?.findings.push(f);
    if (f.related_group_id && f.related_group_id !== f.group_id) groupById.get(f.related_group_id)?.relatedFindings.push(f);
  }
  groups.sort(
    (a, b) => (a.agency ?? '\uffff').localeCompare(b.agency ?? '\uffff', 'zh') || (a.year ?? 0) - (b.year ?? 0) || a.id.localeCompare(b.id),
  );
  return { groups, groupById, groupOf, findings, rules };
}
