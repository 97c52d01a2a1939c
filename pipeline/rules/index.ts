/**
 * The rule runner: loads sql/rules/*.sql (one file per rule, or per family), fills `rules`,
 * runs every query over the whole warehouse, or incrementally over what the run's reports can
 * move (incremental.ts), and writes the findings into `anomalies`.
 * Adding a rule is adding a file. What SQL cannot say (the agency CSV, the template's labels)
 * is loaded into temp tables first (context.ts).
 */
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlDir } from '../common/index.js';
import { returnFreedMemory, withMemoryToSpare } from '../warehouse/index.js';
import { loadAgencies, type AgencyHierarchy } from './agencies.js';
import { recordResolvedFindings } from './changes.js';
import { createRuleContext } from './context.js';
import { collectFindings, createFindings, dropFindings, writeAnomalies, writeRuleCatalogue } from './findings.js';
import { loadRuleFiles, type Prelude, type RuleDef } from './files.js';
import {
  dropReportOrder,
  forEachSlice,
  orderReports,
  PRELUDE_REPORTS_PER_SLICE,
  reportSlices,
  shadowTables,
  type Slicing,
} from './slices.js';
import { attachRulesWork } from './work.js';
import {
  useKeptRows,
  dropPlan,
  familyOf,
  keepReportDocuments,
  fullEvaluationReason,
  keptPreludeTables,
  mergeKeptFindings,
  ownedCondition,
  planIncremental,
  removeShadows,
  rulesFingerprint,
  resetState,
  saveState,
  DOCUMENT_FINDINGS,
  shadowOutsideScope,
  SHADOWED,
  writeAffectedAnomalies,
  type IncrementalPlan,
} from './incremental.js';

export { AgencyCsvError, loadAgencies, storeAgencies, type AgencyHierarchy, type AgencyRow } from './agencies.js';
export { findingChanges, type FindingChanges } from './changes.js';
export { recordRuleResults, RULE_NEEDS } from './rule-results.js';
export { KEPT_REPORT_DOCUMENTS } from './incremental.js';

export interface RulesContext {
  runId: string;
  /** Agency hierarchy CSV (agency,parent,region,level[,aliases]); read here unless `agencies` is given. */
  agenciesCsv?: string;
  /**
   * The hierarchy already read by loadAgencies() at the start of the run (preferred: fails before anything is written).
   */
  agencies?: AgencyHierarchy | null;
  /** Folder of rule files (default: the project's sql/rules). */
  rulesDir?: string;
  /** Reports per slice of a report-scoped rule (default REPORTS_PER_SLICE; tests use small ones). */
  reportsPerSlice?: number;
  /**
   * Reports per slice of the prelude's report-scoped tables (default reportsPerSlice if given, else
   * PRELUDE_REPORTS_PER_SLICE).
   */
  preludeReportsPerSlice?: number;
  /** Told when a statement ran out of DuckDB's memory and runs again with more (the run logs a warning). */
  onMemoryRetry?: (what: string, limit: string, reason: string) => void;
  /**
   * Evaluate only what the reports changed since the last evaluation can move (incremental.ts),
   * when the rules and their inputs are those of the last evaluation; false: every rule over every report.
   */
  incremental?: boolean;
  /**
   * A small incremental evaluation (oneThreadWillDo) leaves DuckDB on the one thread it ran on, for
   * the caller's next statements (its results, the checkpoint); restoreThreads puts back the others.
   */
  leaveOneThread?: boolean;
}

/** How a run evaluated its rules. */
export interface RulesEvaluation {
  mode: 'full' | 'incremental';
  /** Why full (when incremental was asked for). */
  reason?: string;
  /**
   * Incremental: documents added, changed or removed since the last evaluation, and the reports whose cells were read.
   */
  touched?: number;
  scope?: number;
}

export interface RulesSummary {
  /** Findings counted: those not dismissed by a review (as the pages and the `findings` view count them). */
  findings: number;
  bySeverity: Record<string, number>;
  byRule: Record<string, number>;
  /** Findings an auditor dismissed (reviews.csv), listed apart and not counted. */
  dismissed: number;
  /** Set by runRules (not when the findings stood). */
  evaluation?: RulesEvaluation;
}

/** For the run's log: "incremental: 10 documents touched, 14 reports read", "full: the rules … changed". */
export function describeEvaluation(e: RulesEvaluation | undefined): string {
  if (!e) return 'full';
  if (e.mode === 'incremental') return `incremental: ${e.touched} documents touched, ${e.scope} reports read`;
  return e.reason ? `full: ${e.reason}` : 'full';
}

export const rulesDir = (): string => join(sqlDir(), 'rules');

/**
 * Runs a prelude a statement at a time, each one's working memory returned before the next
 * (see returnFreedMemory), unless `small` (an incremental run's few reports); consecutive
 * `-- scope: report` tables are filled slice by slice.
 */
async function runPrelude(
  conn: DuckDBConnection,
  prelude: Prelude,
  slicing: Slicing | null,
  ctx: RulesContext,
  small: boolean,
): Promise<void> {
  const retry = (what: string) => (limit: string, reason: string) =>
    ctx.onMemoryRetry?.(`sql/rules/${prelude.file}: ${what}`, limit, reason);
  const steps = prelude.steps;
  const statements = (await conn.extractStatements(prelude.sql)).count;
  if (statements !== steps.length) {
    throw new Error(
      `${statements} statements, but ${steps.length} ending with ";" at the end of a line (a statement must end there, and only a statement)`,
    );
  }
  for (let i = 0; i < steps.length; ) {
    if (definesOnly(steps[i].sql)) {
      // consecutive macros and views in one statement: each reads nothing (half a millisecond a statement)
      const batch: string[] = [];
      while (i < steps.length && definesOnly(steps[i].sql)) batch.push(steps[i++].sql);
      await conn.run(batch.map((sql) => `${sql}\n;`).join('\n'));
      continue;
    }
    if (!steps[i].sliced || !slicing || slicing.cuts.length <= 1) {
      const sql = steps[i++].sql;
      await withMemoryToSpare(conn, () => conn.run(sql), retry(sql.split('\n')[0]));
      if (!small) await returnFreedMemory(conn);
      continue;
    }
    const group: { table: string; query: string }[] = [];
    while (i < steps.length && steps[i].sliced) group.push(steps[i++].sliced!);
    const filling = group.map((t) => t.table.replace(/^rules_work\.(main\.)?/, ''));
    await forEachSlice(
      conn,
      slicing,
      async (condition, slice) => {
        for (const t of group) {
          const rows = `SELECT * FROM (\n${t.query}\n) AS slice_query`;
          // made empty first: filled by CREATE TABLE … AS, the first slice ran out of DuckDB's memory
          // where the same rows by INSERT did not
          if (slice === 0) await conn.run(`CREATE OR REPLACE TABLE ${t.table} AS ${rows} LIMIT 0`);
          const sql = `INSERT INTO ${t.table} ${rows} WHERE ${condition}`;
          await withMemoryToSpare(conn, () => conn.run(sql), retry(`${t.table}, slice ${slice + 1}`));
          await returnFreedMemory(conn);
        }
      },
      filling,
    );
  }
}

/** A prelude statement that defines a temp macro or view (reads no rows; never sliced). */
function definesOnly(sql: string): boolean {
  return /^CREATE OR REPLACE TEMP (MACRO|VIEW) /i.test(sql.replace(/^(\s*--[^\n]*\n)*\s*/, ''));
}

export async function runRules(conn: DuckDBConnection, ctx: RulesContext): Promise<RulesSummary> {
  const hierarchy = ctx.agencies ?? (ctx.agenciesCsv ? loadAgencies(ctx.agenciesCsv) : null);
  // every rule of the folder runs, and is listed in `rules` from its header (the catalogue of
  // the pages' wording, domain/rule-headers.ts, is written from the same headers by `npm run rules`)
  const { preludes, rules } = loadRuleFiles(ctx.rulesDir ?? rulesDir());
  await createRuleContext(conn, hierarchy);
  const fingerprint = rulesFingerprint(preludes, rules, hierarchy);
  const kept = keptPreludeTables(preludes, rules);
  const reason = ctx.incremental ? await fullEvaluationReason(conn, fingerprint, rules, kept) : null;
  // planned on one thread too: most incremental runs are small (ONE_THREAD_SCOPE)
  let threads = ctx.incremental && reason === null ? await useOneThread(conn) : null;
  let evaluation: RulesEvaluation;
  try {
    let plan = ctx.incremental && reason === null ? await planIncremental(conn) : null;
    // reports per slice of the prelude; the incremental prelude runs in one piece: a scope larger
    // than a slice is evaluated in full, a slice at a time
    const largest = ctx.preludeReportsPerSlice ?? ctx.reportsPerSlice ?? PRELUDE_REPORTS_PER_SLICE;
    const tooLarge = plan && plan.scope > largest ? `${plan.scope} reports to read, over ${largest}` : null;
    if (tooLarge) plan = null;
    evaluation = plan
      ? { mode: 'incremental', touched: plan.touched, scope: plan.scope }
      : { mode: 'full', ...(reason || tooLarge ? { reason: reason ?? tooLarge! } : {}) };
    if (threads && !oneThreadWillDo(evaluation)) {
      await threads.restore();
      threads = null;
    }
    await evaluate(conn, ctx, { preludes, rules, kept, fingerprint, plan, largest });
    if (threads && ctx.leaveOneThread) {
      leftOnOneThread.set(conn, threads.restore);
      threads = null;
    }
  } finally {
    await threads?.restore();
  }
  return { ...(await summariseFindings(conn)), evaluation };
}

/** The threads to put back on a connection a small evaluation left on one (RulesContext.leaveOneThread). */
const leftOnOneThread = new WeakMap<DuckDBConnection, () => Promise<void>>();

/** Puts back DuckDB's threads that runRules left at one (leaveOneThread); nothing when it did not. */
export async function restoreThreads(conn: DuckDBConnection): Promise<void> {
  const restore = leftOnOneThread.get(conn);
  leftOnOneThread.delete(conn);
  await restore?.();
}

/** The rules evaluated (in full, or incrementally by `plan`) and their findings written to anomalies. */
async function evaluate(
  conn: DuckDBConnection,
  ctx: RulesContext,
  {
    preludes,
    rules,
    kept,
    fingerprint,
    plan,
    largest,
  }: {
    preludes: readonly Prelude[];
    rules: readonly RuleDef[];
    kept: readonly string[];
    fingerprint: string;
    plan: IncrementalPlan | null;
    largest: number;
  },
): Promise<void> {
  const work = await attachRulesWork(conn, plan !== null);
  try {
    const run = async (rule: RuleDef, where = '', into?: string) => {
      await withMemoryToSpare(
        conn,
        () => collectFindings(conn, rule, where, into),
        (limit, reason) => ctx.onMemoryRetry?.(`rule ${rule.id}${where ? ' (a slice)' : ''}`, limit, reason),
      );
      // an incremental run's rules read a few reports: returning memory after each (a malloc_trim,
      // 3-8 ms, after every 24 MB of growth) cost more than it saved
      if (!plan) await returnFreedMemory(conn);
    };
    if (plan) {
      await evaluateIncrementally(conn, preludes, rules, kept, ctx, run);
    } else {
      // report-scoped work a slice of reports at a time (when there is more than one)
      await orderReports(conn);
      const slicing = await reportSlices(conn, ctx.reportsPerSlice);
      await runPreludes(conn, preludes, await reportSlices(conn, largest), ctx, false);
      await resetState(conn);
      const sliced = slicing.cuts.length > 1 ? rules.filter((r) => r.scope === 'report') : [];
      if (sliced.length)
        await forEachSlice(conn, slicing, async (condition) => {
          for (const rule of sliced) await run(rule, `WHERE ${condition}`, DOCUMENT_FINDINGS);
        });
      for (const rule of rules) if (!sliced.includes(rule)) await run(rule, '', DOCUMENT_FINDINGS);
    }
    await saveState(conn, fingerprint, kept, plan !== null);
  } finally {
    await dropReportOrder(conn);
    await removeShadows(conn, kept);
    await work.release();
  }
  try {
    if (!plan) await writeRuleCatalogue(conn, rules); // incremental: the same rules as the last evaluation
    await recordResolvedFindings(conn, ctx.runId, () =>
      plan
        ? writeAffectedAnomalies(conn, (part) => writeAnomalies(conn, ctx.runId, part))
        : writeAnomalies(conn, ctx.runId, undefined, DOCUMENT_FINDINGS),
    );
    // an incremental run's findings are a few reports': its memory is returned by the outputs' next return
    if (!plan) await returnFreedMemory(conn);
    await withMemoryToSpare(
      conn,
      () => keepReportDocuments(conn, plan !== null),
      (limit, reason) => ctx.onMemoryRetry?.('report_documents kept for the next run', limit, reason),
    );
  } finally {
    await dropPlan(conn);
    // written to anomalies: a temp table stays in DuckDB's memory (every finding with its operands
    // and cells, growing with the warehouse) through the outputs otherwise
    await dropFindings(conn);
  }
  if (!plan) await returnFreedMemory(conn);
}

/**
 * Reports read (an incremental plan's scope) up to which the rules run on one of DuckDB's threads:
 * each statement reads a few reports, and on two threads the rules of 10 new reports among 10,000
 * took a fifth more CPU (measured: docs/performance.md).
 */
const ONE_THREAD_SCOPE = 200;

/** Whether an evaluation is small enough for one of DuckDB's threads (ONE_THREAD_SCOPE): its results' statements too. */
function oneThreadWillDo(evaluation: RulesEvaluation | undefined): boolean {
  return evaluation?.mode === 'incremental' && (evaluation.scope ?? Infinity) <= ONE_THREAD_SCOPE;
}

/** DuckDB on one thread until `restore` (see ONE_THREAD_SCOPE). */
async function useOneThread(conn: DuckDBConnection): Promise<{ restore: () => Promise<void> }> {
  const [[before]] = (await conn.runAndReadAll("SELECT current_setting('threads')")).getRowsJS();
  await conn.run('SET threads = 1');
  return { restore: () => conn.run(`SET threads = ${Number(before)}`).then(() => undefined) };
}

async function runPreludes(
  conn: DuckDBConnection,
  preludes: readonly Prelude[],
  slicing: Slicing | null,
  ctx: RulesContext,
  small: boolean,
): Promise<void> {
  for (const p of preludes) {
    try {
      await runPrelude(conn, p, slicing, ctx, small);
    } catch (e) {
      throw new Error(`sql/rules/${p.file}: ${(e as Error).message}`);
    }
  }
}

/**
 * The rules for what the touched reports can move (incremental.ts): the preludes and the rules
 * over the cells of the scope's reports, the prelude tables the cross-report rules read kept
 * with the rows of the other reports (useKeptRows); each rule's findings kept to those its family re-evaluates, and
 * merged into the kept findings. XA.OUTLIER's family reads the whole cells table.
 */
async function evaluateIncrementally(
  conn: DuckDBConnection,
  preludes: readonly Prelude[],
  rules: readonly RuleDef[],
  kept: readonly string[],
  ctx: RulesContext,
  run: (rule: RuleDef, where: string) => Promise<void>,
): Promise<void> {
  await shadowOutsideScope(conn);
  await runPreludes(conn, preludes, null, ctx, true);
  for (const t of kept) await useKeptRows(conn, t);
  await createFindings(conn);
  const wide = rules.filter((r) => familyOf(r) === 'peers');
  const own = rules.filter((r) => familyOf(r) === 'report');
  for (const rule of rules)
    if (!wide.includes(rule) && !own.includes(rule)) await run(rule, `WHERE ${ownedCondition(familyOf(rule)!)}`);
  // the report-scoped rules see the touched reports only (their queries may go over every report
  // row), and keep their findings (the cells and claims in scope are of more reports)
  const removeViews = await shadowTables(conn, ownedCondition('report'), [...SHADOWED, ...kept]);
  try {
    for (const rule of own) await run(rule, `WHERE ${ownedCondition('report')}`);
  } finally {
    await removeViews();
  }
  await removeShadows(conn);
  for (const rule of wide) await run(rule, `WHERE ${ownedCondition('peers')}`);
  await mergeKeptFindings(conn, rules);
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
export { ReviewsFileError, applyReviews, ensureReviewsFile, loadReviews, reviewsPath } from './reviews.js';
export type { Review, Reviews } from './reviews.js';
export { RULES_VERSION } from './version.js';
