/**
 * Incremental rules: a run that adds, changes or removes a few reports evaluates the rules again
 * for what those reports can move, and keeps every other finding as the last evaluation left it.
 *
 * What is kept between runs, in the warehouse's schema `rules_state` (not `main`: no part of the
 * data contract, written and read only here; no name shared with a table or view of `main`):
 *   document_findings  every rule's findings per document, as the rules return them (before
 *             writeAnomalies makes them one per report): `anomalies` is rebuilt from them
 *   evaluated_reports  each report as the last evaluation saw it: its load stamp, first
 *             sighting, agency and year; the difference with the warehouse now is what the run touched
 *   evaluation  the fingerprint of what the findings were computed with (rule files, RULES_VERSION,
 *             views, template keys, agency CSV): a different one means a full evaluation
 *   <table>   each `-- scope: report` table of the prelude a cross-report rule reads
 *             (table_signatures, report_rates): its rows of the reports the run does not touch
 *   kept_report_documents  the view report_documents as a table (it reads every cell): the findings'
 *             report keys and rule_results read it
 *
 * Touched documents D: new, removed, or whose report row, load stamp (loaded_run, loaded_at: a
 * document read again), first sighting or agency/year differ. K: their agency-years, before and
 * after. Each rule family re-evaluates the findings that can move (FAMILIES below), over the cells
 * of the reports it needs (the scope), and replaces exactly those of the kept findings.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlDir, sqlIdent, sqlString } from '../common/index.js';
import type { AgencyHierarchy } from './agencies.js';
import { ruleKeys } from './context.js';
import type { AnomaliesPart } from './findings.js';
import type { Prelude, RuleDef } from './files.js';
import { rowsOfReports } from './slices.js';
import { RULES_VERSION } from './version.js';

/**
 * How far a rule's findings reach, and so which of them a touched document can move:
 *   report       a report's findings come from its own rows: those of D;
 *   agency_year  META.DUPLICATE compares the documents of one agency-year: those of K;
 *   years        XY.*: on an agency's year, against its year before: K and the year after each;
 *   parents      XA.AGGREGATE: on a parent's report, from its members' of that year: K and
 *                the parents of K's agencies that year (scope: every member of those parents);
 *   copies       XA.COPY: a pair of representatives of one year with identical T3: every pair
 *                with one side in K (the other side's signature is kept: table_signatures);
 *   peers        XA.OUTLIER: every finding of the peer groups (year × level) of K, as the median
 *                and spread move (rates of untouched reports kept: report_rates); evaluated
 *                over the whole cells table (the flagged reports' cells are its operands).
 * A cross-report rule not listed here makes the run a full evaluation.
 */
export type Family = 'report' | 'agency_year' | 'years' | 'parents' | 'copies' | 'peers';

const CROSS_FAMILIES: Record<string, Family> = {
  'META.DUPLICATE': 'agency_year',
  'XY.CARRY_OVER': 'years',
  'XY.COPY': 'years',
  'XY.IN_FORCE_CHAIN': 'years',
  'XY.ITEMS_CHAIN': 'years',
  'XY.JUMP': 'years',
  'XA.AGGREGATE': 'parents',
  'XA.COPY': 'copies',
  'XA.OUTLIER': 'peers',
};

export function familyOf(rule: RuleDef): Family | null {
  return rule.scope === 'report' ? 'report' : (CROSS_FAMILIES[rule.id] ?? null);
}

/** The condition on a finding (rule_query's columns) that it is one the family re-evaluates. */
export function ownedCondition(family: Family): string {
  const owned = `(SELECT report_id FROM incr_owned WHERE family = '${family}')`;
  return family === 'copies' ? `(report_id IN ${owned} OR related_report_id IN ${owned})` : `report_id IN ${owned}`;
}

/** Bumped when the tables of rules_state change: the next run evaluates in full and makes them again. */
const STATE_LAYOUT = '1';

/** Fingerprint of what findings are computed from besides the reports (and of the state's layout). */
export function rulesFingerprint(
  preludes: readonly Prelude[],
  rules: readonly RuleDef[],
  hierarchy: AgencyHierarchy | null,
): string {
  const hash = createHash('sha256');
  const add = (label: string, value: string) => hash.update(label).update('\0').update(value).update('\0');
  add('rules version', RULES_VERSION);
  add('state layout', STATE_LAYOUT);
  for (const p of preludes) add(`prelude ${p.file}`, p.sql);
  for (const r of rules) add(`rule ${r.id}`, JSON.stringify([r.severity, r.scope, r.titleZh, r.titleEn, r.sql]));
  add('views', readFileSync(join(sqlDir(), 'views.sql'), 'utf8'));
  add('keys', JSON.stringify(ruleKeys()));
  add('agencies', JSON.stringify(hierarchy?.agencies ?? []));
  return hash.digest('hex');
}

/** The prelude's report-scoped tables a cross-report rule reads: kept per report between runs. */
export function keptPreludeTables(preludes: readonly Prelude[], rules: readonly RuleDef[]): string[] {
  const cross = rules
    .filter((r) => r.scope !== 'report')
    .map((r) => r.sql)
    .join('\n');
  const tables: string[] = [];
  for (const p of preludes) {
    for (const s of p.steps) {
      const name = s.sliced?.table.replace(/^rules_work\.(main\.)?/, '');
      if (name && new RegExp(`\\b${name}\\b`).test(cross)) tables.push(name);
    }
  }
  return tables;
}

/** Each report as the rules see it, for the comparison with the last evaluation's. */
const REPORTS_NOW = `
SELECT DISTINCT ON (r.report_id) r.report_id, r.status,
       coalesce(r.loaded_run, '') || '|' || coalesce(CAST(r.loaded_at AS VARCHAR), '') AS stamp,
       f.first_seen, coalesce(a.agency_norm, r.agency_norm) AS agency_key, r.year, r.agency_norm
FROM main.reports r
LEFT JOIN (SELECT sha256, min(first_seen) AS first_seen FROM documents GROUP BY sha256) f USING (sha256)
LEFT JOIN agency_aliases a ON a.alias_norm = r.agency_norm
ORDER BY r.report_id`;

async function ensureState(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE SCHEMA IF NOT EXISTS rules_state;
    CREATE TABLE IF NOT EXISTS rules_state.evaluation (fingerprint VARCHAR);
    CREATE TABLE IF NOT EXISTS rules_state.evaluated_reports (
      report_id VARCHAR, status VARCHAR, stamp VARCHAR, first_seen TIMESTAMP, agency_key VARCHAR, year INTEGER, agency_norm VARCHAR);
    CREATE TABLE IF NOT EXISTS rules_state.document_findings (
      rule_id VARCHAR, severity VARCHAR, report_id VARCHAR, related_report_id VARCHAR, table_id VARCHAR, row_key VARCHAR,
      col_key VARCHAR, expected DOUBLE, actual DOUBLE, message VARCHAR, operands VARCHAR, cells VARCHAR, blank_involved BOOLEAN)`);
}

export interface IncrementalPlan {
  /** Documents touched (new, changed, removed). */
  touched: number;
  /** Reports whose cells the evaluation reads (the scope). */
  scope: number;
}

/**
 * Why the run cannot be incremental (null: it can). Same fingerprint as the last evaluation, its
 * kept tables there, and every cross-report rule in a known family.
 */
export async function fullEvaluationReason(
  conn: DuckDBConnection,
  fingerprint: string,
  rules: readonly RuleDef[],
  kept: readonly string[],
): Promise<string | null> {
  const unknown = rules.find((r) => familyOf(r) === null);
  if (unknown) return `rule ${unknown.id} is cross-report and has no incremental family`;
  await ensureState(conn);
  const meta = (await conn.runAndReadAll('SELECT fingerprint FROM rules_state.evaluation')).getRowsJS();
  if (meta.length !== 1 || meta[0][0] !== fingerprint)
    return 'the rules or their inputs changed since the last evaluation';
  const wanted = [...kept, 'kept_report_documents'];
  const present = new Set(
    (
      await conn.runAndReadAll(
        `SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'rules_state'`,
      )
    )
      .getRowsJS()
      .map(([t]) => t),
  );
  const missing = wanted.find((t) => !present.has(t));
  return missing === undefined ? null : `no kept ${missing}`;
}

/**
 * Computes what the run touched (temp tables incr_docs, incr_owned(family, report_id) and
 * incr_scope(report_id)). Needs the rule context (agency_hierarchy, agency_aliases).
 */
export async function planIncremental(conn: DuckDBConnection): Promise<IncrementalPlan> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE incr_now AS ${REPORTS_NOW}`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE incr_docs AS
    SELECT coalesce(n.report_id, o.report_id) AS report_id
    FROM incr_now n FULL JOIN rules_state.evaluated_reports o ON o.report_id = n.report_id
    WHERE n.report_id IS NULL OR o.report_id IS NULL
       OR (n.status, n.stamp, n.first_seen, n.agency_key, n.year) IS DISTINCT FROM (o.status, o.stamp, o.first_seen, o.agency_key, o.year)`);
  // every document, now or at the last evaluation, with its agency-year (a removed one's as it was)
  await conn.run(`CREATE OR REPLACE TEMP TABLE incr_all AS
    SELECT report_id, agency_key, year, agency_norm FROM incr_now UNION SELECT report_id, agency_key, year, agency_norm FROM rules_state.evaluated_reports`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE incr_keys AS
    SELECT DISTINCT agency_key, year FROM incr_all
    WHERE report_id IN (SELECT report_id FROM incr_docs) AND agency_key IS NOT NULL AND year IS NOT NULL`);
  const docsOf = (keys: string) =>
    `SELECT a.report_id FROM incr_all a JOIN (${keys}) k ON k.agency_key = a.agency_key AND k.year = a.year`;
  const parentKeys = `SELECT h.parent_norm AS agency_key, k.year FROM incr_keys k JOIN agency_hierarchy h ON h.agency_norm = k.agency_key WHERE h.parent_norm IS NOT NULL`;
  const levelOf = (agency: string) =>
    `coalesce((SELECT any_value(h.level) FROM agency_hierarchy h WHERE h.agency_norm = ${agency}), '')`;
  await conn.run(`CREATE OR REPLACE TEMP TABLE incr_owned AS
    SELECT 'report' AS family, report_id FROM incr_docs
    UNION SELECT 'agency_year', report_id FROM incr_docs
    UNION SELECT 'agency_year', report_id FROM (${docsOf('SELECT * FROM incr_keys')})
    UNION SELECT 'copies', report_id FROM incr_docs
    UNION SELECT 'copies', report_id FROM (${docsOf('SELECT * FROM incr_keys')})
    UNION SELECT 'years', report_id FROM incr_docs
    UNION SELECT 'years', report_id FROM (${docsOf('SELECT agency_key, year FROM incr_keys UNION SELECT agency_key, year + 1 AS year FROM incr_keys')})
    UNION SELECT 'parents', report_id FROM incr_docs
    UNION SELECT 'parents', report_id FROM (${docsOf(`SELECT * FROM incr_keys UNION ${parentKeys}`)})
    UNION SELECT 'peers', report_id FROM incr_docs
    UNION SELECT 'peers', a.report_id FROM incr_all a
      WHERE (a.year, ${levelOf('a.agency_key')}) IN (SELECT (k.year, ${levelOf('k.agency_key')}) FROM incr_keys k)`);
  // the reports whose cells are read: every owned one but the peers' (XA.OUTLIER reads the whole
  // cells table), the year before each of `years`, and every member of the parents of `parents`
  await conn.run(`CREATE OR REPLACE TEMP TABLE incr_scope AS
    SELECT report_id FROM incr_owned WHERE family <> 'peers'
    UNION ${docsOf('SELECT agency_key, year - 1 AS year FROM incr_keys')}
    UNION ${docsOf(`SELECT h.agency_norm AS agency_key, p.year FROM (SELECT * FROM incr_keys UNION ${parentKeys}) p
                    JOIN agency_hierarchy h ON h.parent_norm = p.agency_key`)}`);
  const counts = (
    await conn.runAndReadAll('SELECT (SELECT count(*) FROM incr_docs), (SELECT count(*) FROM incr_scope)')
  ).getRowsJS();
  return { touched: Number(counts[0][0]), scope: Number(counts[0][1]) };
}

/**
 * The warehouse tables a rule reads by report whose rows outside the scope are hidden (temp tables of the scope's
 * rows).
 */
export const SHADOWED: readonly string[] = ['cells', 'claims'];

export async function shadowOutsideScope(conn: DuckDBConnection): Promise<void> {
  for (const t of SHADOWED) {
    const rows = await rowsOfReports(conn, `main.${t}`, 'SELECT report_id FROM incr_scope');
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${t} AS SELECT * FROM main.${t} WHERE ${rows}`);
  }
}

/** Drops the shadows of cells and claims, and the views of the `kept` tables (useKeptRows). */
export async function removeShadows(conn: DuckDBConnection, kept: readonly string[] = []): Promise<void> {
  await conn.run(
    [
      ...SHADOWED.map((t) => `DROP TABLE IF EXISTS temp.main.${t};`),
      ...kept.map((t) => `DROP VIEW IF EXISTS temp.main.${sqlIdent(t)};`),
    ].join('\n'),
  );
}

/**
 * A report-scoped prelude table a cross-report rule reads, brought up to date: the scope's rows
 * (the prelude computed them) replace the kept ones, and a temp view of the kept table stands for
 * the work table (removeShadows drops it, given the table).
 */
export async function useKeptRows(conn: DuckDBConnection, table: string): Promise<void> {
  const t = sqlIdent(table);
  await conn.run(
    `DELETE FROM rules_state.${t} WHERE report_id IN (SELECT report_id FROM incr_scope UNION SELECT report_id FROM incr_docs);
     INSERT INTO rules_state.${t} SELECT * FROM rules_work.main.${t};
     CREATE OR REPLACE TEMP VIEW ${t} AS SELECT * FROM rules_state.${t}`,
  );
}

/**
 * Replaces the kept findings the families re-evaluated with the new ones (rule_findings), and
 * fills rule_findings with every kept finding for writeAnomalies.
 */
export async function mergeKeptFindings(conn: DuckDBConnection, rules: readonly RuleDef[]): Promise<void> {
  const families = rules.map((r) => `(${sqlString(r.id)}, '${familyOf(r)}')`).join(', ');
  // the kept findings the rules evaluated again: their family's documents (XA.COPY's: on either
  // side), found by their narrow columns, then read whole by row id (the scan then skips the
  // operands and cells of the others: 8 ms instead of 20 for 10 reports' among 10,000's, though
  // writeAffectedAnomalies, reading them all, then takes 6 ms more)
  const owned = `SELECT f.kept_row FROM (SELECT k.rowid AS kept_row, k.report_id, k.related_report_id, rf.family
      FROM rules_state.document_findings k JOIN (VALUES ${families}) rf(rule_id, family) USING (rule_id)) f
    WHERE (family, report_id) IN (SELECT (family, report_id) FROM incr_owned)
       OR (family = 'copies' AND (family, related_report_id) IN (SELECT (family, report_id) FROM incr_owned))`;
  await conn.run(`CREATE OR REPLACE TEMP TABLE incr_replaced AS
    WITH owned AS (${owned})
    SELECT k.rowid AS kept_row, k.* FROM rules_state.document_findings k WHERE k.rowid IN (SELECT kept_row FROM owned)`);
  // the documents whose findings differ (a finding of an untouched report can move: an outlier's median)
  await conn.run(`CREATE OR REPLACE TEMP TABLE incr_changed AS
    WITH replaced AS (SELECT * EXCLUDE (kept_row) FROM incr_replaced),
    changed AS ((SELECT * FROM replaced EXCEPT SELECT * FROM rule_findings) UNION ALL (SELECT * FROM rule_findings EXCEPT SELECT * FROM replaced))
    SELECT report_id FROM changed UNION SELECT related_report_id FROM changed WHERE related_report_id IS NOT NULL`);
  await conn.run(`DELETE FROM rules_state.document_findings WHERE rowid IN (SELECT kept_row FROM incr_replaced);
    INSERT INTO rules_state.document_findings SELECT * FROM rule_findings;
    DROP TABLE incr_replaced`);
}

/** A finding (of rules_state.document_findings or anomalies) naming a document of incr_affected. */
const NAMES_AFFECTED = `(report_id IN (SELECT report_id FROM incr_affected) OR related_report_id IN (SELECT report_id FROM incr_affected)
  OR ((contains(operands, '"report_id"') OR contains(cells, '"report_id"'))
      AND len(list_intersect(regexp_extract_all(coalesce(operands, '') || coalesce(cells, ''), '"report_id":"([^"]+)"', 1),
                             (SELECT list(report_id) FROM incr_affected))) > 0))`;

/**
 * Writes again the rows of `anomalies` the run can have moved, with `write` (writeAnomalies with
 * a part): those naming a document of an agency-year (as report_documents groups them: agency_norm
 * and year) that a touched document, or a document whose findings differ, is in. A report's documents and the
 * document that stands for it are all of one such agency-year, so the rows of every other finding
 * (its fingerprint, report and representative) are as they were. The reports' keys come from the
 * kept report_documents (rules_state), whose rows of those agency-years are computed again here
 * (the view over shadows of reports and cells holding their documents alone).
 */
export async function writeAffectedAnomalies(
  conn: DuckDBConnection,
  write: (part: AnomaliesPart) => Promise<void>,
): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE incr_affected AS
    WITH moved AS (SELECT report_id FROM incr_docs UNION SELECT report_id FROM incr_changed)
    SELECT report_id FROM moved
    UNION SELECT a.report_id FROM incr_all a
    JOIN (SELECT agency_norm, year FROM incr_all WHERE report_id IN (SELECT report_id FROM moved)) k ON k.agency_norm = a.agency_norm AND k.year = a.year`);
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE incr_affected_findings AS SELECT * FROM rules_state.document_findings WHERE ${NAMES_AFFECTED}`,
  );
  // the kept report_documents, its rows of the affected agency-years computed again
  await conn.run(
    'DELETE FROM rules_state.kept_report_documents WHERE report_id IN (SELECT report_id FROM incr_affected)',
  );
  const remove = await shadowReports(conn, 'incr_affected');
  try {
    await conn.run('INSERT INTO rules_state.kept_report_documents SELECT * FROM report_documents');
  } finally {
    await remove();
  }
  await conn.run('CREATE OR REPLACE TEMP VIEW report_documents AS SELECT * FROM rules_state.kept_report_documents');
  try {
    await write({ findings: 'incr_affected_findings', rows: NAMES_AFFECTED });
  } finally {
    await conn.run(`DROP VIEW IF EXISTS temp.main.report_documents;
      DROP TABLE IF EXISTS temp.main.incr_affected_findings`);
  }
}

/** Where a full evaluation's rules write their findings: kept for the next run as they come. */
export const DOCUMENT_FINDINGS = 'rules_state.document_findings';

/**
 * Starts the state of a full evaluation afresh, in this code's layout: its rules write their
 * findings straight into DOCUMENT_FINDINGS, a table of the warehouse, a rule (and a slice) at a
 * time (as a temp table copied at the end, every finding with its operands and cells, 100 MB and
 * more at 50,000 reports, was held in DuckDB's memory twice).
 */
export async function resetState(conn: DuckDBConnection): Promise<void> {
  await conn.run('DROP SCHEMA IF EXISTS rules_state CASCADE');
  await ensureState(conn);
}

/**
 * Saves what the next run compares with: the reports as now, the fingerprint, and after a full
 * evaluation (whose findings are in DOCUMENT_FINDINGS already, resetState) the kept prelude
 * tables; an incremental one merged its findings and kept rows.
 */
export async function saveState(
  conn: DuckDBConnection,
  fingerprint: string,
  kept: readonly string[],
  incremental: boolean,
): Promise<void> {
  await ensureState(conn);
  await conn.run('BEGIN TRANSACTION');
  try {
    // incremental: the reports as planIncremental read them (incr_now; the warehouse has not changed since)
    await conn.run(`DELETE FROM rules_state.evaluated_reports;
      INSERT INTO rules_state.evaluated_reports ${incremental ? 'SELECT * FROM incr_now' : REPORTS_NOW};
      DELETE FROM rules_state.evaluation;
      INSERT INTO rules_state.evaluation VALUES (${sqlString(fingerprint)})`);
    // incremental: useKeptRows brought them up to date
    if (!incremental)
      for (const t of kept)
        await conn.run(
          `CREATE OR REPLACE TABLE rules_state.${sqlIdent(t)} AS SELECT * FROM rules_work.main.${sqlIdent(t)}`,
        );
    await conn.run('COMMIT');
  } catch (e) {
    await conn.run('ROLLBACK');
    throw e;
  }
}

/** Temp views of the reports and cells of the documents in `table` (report_documents, a view, reads them). */
async function shadowReports(conn: DuckDBConnection, table: string): Promise<() => Promise<void>> {
  const db = sqlIdent(String((await conn.runAndReadAll('SELECT current_database()')).getRowsJS()[0][0]));
  for (const t of ['reports', 'cells']) {
    const rows = await rowsOfReports(conn, `${db}.main.${t}`, `SELECT report_id FROM ${table}`);
    await conn.run(`CREATE OR REPLACE TEMP VIEW ${t} AS SELECT * FROM ${db}.main.${t} WHERE ${rows}`);
  }
  return async () => {
    await conn.run('DROP VIEW IF EXISTS temp.main.reports; DROP VIEW IF EXISTS temp.main.cells');
  };
}

/**
 * Keeps report_documents (each document's report: a view over every cell) in rules_state, and
 * copies it into the temp table rule_report_documents for recordRuleResults (rule-results.ts).
 */
/**
 * The kept report_documents, up to date once the rules have run (full: made from the view;
 * incremental: its touched agency-years made again): the outputs read it instead of the view.
 */
export const KEPT_REPORT_DOCUMENTS = 'rules_state.kept_report_documents';

export async function keepReportDocuments(conn: DuckDBConnection, incremental: boolean): Promise<void> {
  // incremental: writeAffectedAnomalies brought it up to date
  if (!incremental)
    await conn.run('CREATE OR REPLACE TABLE rules_state.kept_report_documents AS SELECT * FROM report_documents');
  await conn.run(
    'CREATE OR REPLACE TEMP TABLE rule_report_documents AS SELECT * FROM rules_state.kept_report_documents',
  );
}

export async function dropPlan(conn: DuckDBConnection): Promise<void> {
  const tables = [
    'incr_now',
    'incr_docs',
    'incr_all',
    'incr_keys',
    'incr_owned',
    'incr_scope',
    'incr_changed',
    'incr_affected',
  ];
  await conn.run(tables.map((t) => `DROP TABLE IF EXISTS temp.main.${t};`).join('\n'));
}
