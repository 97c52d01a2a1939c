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
import { rowsOfReports } from './slices.js';

/**
 * What each rule needs to assess a report, as a condition over `rule_scope`'s columns: its header's
 * `-- needs:` line (files.ts); a rule without one can assess every report that was read.
 */
export const RULE_NEEDS: Partial<Record<RuleId, string>> = Object.fromEntries(
  RULE_CATALOGUE.flatMap((r) => (r.needs ? [[r.id, r.needs]] : [])),
);

/**
 * One row per report (representative document) with what the rules may need of it: of every
 * report, or of the groups `only` (a condition on group_id) and then their cells and claims read
 * by a row-id range (rowsOfReports); `has_neighbour` looks at every report's years either way.
 */
const SCOPE = (reportDocuments: string, only: string | null, cellRows: string, claimRows: string) => `
CREATE OR REPLACE TEMP TABLE rule_scope AS
WITH all_reps AS (
  SELECT g.group_id, r.status, r.year, r.template, coalesce(n.agency_norm, r.agency_norm) AS agency_key, n.agency_norm IS NOT NULL AS listed,
         r.tables_found
  FROM ${reportDocuments} g JOIN reports r USING (report_id) LEFT JOIN agency_names n ON n.name_norm = r.agency_norm
  WHERE g.is_representative
),
reps AS (
  SELECT * EXCLUDE (tables_found), string_split(coalesce(tables_found, ''), ',') AS tables FROM all_reps ${only ? `WHERE group_id ${only}` : ''}
),
texts AS (SELECT report_id AS group_id, list(DISTINCT table_id) AS tables FROM cells WHERE kind = 'text' AND ${cellRows} GROUP BY report_id),
said AS (
  SELECT report_id AS group_id,
         bool_or(quantity LIKE 't2.%') AS t2, bool_or(quantity LIKE 't3.%') AS t3, bool_or(quantity LIKE 't4.%') AS t4,
         bool_or(quantity = 'parts') AS parts, bool_or(percent IS NOT NULL) AS percent
  FROM claims WHERE ${claimRows} GROUP BY report_id
),
years AS (SELECT DISTINCT agency_key, year FROM all_reps WHERE status <> 'failed' AND agency_key IS NOT NULL AND year IS NOT NULL)
SELECT r.group_id, r.status = 'failed' AS unread, r.listed, r.template,
       list_contains(r.tables, 'T2') AS has_t2, list_contains(r.tables, 'T3') AS has_t3, list_contains(r.tables, 'T4') AS has_t4,
       coalesce(list_contains(t.tables, 'T2'), false) AS text_t2, coalesce(list_contains(t.tables, 'T3'), false) AS text_t3,
       coalesce(list_contains(t.tables, 'T4'), false) AS text_t4,
       coalesce(s.t2, false) AS claims_t2, coalesce(s.t3, false) AS claims_t3, coalesce(s.t4, false) AS claims_t4,
       coalesce(s.parts, false) AS claims_parts, coalesce(s.percent, false) AS claims_percent,
       EXISTS (SELECT 1 FROM years y WHERE y.agency_key = r.agency_key AND y.year IN (r.year - 1, r.year + 1)) AS has_neighbour
FROM reps r LEFT JOIN texts t USING (group_id) LEFT JOIN said s USING (group_id)`;

/**
 * The groups (report_documents.group_id) whose results an incremental evaluation may have moved:
 * filled by writeAffectedAnomalies (incremental.ts), read and dropped by recordRuleResults.
 */
export const MOVED_GROUPS = 'rule_results_moved';

/**
 * Each report's results, kept between runs (in the rules' own schema, rules_state): a row per
 * report and rule it failed or could not assess (a report passes every rule it has no row for),
 * and every report judged. `rule_results` is their sum; an incremental run judges again only the
 * reports in MOVED_GROUPS. A full evaluation of the rules drops them (resetState): judged again in full.
 */
const JUDGED = 'rules_state.judged_reports';
const JUDGEMENTS = 'rules_state.report_judgements';

/**
 * Fills `rule_results` for this run from the rules, the findings and the reports in the warehouse.
 * `unchanged`: the run kept the previous run's findings (nothing loaded, the same rules and
 * inputs), and keeps its results too (computing them took 0.3 s at 2,000 reports, most of the
 * nightly no-op's second); computed when there are none to keep. After an incremental evaluation
 * (MOVED_GROUPS), the kept results of the reports it moved are made again, and the rest stand.
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
  const temps = new Set(
    (
      await conn.runAndReadAll(
        `SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name IN ('rule_report_documents', '${MOVED_GROUPS}')
         UNION ALL SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'rules_state'
           AND table_name IN ('judged_reports', 'report_judgements')`,
      )
    )
      .getRowsJS()
      .map(([t]) => t as string),
  );
  const reportDocuments = temps.has('rule_report_documents') ? 'rule_report_documents' : 'report_documents';
  const moved =
    temps.has(MOVED_GROUPS) && temps.has('judged_reports') && temps.has('report_judgements')
      ? `IN (SELECT group_id FROM ${MOVED_GROUPS})`
      : null;
  try {
    await judgeReports(conn, reportDocuments, moved);
    await conn.run('DELETE FROM rule_results WHERE run_id = $1', [runId]);
    await conn.run(
      `INSERT INTO rule_results
       SELECT $1, ru.rule_id, ru.severity, n.reports::INTEGER,
              (n.reports - count(*) FILTER (WHERE j.failed) - count(*) FILTER (WHERE j.not_assessable))::INTEGER,
              count(*) FILTER (WHERE j.failed)::INTEGER,
              count(*) FILTER (WHERE j.not_assessable)::INTEGER,
              coalesce(sum(j.findings), 0)::INTEGER
       FROM rules ru CROSS JOIN (SELECT count(*) AS reports FROM ${JUDGED}) n
       LEFT JOIN ${JUDGEMENTS} j USING (rule_id)
       GROUP BY ru.rule_id, ru.severity, n.reports`,
      [runId],
    );
  } finally {
    await conn.run(
      `DROP TABLE IF EXISTS temp.main.rule_scope; DROP TABLE IF EXISTS temp.main.rule_report_documents; DROP TABLE IF EXISTS temp.main.${MOVED_GROUPS}`,
    );
  }
}

/**
 * Judges every report (`only` null: the kept results made afresh) or the groups `only` (a
 * condition on group_id: their kept rows replaced) by every rule: failed when the rule has a
 * finding on it, not assessable, or passed (no row kept).
 */
async function judgeReports(conn: DuckDBConnection, reportDocuments: string, only: string | null): Promise<void> {
  const assessable = Object.entries(RULE_NEEDS)
    .map(([id, needs]) => `WHEN ${sqlString(id)} THEN (${needs})`)
    .join(' ');
  let cellRows = 'true';
  let claimRows = 'true';
  if (only) {
    const reps = `SELECT group_id FROM ${reportDocuments} WHERE is_representative AND group_id ${only}`;
    cellRows = await rowsOfReports(conn, 'cells', reps);
    claimRows = await rowsOfReports(conn, 'claims', reps);
  }
  await conn.run(SCOPE(reportDocuments, only, cellRows, claimRows));
  await conn.run('CREATE SCHEMA IF NOT EXISTS rules_state');
  if (only) {
    await conn.run(`DELETE FROM ${JUDGED} WHERE group_id ${only}; DELETE FROM ${JUDGEMENTS} WHERE group_id ${only}`);
  } else {
    await conn.run(`CREATE OR REPLACE TABLE ${JUDGED} (group_id VARCHAR);
      CREATE OR REPLACE TABLE ${JUDGEMENTS} (group_id VARCHAR, rule_id VARCHAR, failed BOOLEAN, not_assessable BOOLEAN, findings INTEGER)`);
  }
  await conn.run(`INSERT INTO ${JUDGED} SELECT group_id FROM rule_scope`);
  await conn.run(
    `INSERT INTO ${JUDGEMENTS}
     WITH grouped AS (
       SELECT a.rule_id, g.group_id,
              -- a finding once per report, as the index and the workbook list it (its documents' copies are one)
              (rg.group_id, a.table_id, a.row_key, a.col_key, a.expected, a.actual, a.message) AS finding
       FROM anomalies a JOIN ${reportDocuments} g USING (report_id) LEFT JOIN ${reportDocuments} rg ON rg.report_id = a.related_report_id
       ${only ? `WHERE g.group_id ${only}` : ''}
     ), failed AS (
       SELECT rule_id, group_id, count(DISTINCT finding) AS findings FROM grouped GROUP BY ALL
     ), judged AS (
       SELECT ru.rule_id, s.group_id,
              f.group_id IS NULL AND (s.unread OR NOT coalesce(CASE ru.rule_id ${assessable} ELSE true END, false)) AS not_assessable
       FROM rules ru CROSS JOIN rule_scope s LEFT JOIN failed f ON f.rule_id = ru.rule_id AND f.group_id = s.group_id
     )
     SELECT coalesce(f.group_id, j.group_id), coalesce(f.rule_id, j.rule_id), f.group_id IS NOT NULL,
            coalesce(j.not_assessable, false), coalesce(f.findings, 0)
     FROM (SELECT * FROM judged WHERE not_assessable) j FULL JOIN failed f ON f.rule_id = j.rule_id AND f.group_id = j.group_id`,
  );
}
