/**
 * Reads the rule files of sql/rules/. A rule is one file (or a block of a family file: blocks
 * separated by a line `-- ---`); its header comment holds everything the project needs to know
 * of it, and is followed by one query:
 *
 *   -- id: T3.ROW_TOTAL
 *   -- severity: error
 *   -- title_zh: 每行总计等于各类申请人之和
 *   -- title_en: Every T3 row: total equals the sum of the applicant columns
 *   -- scope: report
 *   -- needs: has_t3 AND NOT text_t3
 *   -- doc: every T3 row: `total` = natural_person + … + other_org
 *   -- wording: 印为 | 各项之和为
 *   -- wording_cell: 各项之和
 *   SELECT report_id, related_report_id, table_id, row_key, col_key, expected, actual,
 *          message, operands, cells, blank_involved FROM …
 *
 * - `id`, `severity` (error, warning, info): required. The ids are a contract (docs/rules.md).
 * - `title_zh`, `title_en`: what the pages, the workbook and the README name the rule by.
 * - `scope: report`: the findings about a report come from that report alone, so the runner may
 *   run the rule a slice of reports at a time (see slices.ts); default `warehouse`.
 * - `needs`: what a report needs for the rule to assess it, a condition over the columns of
 *   rule-results.ts's `rule_scope` (has_t3, text_t3, claims_t3, has_neighbour, listed, template…);
 *   a report lacking it is "not assessable" in `rule_results`. Default: every report that was read.
 * - `doc`: the rule's line in docs/rules.md (default: title_en).
 * - How a finding's two numbers read on the pages (pipeline/outputs/site/wording.ts):
 *   `wording: <label of actual> | <label of expected>`, or `wording: none` (the message says it
 *   all: no arithmetic line; also the default when a rule has no wording line);
 *   `wording_no_table: <actual> | <expected>` for a finding that names no table (the prose alone);
 *   `wording_cell: <label>` notes the other number on the cell ("8（各项之和 9）"),
 *   `wording_cell: → <label>` points to it ("8 → 应为 9"); `wording_suffix: %`;
 *   `wording_difference: no` leaves out the difference actual − expected.
 * `npm run rules` writes the catalogue (domain/rule-headers.ts), README's and docs/rules.md's tables
 * from these headers (generate.ts); a test fails when they are stale.
 *
 * Files whose name starts with `_` hold shared definitions (temp views, macros, scratch tables)
 * the rule queries use; they run first, in name order (`_10_…`, `_20_…`), a statement at a time
 * (each statement ends with `;` at the end of a line). A statement `CREATE OR REPLACE TABLE name
 * AS <query>` whose comment says `-- scope: report` (each row about one report, from that
 * report's rows alone) is filled a slice of reports at a time like a report-scoped rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { RuleHeader, Severity, Wording } from '../../domain/index.js';

export type { RuleHeader, Severity, Wording } from '../../domain/index.js';

export interface RuleDef extends RuleHeader {
  readonly sql: string;
}

/** One statement of a prelude file. */
export interface PreludeStep {
  readonly sql: string;
  /** For `-- scope: report`: the table it creates and the query that fills it. */
  readonly sliced: { readonly table: string; readonly query: string } | null;
}

export interface Prelude {
  readonly file: string;
  readonly sql: string;
  readonly steps: readonly PreludeStep[];
}

export interface RuleFiles {
  /** Shared definitions (`_*.sql`), in name order. */
  readonly preludes: readonly Prelude[];
  readonly rules: readonly RuleDef[];
}

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];
const HEADER =
  /^--\s*(id|severity|title_zh|title_en|scope|needs|doc|wording|wording_no_table|wording_cell|wording_suffix|wording_difference)\s*:\s*(.*?)\s*$/;
const SEPARATOR = /^--\s*---\s*$/;

export class RuleFileError extends Error {
  constructor(file: string, message: string) {
    super(`sql/rules/${file}: ${message}`);
    this.name = 'RuleFileError';
  }
}

/** Parses one rule file into its rule blocks. */
export function parseRuleFile(file: string, text: string): RuleDef[] {
  const blocks: string[][] = [[]];
  for (const line of text.replace(/^\ufeff/, '').split(/\r?\n/)) {
    if (SEPARATOR.test(line)) blocks.push([]);
    else blocks[blocks.length - 1].push(line);
  }
  return blocks
    .filter((lines) => lines.some((l) => l.trim() !== ''))
    .map((lines, i) => {
      const header: Record<string, string> = {};
      // The header is the leading run of comment (and blank) lines.
      for (const line of lines) {
        if (line.trim() === '') continue;
        if (!line.trimStart().startsWith('--')) break;
        const m = HEADER.exec(line.trim());
        if (m) header[m[1]] = m[2];
      }
      const where = `block ${i + 1}`;
      if (!header.id) throw new RuleFileError(file, `${where}: no "-- id:" header`);
      const severity = header.severity as Severity;
      if (!SEVERITIES.includes(severity)) {
        throw new RuleFileError(
          file,
          `${header.id}: "-- severity:" must be error, warning or info (found ${JSON.stringify(header.severity ?? '')})`,
        );
      }
      const scope = header.scope ?? 'warehouse';
      if (scope !== 'report' && scope !== 'warehouse') {
        throw new RuleFileError(
          file,
          `${header.id}: "-- scope:" must be report or warehouse (found ${JSON.stringify(scope)})`,
        );
      }
      const sql = lines.join('\n').trim().replace(/;\s*$/, '');
      if (!/\bselect\b/i.test(sql.replace(/--.*$/gm, ''))) throw new RuleFileError(file, `${header.id}: no query`);
      const { wording, wordingNoTable } = readWording(file, header);
      return {
        id: header.id,
        severity,
        scope,
        titleZh: header.title_zh ?? null,
        titleEn: header.title_en ?? null,
        file,
        needs: header.needs ?? null,
        doc: header.doc ?? null,
        wording,
        wordingNoTable,
        sql,
      };
    });
}

/** The wording lines of a header (see the top of this file). */
function readWording(file: string, header: Record<string, string>): Pick<RuleHeader, 'wording' | 'wordingNoTable'> {
  const fail = (message: string): never => {
    throw new RuleFileError(file, `${header.id}: ${message}`);
  };
  const pair = (key: string): [string, string] | null => {
    const text = header[key];
    if (text === undefined || text === 'none') return null;
    const parts = text.split('|').map((p) => p.trim());
    if (parts.length !== 2 || !parts[0] || !parts[1])
      fail(`"-- ${key}:" must be <label of actual> | <label of expected>, or none (found ${JSON.stringify(text)})`);
    return [parts[0], parts[1]];
  };
  const labels = pair('wording');
  const others = ['wording_no_table', 'wording_cell', 'wording_suffix', 'wording_difference'].filter(
    (k) => header[k] !== undefined,
  );
  if (!labels) {
    if (others.length) fail(`"-- ${others[0]}:" without a "-- wording:" line`);
    return { wording: null, wordingNoTable: null };
  }
  const difference = header.wording_difference ?? 'yes';
  if (difference !== 'yes' && difference !== 'no')
    fail(`"-- wording_difference:" must be yes or no (found ${JSON.stringify(difference)})`);
  const cellText = header.wording_cell;
  const arrow = cellText?.startsWith('→') ?? false;
  const cellLabel = cellText?.replace(/^→\s*/, '');
  if (cellText !== undefined && !cellLabel) fail('"-- wording_cell:" names no label');
  const wording: Wording = {
    actual: labels[0],
    expected: labels[1],
    difference: difference === 'yes',
    suffix: header.wording_suffix ?? '',
    cell: cellLabel ? { label: cellLabel, arrow } : null,
  };
  const noTable = pair('wording_no_table');
  return { wording, wordingNoTable: noTable ? { ...wording, actual: noTable[0], expected: noTable[1] } : null };
}

const STATEMENT_END = /;[ \t]*(?:\r?\n|$)/;
const COMMENT_OR_BLANK = /^\s*(--.*)?$/;
const SCOPE_REPORT = /^--\s*scope\s*:\s*report\s*$/;
const CREATE_TABLE_AS = /^CREATE\s+OR\s+REPLACE\s+TABLE\s+(\S+)\s+AS\s+([\s\S]+)$/i;

/** The statements of a prelude file, each with the comment lines before it. */
export function preludeSteps(file: string, text: string): PreludeStep[] {
  const steps: PreludeStep[] = [];
  for (const chunk of text.replace(/^\ufeff/, '').split(STATEMENT_END)) {
    const lines = chunk.split(/\r?\n/);
    const first = lines.findIndex((l) => !COMMENT_OR_BLANK.test(l));
    if (first < 0) continue; // comments only
    const sql = lines.slice(first).join('\n').trim();
    if (!lines.slice(0, first).some((l) => SCOPE_REPORT.test(l.trim()))) {
      steps.push({ sql, sliced: null });
      continue;
    }
    const m = CREATE_TABLE_AS.exec(sql);
    if (!m)
      throw new RuleFileError(
        file,
        `a "-- scope: report" statement must be CREATE OR REPLACE TABLE name AS <query> (found ${JSON.stringify(sql.slice(0, 60))})`,
      );
    steps.push({ sql, sliced: { table: m[1], query: m[2] } });
  }
  return steps;
}

/** Every rule file of `dir`, in name order; throws on a malformed header or a duplicate id. */
export function loadRuleFiles(dir: string): RuleFiles {
  const names = readdirSync(dir)
    .filter((n) => n.endsWith('.sql'))
    .sort();
  const preludes = names
    .filter((n) => n.startsWith('_'))
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      return { file, sql, steps: preludeSteps(file, sql) };
    });
  const rules: RuleDef[] = [];
  const seen = new Map<string, string>();
  for (const file of names.filter((n) => !n.startsWith('_'))) {
    for (const rule of parseRuleFile(basename(file), readFileSync(join(dir, file), 'utf8'))) {
      const other = seen.get(rule.id);
      if (other) throw new RuleFileError(file, `rule ${rule.id} is also defined in ${other}`);
      seen.set(rule.id, file);
      rules.push(rule);
    }
  }
  return { preludes, rules };
}
