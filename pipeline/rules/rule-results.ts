/**
 * What a run checked, not only what failed (as dbt's run results): for every rule of the
 * catalogue, the reports it checked, passed, failed and could not assess, in `rule_results`
 * (one row per run and rule).
 *
 * A report is one report group (its representative document). Every report is checked by every
 * rule; it failed when the rule has a finding on it (dismissed ones included), it is not
 * assessable when it failed to be read, or lacks what the rule needs (its `-- needs:`: a table, a
 * table holding only numbers, the year before or after, a statement of its prose, a row in the
 * agency CSV), and it passed otherwise.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { RULE_CATALOGUE, type RuleId } from '../../domain/index.js';
import { sqlString } from '../common/index.js';

/**
 * What each rule needs to assess a report, as a condition over `rule_scope`'s columns: its header's
 * `-- needs:` line (files.ts); a rule without one can assess every report that was read.
 */
export const RULE_NEEDS: Partial<Record<RuleId, string>> = Object.fromEntries(
  RULE_CATALOGUE.flatMap((r) => (r.needs ? [[r.id, r.needs]] : [])),
);

/** One row per report (representative document) with what the rules may need of it. */
export const SCOPE = (reportDocuments: string) => `
CREATE OR REPLACE TEMP TABLE rule_scope AS
WITH reps AS (
  SELECT g.group_id, r.status, r.year, r.template, coalesce(n.agency_norm, r.agency_norm) AS agency_key, n.agency_norm IS NOT NULL AS listed,
         string_split(coalesce(r.tables_found, ''), ',') AS tables
  FROM ${reportDocuments} g JOIN reports r USING (report_id) LEFT JOIN agency_names n ON n.name_norm = r.agency_norm
  WHERE g.is_representative
),
texts AS (SELECT report_id AS group_id, list(DISTINCT table_id) AS tables FROM cells WHERE kind = 'text' GROUP BY report_id),
said AS (
  SELECT report_id AS group_id,
         bool_or(quantity LIKE 't2.%') AS t2, bool_or(quantity LIKE 't3.%') AS t3, bool_or(quantity LIKE 't4.%') AS t4,
         bool_or(quantity = 'parts') AS parts, bool_or(percent IS NOT NULL) AS percent
  FROM claims GROUP BY report_id
),
years AS (SELECT DISTINCT agency_key, year FROM reps WHERE status <> 'failed' AND agency_key IS NOT NULL AND year IS NOT NULL)
SELECT r.group_id, r.status = 'failed' AS unread, r.listed, r.template,
       list_contains(r.tables, 'T2') AS has_t2, list_contains(r.tables, 'T3') AS has_t3, list_contains(r.tables, 'T4') AS has_t4,
       coalesce(list_contains(t.tables, 'T2'), false) AS text_t2, coalesce(list_contains(t.tables, 'T3'), false) AS text_t3,
       coalesce(list_contains(t.tables, 'T4'), false) AS text_t4,
       coalesce(s.t2, false) AS claims_t2, coalesce(s.t3, false) AS claims_t3, coalesce(s.t4, false) AS claims_t4,
       coalesce(s.parts, false) AS claims_parts, coalesce(s.percent, false) AS claims_percent,
       EXISTS (SELECT 1 FROM years y WHERE y.agency_key = r.agency_key AND y.year IN (r.year - 1, r.year + 1)) AS has_neighbour
FROM reps r LEFT JOIN texts t USING (group_id) LEFT JOIN said s USING (group_id)`;

/**
 * Fills `rule_results` for this run from the rules, the findings and the reports in the warehouse.
 * `unchanged`: the run kept the previous run's findings (nothing loaded, the same rules and
 * inputs), and keeps its results too (computing them took 0.3 s at 2,000 reports, most of the
 * nightly no-op's second); computed when there are none to keep.
 */
export async function recordRuleResults(conn: DuckDBConnection, runId: string, unchanged = false): Promise<void> {
  if (unchanged) {
    const kept = await conn.runAndReadAll(
      `INSERT INTO rule_results SELECT $1, rule_id, severity, reports_checked, reports_passed, reports_failed, reports_not_assessable, findings
       FROM rule_results WHERE run_id = (SELECT r.run_id FROM runs r WHERE r.ended_at IS NOT NULL AND r.run_id <> $1
                                         AND r.run_id IN (SELECT run_id FROM rule_results) ORDER BY r.started_at DESC LIMIT 1)`,
      [runId],
    );
    if (kept.rowsChanged > 0) return;
  }
  // the run's rules left report_documents in a table (rules/incremental.ts): the view reads every cell
  const kept = await conn.runAndReadAll(
    "SELECT 1 FROM duckdb_tables() WHERE temporary AND table_name = 'rule_report_documents'",
  );
  const reportDocuments = kept.currentRowCount > 0 ? 'rule_report_documents' : 'report_documents';
  await conn.run(SCOPE(reportDocuments));
  try {
    const unassessable = (rule: string) =>
      `(unread OR NOT coalesce(CASE ${rule} ${Object.entries(RULE_NEEDS)
        .map(([id, needs]) => `WHEN ${sqlString(id)} THEN (${needs})`)
        .join(' ')} ELSE true END, false))`;
    await conn.run('DELETE FROM rule_results WHERE run_id = $1', [runId]);
    // every report is checked by every rule. Those it cannot assess are counted by kind of report
    // (rule_scope's columns: a few dozen kinds, not a row per report and rule: 300,000 at 10,000
    // reports), less those it failed (a finding makes a report failed, not unassessable).
    await conn.run(
      `INSERT INTO rule_results
       WITH grouped AS (
         SELECT a.rule_id, g.group_id,
                -- a finding once per report, as the index and the workbook list it (its documents' copies are one)
                (rg.group_id, a.table_id, a.row_key, a.col_key, a.expected, a.actual, a.message) AS finding
         FROM anomalies a JOIN ${reportDocuments} g USING (report_id) LEFT JOIN ${reportDocuments} rg ON rg.report_id = a.related_report_id
       ), failed AS (
         SELECT rule_id, group_id, count(DISTINCT finding) AS findings FROM grouped GROUP BY ALL
       ), kinds AS (
         SELECT * EXCLUDE (group_id), count(*) AS n FROM rule_scope GROUP BY ALL
       ), judged AS (
         SELECT ru.rule_id, sum(k.n) AS checked, coalesce(sum(k.n) FILTER (WHERE ${unassessable('ru.rule_id')}), 0) AS unassessable
         FROM rules ru CROSS JOIN kinds k GROUP BY ru.rule_id
       ), failed_judged AS (
         SELECT f.rule_id, count(*) AS failed, count(*) FILTER (WHERE ${unassessable('f.rule_id')}) AS failed_unassessable
         FROM failed f JOIN rule_scope s USING (group_id) GROUP BY f.rule_id
       ), counted AS (
         SELECT ru.rule_id, ru.severity, coalesce(j.checked, 0) AS checked, coalesce(fj.failed, 0) AS failed,
                coalesce(j.unassessable, 0) - coalesce(fj.failed_unassessable, 0) AS not_assessable
         FROM rules ru LEFT JOIN judged j USING (rule_id) LEFT JOIN failed_judged fj USING (rule_id)
       )
       SELECT $1, c.rule_id, c.severity, c.checked::INTEGER, (c.checked - c.failed - c.not_assessable)::INTEGER,
              c.failed::INTEGER, c.not_assessable::INTEGER,
              coalesce((SELECT sum(f.findings) FROM failed f WHERE f.rule_id = c.rule_id), 0)::INTEGER
       FROM counted c`,
      [runId],
    );
  } finally {
    await conn.run('DROP TABLE IF EXISTS rule_scope');
    await conn.run('DROP TABLE IF EXISTS temp.main.rule_report_documents');
  }
}
