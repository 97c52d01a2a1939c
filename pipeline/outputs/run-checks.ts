/**
 * What the index page and the workbook show of a run besides its findings: every rule with the
 * reports it checked, passed, failed and could not assess (`rule_results`), and the findings new
 * and resolved since the previous run (pipeline/rules/changes.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { findingChanges, type FindingChanges } from '../rules/index.js';
import type { AuditData, ShownFinding } from './site/audit-data.js';
import { queryRows } from './query.js';

export interface RuleResult {
  rule_id: string;
  severity: string;
  title_zh: string | null;
  reports_checked: number;
  reports_passed: number;
  reports_failed: number;
  reports_not_assessable: number;
  findings: number;
}

export interface ResolvedFinding {
  fingerprint: string;
  rule_id: string;
  severity: string;
  agency: string | null;
  year: number | null;
  template: string | null;
  table_id: string | null;
  row_key: string | null;
  col_key: string | null;
  message: string;
}

export interface RunChecks {
  rules: RuleResult[];
  previousRun: string | null;
  /** Findings first seen in this run. */
  newFindings: ShownFinding[];
  resolved: ResolvedFinding[];
  /** The counts the log line carries (findingChanges). */
  newCount: number;
  resolvedCount: number;
}

const SEVERITY_ORDER = "CASE r.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END";

/** `known`: the run's new and resolved counts when it has them already (the summary's), else computed here. */
export async function loadRunChecks(
  conn: DuckDBConnection,
  runId: string,
  data: AuditData,
  known?: FindingChanges,
): Promise<RunChecks> {
  const rules = (await queryRows(
    conn,
    `SELECT r.rule_id, r.severity, c.title_zh, r.reports_checked, r.reports_passed, r.reports_failed, r.reports_not_assessable, r.findings
     FROM rule_results r LEFT JOIN rules c USING (rule_id) WHERE r.run_id = $1 ORDER BY ${SEVERITY_ORDER}, r.rule_id`,
    [runId],
  )) as unknown as RuleResult[];
  const resolved = (await queryRows(
    conn,
    `SELECT f.fingerprint, f.rule_id, f.severity, r.agency, r.year, r.template, f.table_id, f.row_key, f.col_key, f.message
     FROM resolved_findings f LEFT JOIN reports r USING (report_id)
     WHERE f.resolved_run = $1 ORDER BY ${SEVERITY_ORDER.replace('r.severity', 'f.severity')}, f.rule_id, r.agency_norm, r.year, f.fingerprint`,
    [runId],
  )) as unknown as ResolvedFinding[];
  const changes = known ?? (await findingChanges(conn, runId));
  return {
    rules,
    previousRun: changes.previousRun,
    // a finding's members include itself
    newFindings: data.findings.filter((f) => f.members.some((m) => m.first_seen_run === runId)),
    resolved: onePerReport(resolved),
    newCount: changes.new,
    resolvedCount: changes.resolved,
  };
}

/** The same finding of several documents of one report, once (as the index lists findings). */
function onePerReport(list: ResolvedFinding[]): ResolvedFinding[] {
  const seen = new Set<string>();
  return list.filter((f) => {
    const key = JSON.stringify([f.rule_id, f.agency, f.year, f.table_id, f.row_key, f.col_key, f.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
