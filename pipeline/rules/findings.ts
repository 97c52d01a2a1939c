/**
 * Findings: every rule query appends to a temp table with the column contract below; then the
 * `anomalies` table is replaced by this run's findings, each with a stable fingerprint (the same
 * finding has the same id in every run) and the run it was first seen in carried over.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { RuleDef } from './files.js';
import { sqlString, sqlStringOrNull } from '../common/index.js';
import { returnFreedMemory } from '../warehouse/index.js';

/** The columns every rule query selects, in this order. */
export const FINDING_COLUMNS = [
  'report_id',
  'related_report_id',
  'table_id',
  'row_key',
  'col_key',
  'expected',
  'actual',
  'message',
  'operands',
  'cells',
  'blank_involved',
] as const;

export async function createFindings(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE rule_findings (
    rule_id VARCHAR, severity VARCHAR, report_id VARCHAR, related_report_id VARCHAR, table_id VARCHAR, row_key VARCHAR,
    col_key VARCHAR, expected DOUBLE, actual DOUBLE, message VARCHAR, operands VARCHAR, cells VARCHAR, blank_involved BOOLEAN)`);
}

/** Drops the rules' findings once they are written to anomalies (`createFindings`). */
export async function dropFindings(conn: DuckDBConnection): Promise<void> {
  await conn.run('DROP TABLE IF EXISTS temp.main.rule_findings');
}

/**
 * Runs one rule's query into rule_findings (or the table `into`); errors name the rule and its
 * file. `where` keeps the findings of a slice's reports (see slices.ts).
 */
export async function collectFindings(
  conn: DuckDBConnection,
  rule: RuleDef,
  where = '',
  into = 'rule_findings',
): Promise<void> {
  const cast = [
    'report_id::VARCHAR',
    'related_report_id::VARCHAR',
    'table_id::VARCHAR',
    'row_key::VARCHAR',
    'col_key::VARCHAR',
    'expected::DOUBLE',
    'actual::DOUBLE',
    'message::VARCHAR',
    'operands::VARCHAR',
    'cells::VARCHAR',
    'blank_involved::BOOLEAN',
  ];
  try {
    await conn.run(
      `INSERT INTO ${into} SELECT ${sqlString(rule.id)}, ${sqlString(rule.severity)}, ${cast.join(', ')} FROM (\n${rule.sql}\n) AS rule_query ${where}`,
    );
  } catch (e) {
    throw new Error(`rule ${rule.id} (sql/rules/${rule.file}): ${(e as Error).message}`);
  }
}

/**
 * A report (one agency, one year, identical numbers: the grouping of the report_documents view)
 * often arrives as several documents (the web page, its DOCX, a text export); every rule finds
 * the same thing on each. A finding is kept once per report: its fingerprint names the report by
 * `report_key` — its agency, year and numbers — not by a document, so it does not depend on which
 * document was seen first, and a review line applies to the report whichever document it was
 * written from. A document whose bytes say something its report's other documents do not (a
 * blank printed where another prints 0 aside) keeps its own finding.
 */
const REPORT_KEYS = `SELECT report_id, group_id, is_representative,
         md5(coalesce(agency_norm || '|' || year || '|' || cells_signature, report_id)) AS report_key
  FROM report_documents`;

/**
 * What the fingerprint reads of the operands and cells JSON: the report ids named there replaced
 * by one list of their reports' keys, and what differs between documents of one report without
 * being another finding (the raw text and kind of a cell, the sentence's place and exact text).
 */
const DOCUMENT_NEUTRAL = (col: string) =>
  `regexp_replace(coalesce(${col}, ''), '"(report_id|raw|kind|offset|sentence)":("(\\\\.|[^"\\\\])*"|[^,}\\]]*),?', '', 'g')`;

/**
 * Part of `anomalies` written again (an incremental run, pipeline/rules/incremental.ts): the
 * findings in `findings` replace the rows meeting `rows`; the other rows stand (seen in this run).
 */
export interface AnomaliesPart {
  findings: string;
  rows: string;
}

/**
 * Replaces `anomalies` with this run's findings, one per report (see REPORT_KEYS). Fingerprint:
 * md5 over rule, report key(s), cell, expected, actual, operands and cells (documents named by
 * their report keys) — not the message, so rewording keeps the id. The first run a fingerprint was
 * seen in, and any review decision, come over from the previous run.
 */
export async function writeAnomalies(
  conn: DuckDBConnection,
  runId: string,
  only?: AnomaliesPart,
  /** The findings of a full write (default rule_findings). */
  all = 'rule_findings',
): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE previous_anomalies AS
    SELECT fingerprint, min(first_seen_run) AS first_seen_run, any_value(review_decision) AS review_decision, any_value(review_note) AS review_note
    FROM anomalies GROUP BY fingerprint`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE finding_report_keys AS ${REPORT_KEYS}`);
  const source = only?.findings ?? all;
  try {
    // Narrow rows until one finding per fingerprint is chosen (its row id in the findings read), the
    // wide ones (message, operands, cells) read once, by row id, for those alone: numbered and
    // sorted whole, the findings of 20,000 reports ran out of DuckDB's 160 MB (a sort and a
    // window over every column of every finding). Fingerprinted a range of findings at a time: over
    // every finding at once, DuckDB's joins held the findings' texts (the peak of the rules at 50,000 reports).
    const [rows] = (await conn.runAndReadAll(`SELECT coalesce(max(rowid) + 1, 0) FROM ${source}`)).getRowsJS()[0];
    const ranges: string[] = [];
    for (let from = 0; from < Number(rows); from += ANOMALIES_PER_WRITE)
      ranges.push(`BETWEEN ${from} AND ${from + ANOMALIES_PER_WRITE - 1}`);
    await conn.run(`CREATE OR REPLACE TEMP TABLE finding_prints (
      n BIGINT, fingerprint VARCHAR, is_representative BOOLEAN, document_id VARCHAR, tie VARCHAR)`);
    for (const range of ranges) {
      await conn.run(
        `INSERT INTO finding_prints
         WITH findings AS (SELECT rowid AS n, * FROM ${source} WHERE rowid ${range}),
         named AS (  -- the reports the operands and cells name, by key (cross-report findings)
           SELECT n, unnest(regexp_extract_all(coalesce(operands, '') || coalesce(cells, ''), '"report_id":"([^"]+)"', 1)) AS id
           FROM findings WHERE contains(operands, '"report_id"') OR contains(cells, '"report_id"')
         ), named_keys AS (
           SELECT n, array_to_string(list_sort(list(DISTINCT coalesce(k.report_key, id))), ',') AS keys
           FROM named LEFT JOIN finding_report_keys k ON k.report_id = named.id GROUP BY n
         )
         SELECT f.n,
                md5(concat_ws('|', f.rule_id, coalesce(k.report_key, f.report_id), coalesce(rk.report_key, f.related_report_id, ''),
                  coalesce(f.table_id, ''), coalesce(f.row_key, ''), coalesce(f.col_key, ''), coalesce(f.expected::VARCHAR, ''),
                  coalesce(f.actual::VARCHAR, ''), ${DOCUMENT_NEUTRAL('f.operands')}, ${DOCUMENT_NEUTRAL('f.cells')}, coalesce(nk.keys, ''))),
                coalesce(k.is_representative, true), f.report_id, md5(concat_ws('|', f.message, f.operands, f.cells))
         FROM findings f
         LEFT JOIN finding_report_keys k ON k.report_id = f.report_id
         LEFT JOIN finding_report_keys rk ON rk.report_id = f.related_report_id
         LEFT JOIN named_keys nk ON nk.n = f.n`,
      );
      if (!only) await returnFreedMemory(conn); // a part: a few reports' findings
    }
    // the representative's own finding where it has it (its message), else another document's
    // (ties, as two sentences of one report saying the same: by message and operands, not by the order the rules gave them)
    await conn.run(`CREATE OR REPLACE TEMP TABLE chosen_findings AS
      SELECT DISTINCT ON (fingerprint) n, fingerprint FROM finding_prints ORDER BY fingerprint, is_representative DESC, document_id, tie`);
    await conn.run('DROP TABLE finding_prints');
    // No transaction around the rows written: they are written a range of findings at a time (the
    // run's private build is published whole or not at all), so DuckDB holds one range's texts at
    // once, not every finding's (its peak at 50,000 reports).
    if (only) await conn.run(`UPDATE anomalies SET last_seen_run = $1`, [runId]);
    await conn.run(`DELETE FROM anomalies${only ? ` WHERE ${only.rows}` : ''}`);
    for (const range of ranges) {
      await conn.run(
        `INSERT INTO anomalies
         SELECT o.fingerprint, f.rule_id, f.severity,
                -- the report's representative document (report_documents.group_id), as the contract says
                coalesce(k.group_id, f.report_id), coalesce(rk.group_id, f.related_report_id), f.table_id, f.row_key, f.col_key,
                f.expected, f.actual, f.message, f.operands, f.cells, f.blank_involved,
                coalesce(p.first_seen_run, $1), $1, p.review_decision, p.review_note
         FROM (SELECT * FROM chosen_findings WHERE n ${range}) o
         JOIN (SELECT rowid AS n, * FROM ${source} WHERE rowid ${range}) f USING (n)
         LEFT JOIN finding_report_keys k ON k.report_id = f.report_id
         LEFT JOIN finding_report_keys rk ON rk.report_id = f.related_report_id
         LEFT JOIN previous_anomalies p ON p.fingerprint = o.fingerprint`,
        [runId],
      );
      if (!only) await returnFreedMemory(conn);
    }
  } finally {
    await conn.run(
      ['previous_anomalies', 'finding_report_keys', 'finding_prints', 'chosen_findings']
        .map((t) => `DROP TABLE IF EXISTS ${t};`)
        .join('\n'),
    );
  }
}

/** Findings fingerprinted, and written to anomalies, per statement (see writeAnomalies). */
const ANOMALIES_PER_WRITE = 4096;

export async function writeRuleCatalogue(conn: DuckDBConnection, rules: readonly RuleDef[]): Promise<void> {
  await conn.run('DELETE FROM rules');
  if (rules.length === 0) return;
  await conn.run(
    `INSERT INTO rules (rule_id, severity, title_zh, title_en, file) VALUES ${rules
      .map(
        (r) =>
          `(${sqlString(r.id)}, ${sqlString(r.severity)}, ${sqlStringOrNull(r.titleZh)}, ${sqlStringOrNull(r.titleEn)}, ${sqlString(r.file)})`,
      )
      .join(', ')}`,
  );
}
