/**
 * Rule files and the catalogue agree: every rule file's id is in the catalogue (with the same
 * severity), every catalogue id but NARR.* has a file, and the header format is parsed as
 * documented (one rule per block, blocks separated by `-- ---`).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogueSeverity, isNarrative, isRuleId, RULE_IDS } from '../../pipeline/rules/catalogue.js';
import { loadRuleFiles, parseRuleFile, preludeSteps } from '../../pipeline/rules/files.js';
import { rulesDir } from '../../pipeline/rules/index.js';

const { rules, preludes } = loadRuleFiles(rulesDir());

describe('the rule catalogue', () => {
  it('knows every rule a file defines, with the same severity', () => {
    for (const r of rules) {
      expect(isRuleId(r.id), `${r.file}: ${r.id}`).toBe(true);
      if (isRuleId(r.id)) expect(r.severity, r.id).toBe(catalogueSeverity(r.id));
    }
  });

  it('has a file for every rule but the narrative ones (written elsewhere)', () => {
    const defined = new Set(rules.map((r) => r.id));
    expect(RULE_IDS.filter((id) => !isNarrative(id) && !defined.has(id))).toEqual([]);
  });

  it('has no id twice, and every file header names both titles', () => {
    expect(new Set(RULE_IDS).size).toBe(RULE_IDS.length);
    for (const r of rules) {
      expect(r.titleZh, r.id).toBeTruthy();
      expect(r.titleEn, r.id).toBeTruthy();
    }
  });

  it('names a file after its rule', () => {
    for (const r of rules.filter((x) => !isNarrative(x.id))) expect(r.file, r.id).toBe(`${r.id}.sql`);
    expect(preludes.map((p) => p.file)).toContain('_prelude.sql');
  });
});

describe('parseRuleFile', () => {
  it('reads a family file: blocks separated by "-- ---", each with its header and query', () => {
    const text = [
      '-- id: VAL.NEGATIVE', '-- severity: error', '-- title_zh: 负数', '-- title_en: Negative', '-- a comment', 'SELECT 1 AS x;',
      '-- ---',
      '-- id: VAL.FRACTION', '-- severity: error', '-- title_zh: 小数', '-- title_en: Fraction', 'SELECT 2 AS x',
    ].join('\n');
    const parsed = parseRuleFile('VAL.sql', text);
    expect(parsed.map((r) => [r.id, r.severity, r.titleZh, r.titleEn, r.file])).toEqual([
      ['VAL.NEGATIVE', 'error', '负数', 'Negative', 'VAL.sql'],
      ['VAL.FRACTION', 'error', '小数', 'Fraction', 'VAL.sql'],
    ]);
    expect(parsed[0].sql.endsWith('SELECT 1 AS x')).toBe(true);
  });

  it('refuses a block without an id or with an unknown severity, naming the file', () => {
    expect(() => parseRuleFile('X.sql', '-- severity: error\nSELECT 1')).toThrow('sql/rules/X.sql: block 1: no "-- id:" header');
    expect(() => parseRuleFile('X.sql', '-- id: T4.TOTAL\n-- severity: fatal\nSELECT 1')).toThrow(/sql\/rules\/X\.sql: T4\.TOTAL: "-- severity:" must be/);
  });

  it('reads a rule\'s scope: report when it says so, the whole warehouse by default; refuses any other', () => {
    const [own, all] = [parseRuleFile('A.sql', '-- id: VAL.NEGATIVE\n-- severity: error\n-- scope: report\nSELECT 1'), parseRuleFile('B.sql', '-- id: XY.JUMP\n-- severity: info\nSELECT 1')];
    expect([own[0].scope, all[0].scope]).toEqual(['report', 'warehouse']);
    expect(() => parseRuleFile('X.sql', '-- id: T4.TOTAL\n-- severity: error\n-- scope: table\nSELECT 1')).toThrow(/sql\/rules\/X\.sql: T4\.TOTAL: "-- scope:" must be report or warehouse/);
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
    const steps = preludeSteps('_p.sql', [
      '-- a macro; its comment has a semicolon inside',
      'CREATE OR REPLACE TEMP MACRO two() AS 2;',
      '',
      '-- a table about each report',
      '-- scope: report',
      'CREATE OR REPLACE TABLE rules_work.per_report AS',
      'SELECT report_id, count(*) AS n FROM cells GROUP BY report_id;',
      '-- comments only at the end',
    ].join('\n'));
    expect(steps.map((s) => s.sliced?.table ?? s.sql)).toEqual(['CREATE OR REPLACE TEMP MACRO two() AS 2', 'rules_work.per_report']);
    expect(steps[1].sliced!.query).toBe('SELECT report_id, count(*) AS n FROM cells GROUP BY report_id');
  });

  it('marks the prelude\'s tables about one report each, and refuses the mark on anything but CREATE OR REPLACE TABLE … AS', () => {
    const prelude = preludes.find((p) => p.file === '_prelude.sql')!;
    expect(prelude.steps.flatMap((s) => (s.sliced ? [s.sliced.table] : []))).toEqual([
      'rules_work.sums', 'rules_work.failing_sum_cells', 'rules_work.layout_suspects', 'rules_work.failing_sums',
      'rules_work.failing_sum_details', 'rules_work.table_signatures', 'rules_work.report_rates',
    ]);
    expect(() => preludeSteps('_p.sql', '-- scope: report\nCREATE OR REPLACE TEMP VIEW v AS SELECT 1;\n')).toThrow(
      /sql\/rules\/_p\.sql: a "-- scope: report" statement must be CREATE OR REPLACE TABLE name AS <query>/,
    );
  });
});
