/**
 * A rule is one header in sql/rules/ (files.ts), and what is written from the headers is up to
 * date: the catalogue (domain/rule-headers.ts: ids, severities, titles, wording; RuleId), README's
 * rules table and docs/rules.md's (`npm run rules`, generate.ts). The header format is parsed as
 * documented (one rule per block, blocks separated by `-- ---`), and the shared files run in
 * the order their names give.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogueSeverity, isRuleId, RULE_CATALOGUE, RULE_IDS } from '../../domain/rule-catalogue.js';
import { loadRuleFiles, parseRuleFile, preludeSteps } from '../../pipeline/rules/files.js';
import {
  headerOf,
  README_PATH,
  readmeWithRules,
  RULES_DOC_PATH,
  rulesDocWithRules,
} from '../../pipeline/rules/generate.js';
import { rulesDir } from '../../pipeline/rules/index.js';

const { rules, preludes } = loadRuleFiles(rulesDir());
const STALE = 'stale: run `npm run rules`';

describe('the rule catalogue', () => {
  it('is the headers of the rule files (domain/rule-headers.ts is written from them)', () => {
    expect(RULE_CATALOGUE, `domain/rule-headers.ts is ${STALE}`).toEqual(rules.map(headerOf));
    for (const r of rules) expect(isRuleId(r.id) && catalogueSeverity(r.id), r.id).toBe(r.severity);
  });

  it('is what README.md and docs/rules.md list', () => {
    const readme = readFileSync(README_PATH(), 'utf8');
    expect(readme, `README.md's rules table is ${STALE}`).toBe(readmeWithRules(readme, rules));
    const doc = readFileSync(RULES_DOC_PATH(), 'utf8');
    expect(doc, `docs/rules.md's tables are ${STALE}`).toBe(rulesDocWithRules(doc, rules));
  });

  it('has no id twice, and every file header names both titles', () => {
    expect(new Set(RULE_IDS).size).toBe(RULE_IDS.length);
    for (const r of rules) {
      expect(r.titleZh, r.id).toBeTruthy();
      expect(r.titleEn, r.id).toBeTruthy();
    }
  });

  it('names a file after its rule, or holds a family of rules in one file', () => {
    for (const r of rules)
      if (rules.filter((x) => x.file === r.file).length === 1) expect(r.file, r.id).toBe(`${r.id}.sql`);
    expect(rules.filter((r) => r.file === 'sums.sql').map((r) => r.id)).toEqual([
      'T3.ROW_TOTAL',
      'T3.RESULT_TOTAL',
      'T3.GROUP_SUBTOTAL',
      'T4.TOTAL',
    ]);
  });

  it('runs the shared files in the order their names give, each named for what it builds', () => {
    expect(preludes.map((p) => p.file)).toEqual([
      '_10_macros.sql',
      '_20_cells.sql',
      '_30_sums.sql',
      '_40_report_groups.sql',
      '_50_table_signatures.sql',
      '_60_rates.sql',
    ]);
  });
});

describe('parseRuleFile', () => {
  it('reads a family file: blocks separated by "-- ---", each with its header and query', () => {
    const text = [
      '-- id: VAL.NEGATIVE',
      '-- severity: error',
      '-- title_zh: 负数',
      '-- title_en: Negative',
      '-- a comment',
      'SELECT 1 AS x;',
      '-- ---',
      '-- id: VAL.FRACTION',
      '-- severity: error',
      '-- title_zh: 小数',
      '-- title_en: Fraction',
      'SELECT 2 AS x',
    ].join('\n');
    const parsed = parseRuleFile('VAL.sql', text);
    expect(parsed.map((r) => [r.id, r.severity, r.titleZh, r.titleEn, r.file])).toEqual([
      ['VAL.NEGATIVE', 'error', '负数', 'Negative', 'VAL.sql'],
      ['VAL.FRACTION', 'error', '小数', 'Fraction', 'VAL.sql'],
    ]);
    expect(parsed[0].sql.endsWith('SELECT 1 AS x')).toBe(true);
  });

  it('refuses a block without an id or with an unknown severity, naming the file', () => {
    expect(() => parseRuleFile('X.sql', '-- severity: error\nSELECT 1')).toThrow(
      'sql/rules/X.sql: block 1: no "-- id:" header',
    );
    expect(() => parseRuleFile('X.sql', '-- id: T4.TOTAL\n-- severity: fatal\nSELECT 1')).toThrow(
      /sql\/rules\/X\.sql: T4\.TOTAL: "-- severity:" must be/,
    );
  });

  it("reads a rule's scope: report when it says so, the whole warehouse by default; refuses any other", () => {
    const [own, all] = [
      parseRuleFile('A.sql', '-- id: VAL.NEGATIVE\n-- severity: error\n-- scope: report\nSELECT 1'),
      parseRuleFile('B.sql', '-- id: XY.JUMP\n-- severity: info\nSELECT 1'),
    ];
    expect([own[0].scope, all[0].scope]).toEqual(['report', 'warehouse']);
    expect(() => parseRuleFile('X.sql', '-- id: T4.TOTAL\n-- severity: error\n-- scope: table\nSELECT 1')).toThrow(
      /sql\/rules\/X\.sql: T4\.TOTAL: "-- scope:" must be report or warehouse/,
    );
  });

  it("reads the wording of a rule's numbers; none without a wording line", () => {
    const [percent] = parseRuleFile(
      'A.sql',
      [
        '-- id: NARR.X',
        '-- severity: info',
        '-- wording: 正文称 | 按表计算为',
        '-- wording_no_table: 正文称 | 按正文数字计算为',
        '-- wording_suffix: %',
        '-- wording_difference: no',
        '-- wording_cell: → 应为',
        'SELECT 1',
      ].join('\n'),
    );
    expect([percent.wording, percent.wordingNoTable]).toEqual([
      {
        actual: '正文称',
        expected: '按表计算为',
        difference: false,
        suffix: '%',
        cell: { label: '应为', arrow: true },
      },
      {
        actual: '正文称',
        expected: '按正文数字计算为',
        difference: false,
        suffix: '%',
        cell: { label: '应为', arrow: true },
      },
    ]);
    const [sum] = parseRuleFile(
      'B.sql',
      '-- id: T9.SUM\n-- severity: error\n-- wording: 印为 | 各项之和为\n-- wording_cell: 各项之和\nSELECT 1',
    );
    expect(sum.wording).toEqual({
      actual: '印为',
      expected: '各项之和为',
      difference: true,
      suffix: '',
      cell: { label: '各项之和', arrow: false },
    });
    expect(sum.wordingNoTable).toBeNull();
    for (const text of [
      '-- id: T9.X\n-- severity: info\nSELECT 1',
      '-- id: T9.X\n-- severity: info\n-- wording: none\nSELECT 1',
    ]) {
      expect(parseRuleFile('C.sql', text)[0].wording).toBeNull();
    }
    expect(() => parseRuleFile('X.sql', '-- id: T9.X\n-- severity: info\n-- wording: 印为\nSELECT 1')).toThrow(
      /sql\/rules\/X\.sql: T9\.X: "-- wording:" must be <label of actual> \| <label of expected>/,
    );
    expect(() => parseRuleFile('X.sql', '-- id: T9.X\n-- severity: info\n-- wording_cell: 上年\nSELECT 1')).toThrow(
      /T9\.X: "-- wording_cell:" without a "-- wording:" line/,
    );
  });

  it('refuses the same id in two files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    writeFileSync(join(dir, 'A.sql'), '-- id: T4.TOTAL\n-- severity: error\nSELECT 1');
    writeFileSync(join(dir, 'B.sql'), '-- id: T4.TOTAL\n-- severity: error\nSELECT 2');
    expect(() => loadRuleFiles(dir)).toThrow('sql/rules/B.sql: rule T4.TOTAL is also defined in A.sql');
  });
});

describe('preludeSteps', () => {
  it('splits a prelude into its statements, each ending with ";" at the end of a line', () => {
    const steps = preludeSteps(
      '_p.sql',
      [
        '-- a macro; its comment has a semicolon inside',
        'CREATE OR REPLACE TEMP MACRO two() AS 2;',
        '',
        '-- a table about each report',
        '-- scope: report',
        'CREATE OR REPLACE TABLE rules_work.per_report AS',
        'SELECT report_id, count(*) AS n FROM cells GROUP BY report_id;',
        '-- comments only at the end',
      ].join('\n'),
    );
    expect(steps.map((s) => s.sliced?.table ?? s.sql)).toEqual([
      'CREATE OR REPLACE TEMP MACRO two() AS 2',
      'rules_work.per_report',
    ]);
    expect(steps[1].sliced!.query).toBe('SELECT report_id, count(*) AS n FROM cells GROUP BY report_id');
  });

  it("marks the prelude's tables about one report each, and refuses the mark on anything but CREATE OR REPLACE TABLE … AS", () => {
    expect(preludes.flatMap((p) => p.steps.flatMap((s) => (s.sliced ? [s.sliced.table] : [])))).toEqual([
      'rules_work.sums',
      'rules_work.failing_sum_cells',
      'rules_work.layout_suspects',
      'rules_work.failing_sums',
      'rules_work.failing_sum_details',
      'rules_work.table_signatures',
      'rules_work.report_rates',
    ]);
    expect(() => preludeSteps('_p.sql', '-- scope: report\nCREATE OR REPLACE TEMP VIEW v AS SELECT 1;\n')).toThrow(
      /sql\/rules\/_p\.sql: a "-- scope: report" statement must be CREATE OR REPLACE TABLE name AS <query>/,
    );
  });
});
