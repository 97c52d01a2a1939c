/** Which cells of a report the findings point at, to highlight them in the rebuilt tables. */
import { cellKey, severityRank, type ShownFinding } from './audit-data.js';
import { wordingOf, type Wording } from './wording.js';

export interface CellMark {
  /** The gravest severity among the findings that involve the cell. */
  severity: string;
  /** A finding points at this cell (rather than using it as an operand). */
  pointed: boolean;
  /** The labels of those findings (`findingLabel`). */
  findingIds: string[];
  /** Their fingerprints (two findings never merge, even with alike labels). */
  fingerprints: string[];
  /** Set on the cell a finding points at, when the rule says what it should be. */
  expected: number | null;
  actual: number | null;
  /** How expected reads on the cell ("应为", "上年"). */
  wording: Wording['cell'];
  /** One line per finding, for the cell's tooltip. */
  notes: string[];
}

export type Marks = Map<string, CellMark>;

/** `annotate`: this is the cell the finding points at, so it carries expected vs published. */
function mark(marks: Marks, key: string, f: ShownFinding, pointed: boolean, annotate = false): void {
  const sev = f.finding.severity;
  let m = marks.get(key);
  if (!m) {
    m = {
      severity: sev,
      pointed: false,
      findingIds: [],
      fingerprints: [],
      expected: null,
      actual: null,
      wording: null,
      notes: [],
    };
    marks.set(key, m);
  }
  if (severityRank(sev) < severityRank(m.severity)) m.severity = sev;
  if (pointed) m.pointed = true;
  if (!m.fingerprints.includes(f.finding.fingerprint)) {
    m.fingerprints.push(f.finding.fingerprint);
    m.findingIds.push(f.label);
    m.notes.push(`${f.label} ${f.finding.rule_id}：${f.finding.message}`);
  }
  const { expected, actual } = f.finding;
  const wording = wordingOf(f.finding.rule_id, f.finding.table_id)?.cell ?? null;
  if (annotate && wording && expected !== null && actual !== null && expected !== actual && m.expected === null) {
    m.expected = expected;
    m.actual = actual;
    m.wording = wording;
  }
}

/**
 * Marks the cells of report group `groupId` involved in `findings` (dismissed ones left out).
 * A cell reference names its report when it is not the finding's own (cross-year rules).
 * `emphasise`: every involved cell is shown as pointed at (the two sides of a comparison).
 */
export function marksFor(
  groupId: string,
  findings: readonly ShownFinding[],
  groupOf: ReadonlyMap<string, string>,
  emphasise = false,
): Marks {
  const marks: Marks = new Map();
  const groupOfReport = (id: string) => groupOf.get(id) ?? id;
  for (const f of findings) {
    if (f.dismissed) continue;
    const x = f.finding;
    for (const c of x.cells) {
      if (groupOfReport(c.report_id ?? x.report_id) === groupId)
        mark(marks, cellKey(c.table_id, c.row_key, c.col_key), f, emphasise);
    }
    if (x.table_id && x.row_key && x.col_key && groupOfReport(x.report_id) === groupId) {
      mark(marks, cellKey(x.table_id, x.row_key, x.col_key), f, true, true);
    }
  }
  return marks;
}
