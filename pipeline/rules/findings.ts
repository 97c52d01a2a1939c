/**
 * Findings: every rule query appends to a temp table with the column contract below; then the
 * `anomalies` table is replaced by this run's findings, each with a stable fingerprint (the same
 * finding has the same id in every run) and the run it was first seen in carried over.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { RuleDef } from './files.js';
import { sqlString, sqlStringOrNull } from '../sql-text.js';

/** The columns every rule query selects, in this order. */
export const FINDING_COLUMNS = [
  'report_id', 'related_report_id', 'table_id', 'row_key', 'col_key', 'expected', 'actual', 'message', 'operands', 'cells', 'blank_involved',
] as const;

export async function createFindings(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE rule_findings (
    rule_id VARCHAR, severity VARCHAR, report_id VARCHAR, related_report_id VARCHAR, table_id VARCHAR, row_key VARCHAR,
    col_key VARCHAR, expected DOUBLE, actual DOUBLE, message VARCHAR, operands VARCHAR, cells VARCHAR, blank_involved BOOLEAN)`);
}

/**
 * Runs one rule's query into rule_findings; errors name the rule and its file. `where` keeps the
 * findings of a slice's reports (see slices.ts).
 */
export async function collectFindings(conn: DuckDBConnection, rule: RuleDef, where = ''): Promise<void> {
  const cast = [
    'report_id::VARCHAR', 'related_report_id::VARCHAR', 'table_id::VARCHAR', 'row_key::VARCHAR', 'col_key::VARCHAR',
    'expected::DOUBLE', 'actual::DOUBLE', 'message::VARCHAR', 'operands::VARCHAR', 'cells::VARCHAR', 'blank_involved::BOOLEAN',
  ];
  try {
    await conn.run(
      `INSERT INTO rule_findings SELECT ${sqlString(rule.id)}, ${sqlString(rule.severity)}, ${cast.join(', ')} FROM (\n${rule.sql}\n) AS rule_query ${where}`,
    );
  } catch (e) {
    throw new Error(`rule ${rule.id} (sql/rules/${rule.file}): ${(e as Error).message}`);
  }
}

/**
 * Replaces `anomalies` with this run's findings. Fingerprint: md5 over rule, report(s), cell,
 * expected, actual, operands and cells — not the message, so rewording keeps the id. The
 * first run a fingerprint was seen in, and any review decision, come over from the previous run.
 */
export async function writeAnomalies(conn: DuckDBConnection, runId: string): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE previous_anomalies AS
    SELECT fingerprint, min(first_seen_run) AS first_seen_run, any_value(review_decision) AS review_decision, any_value(review_note) AS review_note
    FROM anomalies GROUP BY fingerprint`);
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run('DELETE FROM anomalies');
    await conn.run(
      `INSERT INTO anomalies
       WITH fingerprinted AS (
         SELECT md5(concat_ws('|', rule_id, report_id, coalesce(related_report_id, ''), coalesce(table_id, ''), coalesce(row_key, ''),
                  coalesce(col_key, ''), coalesce(expected::VARCHAR, ''), coalesce(actual::VARCHAR, ''), coalesce(operands, ''),
                  coalesce(cells, ''))) AS fingerprint, *
         FROM rule_findings
       ), one_per_fingerprint AS (
         SELECT DISTINCT ON (fingerprint) * FROM fingerprinted ORDER BY fingerprint
       )
       SELECT f.fingerprint, f.rule_id, f.severity, f.report_id, f.related_report_id, f.table_id, f.row_key, f.col_key,
              f.expected, f.actual, f.message, f.operands, f.cells, f.blank_involved,
              coalesce(p.first_seen_run, $1), $1, p.review_decision, p.review_note
       FROM one_per_fingerprint f LEFT JOIN previous_anomalies p USING (fingerprint)`,
      [runId],
    );
    await conn.run('COMMIT');
  } catch (e) {
    await conn.run('ROLLBACK');
    throw e;
  } finally {
    await conn.run('DROP TABLE IF EXISTS previous_anomalies');
  }
}

export async function writeRuleCatalogue(conn: DuckDBConnection, rules: readonly RuleDef[]): Promise<void> {
  await conn.run('DELETE FROM rules');
  if (rules.length === 0) return;
  await conn.run(
    `INSERT INTO rules (rule_id, severity, title_zh, title_en, file) VALUES ${rules
      .map((r) => `(${sqlString(r.id)}, ${sqlString(r.severity)}, ${sqlStringOrNull(r.titleZh)}, ${sqlStringOrNull(r.titleEn)}, ${sqlString(r.file)})`)
      .join(', ')}`,
  );
}
