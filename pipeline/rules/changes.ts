/**
 * What changed since the previous run: findings new in this run (their fingerprint was not among
 * the previous run's) and findings resolved (the previous run's, gone from this run's), kept in
 * `resolved_findings`. One function computes the counts for every consumer: the index page, the
 * workbook and the last log line (`new_findings`, `resolved_findings`, each by severity).
 */
import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Runs `replace` (which replaces `anomalies` with this run's findings) and records the findings it
 * removed in `resolved_findings`.
 */
export async function recordResolvedFindings(
  conn: DuckDBConnection,
  runId: string,
  replace: () => Promise<void>,
): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE findings_before AS
    SELECT fingerprint, rule_id, severity, report_id, table_id, row_key, col_key, message, first_seen_run, last_seen_run FROM anomalies`);
  try {
    await replace();
    await conn.run(
      `INSERT INTO resolved_findings
       SELECT b.*, $1 FROM findings_before b WHERE b.fingerprint NOT IN (SELECT fingerprint FROM anomalies)`,
      [runId],
    );
  } finally {
    await conn.run('DROP TABLE IF EXISTS findings_before');
  }
}

export interface FindingChanges {
  /** The last completed run before this one (null: this is the first). */
  previousRun: string | null;
  /** Findings first seen in this run (every finding on a first run). */
  new: number;
  /** Findings of the previous run gone from this one. */
  resolved: number;
  newBySeverity: Record<string, number>;
  resolvedBySeverity: Record<string, number>;
}

/** New and resolved findings of a run, in all and by severity (a run that kept its findings has neither). */
export async function findingChanges(conn: DuckDBConnection, runId: string): Promise<FindingChanges> {
  const rows = (
    await conn.runAndReadAll(
      `SELECT 'new' AS change, severity, count(*)::INTEGER AS n FROM anomalies WHERE first_seen_run = $1 GROUP BY ALL
       UNION ALL
       SELECT 'resolved', severity, count(*)::INTEGER FROM resolved_findings WHERE resolved_run = $1 GROUP BY ALL
       UNION ALL
       SELECT 'previous', (SELECT run_id FROM runs WHERE run_id <> $1 AND ended_at IS NOT NULL ORDER BY started_at DESC LIMIT 1), 0`,
      [runId],
    )
  ).getRowsJS() as [string, string | null, number][];
  const changes: FindingChanges = { previousRun: null, new: 0, resolved: 0, newBySeverity: {}, resolvedBySeverity: {} };
  for (const [change, key, n] of rows) {
    if (change === 'previous') changes.previousRun = key;
    else if (change === 'new') {
      changes.new += n;
      changes.newBySeverity[key!] = n;
    } else {
      changes.resolved += n;
      changes.resolvedBySeverity[key!] = n;
    }
  }
  return changes;
}
