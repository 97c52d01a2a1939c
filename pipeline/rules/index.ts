/** The rule runner (stub until the rules land): loads sql/rules/*.sql and writes `anomalies`. */
import type { DuckDBConnection } from '@duckdb/node-api';

export interface RulesContext {
  runId: string;
  /** Agency hierarchy CSV (agency,parent,region,level[,aliases]). */
  agenciesCsv?: string;
}

export interface RulesSummary {
  findings: number;
  bySeverity: Record<string, number>;
  byRule: Record<string, number>;
}

export async function runRules(_conn: DuckDBConnection, _ctx: RulesContext): Promise<RulesSummary> {
  return { findings: 0, bySeverity: {}, byRule: {} };
}
