/**
 * The rule runner: loads sql/rules/*.sql (one file per rule, or per family), fills `rules`,
 * runs every query over the whole warehouse, and replaces `anomalies` with the findings.
 * Adding a rule is adding a file. What SQL cannot say (the agency CSV, the template's labels)
 * is loaded into temp tables first (context.ts).
 */
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlDir } from '../paths.js';
import { returnFreedMemory, withMemoryToSpare } from '../warehouse.js';
import { loadAgencies, type AgencyHierarchy } from './agencies.js';
import { recordResolvedFindings } from './changes.js';
import { createRuleContext } from './context.js';
import { collectFindings, createFindings, writeAnomalies, writeRuleCatalogue } from './findings.js';
import { loadRuleFiles, type Prelude, type RuleDef } from './files.js';
import { forEachSlice, PRELUDE_REPORTS_PER_SLICE, reportSlices } from './slices.js';
import { attachRulesWork } from './work.js';

export { AgencyCsvError, loadAgencies, storeAgencies, type AgencyHierarchy, type AgencyRow } from './agencies.js';
export { findingChanges, type FindingChanges } from './changes.js';
export { recordRuleResults, RULE_NEEDS } from './rule-results.js';
export { RULE_CATALOGUE, RULE_IDS, type RuleId } from './catalogue.js';

export interface RulesContext {
  runId: string;
  /** Agency hierarchy CSV (agency,parent,region,level[,aliases]); read here unless `agencies` is given. */
  agenciesCsv?: string;
  /** The hierarchy already read by loadAgencies() at the start of the run (preferred: fails before anything is written). */
  agencies?: AgencyHierarchy | null;
  /** Folder of rule files (default: the project's sql/rules). */
  rulesDir?: string;
  /** Reports per slice of a report-scoped rule (default REPORTS_PER_SLICE; tests use small ones). */
  reportsPerSlice?: number;
  /** Reports per slice of the prelude's report-scoped tables (default reportsPerSlice if given, else PRELUDE_REPORTS_PER_SLICE). */
  preludeReportsPerSlice?: number;
  /** Told when a statement ran out of DuckDB's memory and runs again with more (the run logs a warning). */
  onMemoryRetry?: (what: string, limit: string, reason: string) => void;
}

export interface RulesSummary {
  /** Findings counted: those not dismissed by a review (as the pages and the `findings` view count them). */
  findings: number;
  bySeverity: Record<string, number>;
  byRule: Record<string, number>;
  /** Findings an auditor dismissed (reviews.csv), listed apart and not counted. */
  dismissed: number;
}

export const rulesDir = (): string => join(sqlDir(), 'rules');

/**
 * Runs a prelude a statement at a time, each one's working memory returned before the next
 * (see returnFreedMemory); consecutive `-- scope: report` tables are filled slice by slice.
 */
async function runPrelude(conn: DuckDBConnection, prelude: Prelude, bounds: readonly string[], ctx: RulesContext): Promise<void> {
  const retry = (what: string) => (limit: string, reason: string) => ctx.onMemoryRetry?.(`sql/rules/${prelude.file}: ${what}`, limit, reason);
  const steps = prelude.steps;
  const statements = (await conn.extractStatements(prelude.sql)).count;
  if (statements !== steps.length) {
    throw new Error(`${statements} statements, but ${steps.length} ending with ";" at the end of a line (a statement must end there, and only a statement)`);
  }
  for (let i = 0; i < steps.length; ) {
    if (!steps[i].sliced || bounds.length === 0) {
      const sql = steps[i++].sql;
      await withMemoryToSpare(conn, () => conn.run(sql), retry(sql.split('\n')[0]));
      await returnFreedMemory(conn);
      continue;
    }
    const group: { table: string; query: string }[] = [];
    while (i < steps.length && steps[i].sliced) group.push(steps[i++].sliced!);
    await forEachSlice(conn, bounds, async (where, slice) => {
      for (const t of group) {
        const rows = `SELECT * FROM (\n${t.query}\n) AS slice_query ${where}`;
        const sql = slice === 0 ? `CREATE OR REPLACE TABLE ${t.table} AS ${rows}` : `INSERT INTO ${t.table} ${rows}`;
        await withMemoryToSpare(conn, () => conn.run(sql), retry(`${t.table}, slice ${slice + 1}`));
        await returnFreedMemory(conn);
      }
    });
  }
}

export async function runRules(conn: DuckDBConnection, ctx: RulesContext): Promise<RulesSummary> {
  const hierarchy = ctx.agencies ?? (ctx.agenciesCsv ? loadAgencies(ctx.agenciesCsv) : null);
  // every rule of the folder runs, and is listed in `rules` from its header (the catalogue of
  // the pages' wording, catalogue-data.ts, is written from the same headers by `npm run rules`)
  const { preludes, rules } = loadRuleFiles(ctx.rulesDir ?? rulesDir());
  await createRuleContext(conn, hierarchy);
  const work = await attachRulesWork(conn);
  try {
    // report-scoped work a slice of reports at a time (when there is more than one)
    const bounds = await reportSlices(conn, ctx.reportsPerSlice);
    const preludeBounds = await reportSlices(conn, ctx.preludeReportsPerSlice ?? ctx.reportsPerSlice ?? PRELUDE_REPORTS_PER_SLICE);
    for (const p of preludes) {
      try {
        await runPrelude(conn, p, preludeBounds, ctx);
      } catch (e) {
        throw new Error(`sql/rules/${p.file}: ${(e as Error).message}`);
      }
    }
    await createFindings(conn);
    const sliced = bounds.length > 0 ? rules.filter((r) => r.scope === 'report') : [];
    const run = async (rule: RuleDef, where = '') => {
      await withMemoryToSpare(conn, () => collectFindings(conn, rule, where), (limit, reason) =>
        ctx.onMemoryRetry?.(`rule ${rule.id}${where ? ' (a slice)' : ''}`, limit, reason));
      await returnFreedMemory(conn);
    };
    await forEachSlice(conn, bounds, async (where) => {
      for (const rule of sliced) await run(rule, where);
    });
    for (const rule of rules) if (!sliced.includes(rule)) await run(rule);
  } finally {
    await work.release();
  }
  await writeRuleCatalogue(conn, rules);
  await recordResolvedFindings(conn, ctx.runId, () => writeAnomalies(conn, ctx.runId));
  await returnFreedMemory(conn);
  return summariseFindings(conn);
}

/** Findings of the warehouse's `anomalies`, counted by severity and rule (those dismissed by a review apart). */
export async function summariseFindings(conn: DuckDBConnection): Promise<RulesSummary> {
  const rows = (
    await conn.runAndReadAll(
      `SELECT rule_id, severity, coalesce(review_decision, '') = 'dismissed' AS dismissed, count(*)::INTEGER AS n FROM anomalies GROUP BY ALL`,
    )
  ).getRowObjectsJS();
  const summary: RulesSummary = { findings: 0, bySeverity: {}, byRule: {}, dismissed: 0 };
  for (const r of rows) {
    const n = Number(r.n);
    if (r.dismissed) {
      summary.dismissed += n;
      continue;
    }
    summary.findings += n;
    summary.bySeverity[r.severity as string] = (summary.bySeverity[r.severity as string] ?? 0) + n;
    summary.byRule[r.rule_id as string] = (summary.byRule[r.rule_id as string] ?? 0) + n;
  }
  return summary;
}
