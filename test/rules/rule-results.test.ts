/**
 * rule_results (pipeline/rules/rule-results.ts) counts the reports a rule could not assess by kind
 * of report (rule_scope's columns), not a row per report and rule: the same counts as judging every
 * report by every rule, the definition written out below (over the same rows of rule_scope).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_NEEDS } from '../../pipeline/rules/index.js';
import { SCOPE } from '../../pipeline/rules/rule-results.js';
import { sqlString } from '../../pipeline/common/index.js';
import { makeInput, query, REPORTS, runOn } from '../helpers.js';

/** Every report judged by every rule, a row each: failed, not assessable or passed. */
function byDefinition(runId: string): string {
  const assessable = Object.entries(RULE_NEEDS)
    .map(([id, needs]) => `WHEN ${sqlString(id)} THEN (${needs})`)
    .join(' ');
  return `
  WITH scope AS (${SCOPE('report_documents').replace(/^\s*CREATE OR REPLACE TEMP TABLE rule_scope AS/, '')}
  ), grouped AS (
    SELECT a.rule_id, g.group_id, (rg.group_id, a.table_id, a.row_key, a.col_key, a.expected, a.actual, a.message) AS finding
    FROM anomalies a JOIN report_documents g USING (report_id) LEFT JOIN report_documents rg ON rg.report_id = a.related_report_id
  ), failed AS (SELECT rule_id, group_id, count(DISTINCT finding) AS findings FROM grouped GROUP BY ALL),
  judged AS (
    SELECT ru.rule_id, f.group_id IS NOT NULL AS failed,
           f.group_id IS NULL AND (s.unread OR NOT coalesce(CASE ru.rule_id ${assessable} ELSE true END, false)) AS not_assessable
    FROM rules ru CROSS JOIN scope s LEFT JOIN failed f ON f.rule_id = ru.rule_id AND f.group_id = s.group_id
  )
  SELECT ru.rule_id, ru.severity, count(j.rule_id)::INTEGER AS reports_checked,
         count(j.rule_id) FILTER (WHERE NOT j.failed AND NOT j.not_assessable)::INTEGER AS reports_passed,
         count(j.rule_id) FILTER (WHERE j.failed)::INTEGER AS reports_failed,
         count(j.rule_id) FILTER (WHERE j.not_assessable)::INTEGER AS reports_not_assessable,
         coalesce((SELECT sum(f.findings) FROM failed f WHERE f.rule_id = ru.rule_id), 0)::INTEGER AS findings
  FROM rules ru LEFT JOIN judged j USING (rule_id) GROUP BY ru.rule_id, ru.severity ORDER BY ru.rule_id
  -- ${runId}`;
}

describe('rule_results', () => {
  it('counts what judging every report by every rule counts', async () => {
    const files: Record<string, Uint8Array | string> = Object.fromEntries(
      readdirSync(REPORTS).map((n) => [n, readFileSync(join(REPORTS, n))]),
    );
    files['broken.docx'] = 'not a zip'; // unread: every rule's not assessable
    const run = await runOn(makeInput(files));
    const counted = await query(
      run.db,
      `SELECT rule_id, severity, reports_checked, reports_passed, reports_failed, reports_not_assessable, findings
       FROM rule_results WHERE run_id = $1 ORDER BY rule_id`,
      [run.summary.runId],
    );
    expect(counted.length).toBeGreaterThan(20);
    expect(counted.some((r) => Number(r.reports_failed) > 0 && Number(r.reports_not_assessable) > 0)).toBe(true);
    expect(counted).toEqual(await query(run.db, byDefinition(run.summary.runId)));
  }, 120_000);
});
