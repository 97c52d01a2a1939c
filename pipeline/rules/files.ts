/**
 * Reads the rule files of sql/rules/. A rule file holds one rule, or several separated by a
 * line `-- ---`; each block starts with its header comment and is followed by one query:
 *
 *   -- id: T3.ROW_TOTAL
 *   -- severity: error
 *   -- title_zh: 每行总计等于各类申请人之和
 *   -- title_en: Every T3 row: total equals the sum of the applicant columns
 *   SELECT report_id, related_report_id, table_id, row_key, col_key, expected, actual,
 *          message, operands, cells, blank_involved FROM …
 *
 * A rule whose findings about a report come from that report alone says so with a header line
 * `-- scope: report`: the runner may then run it a slice of reports at a time (see slices.ts).
 *
 * Files whose name starts with `_` hold shared definitions (temp views, macros, scratch tables)
 * the rule queries use; they run first, in name order, a statement at a time (each statement
 * ends with `;` at the end of a line). A statement `CREATE OR REPLACE TABLE name AS <query>`
 * whose comment says `-- scope: report` (each row about one report, from that report's rows
 * alone) is filled a slice of reports at a time like a report-scoped rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Severity } from './catalogue.js';

export interface RuleDef {
  readonly id: string;
  readonly severity: Severity;
  readonly titleZh: string | null;
  readonly titleEn: string | null;
  /** `report`: each report's findings depend on that report only (the query can run a slice of reports at a time). */
  readonly scope: 'report' | 'warehouse';
  /** File name under sql/rules/. */
  readonly file: string;
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
const HEADER = /^--\s*(id|severity|title_zh|title_en|scope)\s*:\s*(.*?)\s*$/;
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
        throw new RuleFileError(file, `${header.id}: "-- severity:" must be error, warning or info (found ${JSON.stringify(header.severity ?? '')})`);
      }
      const scope = header.scope ?? 'warehouse';
      if (scope !== 'report' && scope !== 'warehouse') {
        throw new RuleFileError(file, `${header.id}: "-- scope:" must be report or warehouse (found ${JSON.stringify(scope)})`);
      }
      const sql = lines.join('\n').trim().replace(/;\s*$/, '');
      if (!/\bselect\b/i.test(sql.replace(/--.*$/gm, ''))) throw new RuleFileError(file, `${header.id}: no query`);
      return { id: header.id, severity, scope, titleZh: header.title_zh ?? null, titleEn: header.title_en ?? null, file, sql };
    });
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
    if (!m) throw new RuleFileError(file, `a "-- scope: report" statement must be CREATE OR REPLACE TABLE name AS <query> (found ${JSON.stringify(sql.slice(0, 60))})`);
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
