/**
 * New and resolved findings since the previous run, by fingerprint: the findings the warehouse
 * held before this run's rules (the last published run's) against those after. `snapshotFindings`
 * before the rules, `findingChanges` after (it drops the snapshot). For the scheduler's last log
 * line; the index can reuse it.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export interface FindingChanges {
  /** Findings whose fingerprint the previous run did not have. */
  new: number;
  /** The previous run's findings this run no longer has. */
  resolved: number;
  newBySeverity: Record<string, number>;
  resolvedBySeverity: Record<string, number>;
}

const BEFORE = 'findings_before_run';

export const NO_CHANGES: FindingChanges = { new: 0, resolved: 0, newBySeverity: {}, resolvedBySeverity: {} };

export async function snapshotFindings(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${BEFORE} AS SELECT fingerprint, any_value(severity) AS severity FROM anomalies GROUP BY fingerprint`);
}

export async function findingChanges(conn: DuckDBConnection): Promise<FindingChanges> {
  try {
    const r = await conn.runAndReadAll(
      `SELECT 'new' AS change, severity, count(*)::INTEGER AS n FROM (SELECT DISTINCT fingerprint, severity FROM anomalies) a
         WHERE fingerprint NOT IN (SELECT fingerprint FROM ${BEFORE}) GROUP BY ALL
       UNION ALL
       SELECT 'resolved', severity, count(*)::INTEGER FROM ${BEFORE}
         WHERE fingerprint NOT IN (SELECT fingerprint FROM anomalies) GROUP BY ALL`,
    );
    const changes: FindingChanges = { new: 0, resolved: 0, newBySeverity: {}, resolvedBySeverity: {} };
    for (const [change, severity, n] of r.getRowsJS() as [string, string, number][]) {
      if (change === 'new') {
        changes.new += n;
        changes.newBySeverity[severity] = n;
      } else {
        changes.resolved += n;
        changes.resolvedBySeverity[severity] = n;
      }
    }
    return changes;
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${BEFORE}`);
  }
}
