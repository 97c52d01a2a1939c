/**
 * Rules across years of one agency (XY.*) and META.DUPLICATE, on real reports renamed into
 * separate agencies (each scenario its own agency), in two runs over one warehouse: the second
 * adds documents, so the document first seen is known.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeInput, runOn, tempDir, type PipelineRun } from '../helpers.js';
import {
  cellKeys,
  cellsIn,
  findingsOf,
  PINGTAN,
  SEED,
  SEED_AGENCY,
  sampleText,
  variant,
  type Finding,
} from './cases.js';

const P19 = `2019_${PINGTAN}.html`;
const P21 = `2021_${PINGTAN}.html`;
const P22 = `2022_${PINGTAN}.html`;

const rename = (to: string): [string, string][] => [[PINGTAN, to]];

let first: PipelineRun;
let second: PipelineRun;
let f1: Finding[];
let f2: Finding[];

beforeAll(async () => {
  const files: Record<string, string | Uint8Array> = {
    // untouched: 平潭 2021 → 2022 chains without a finding
    [`py/${P21}`]: sampleText(P21),
    [`py/${P22}`]: sampleText(P22),
    // 甲: 2022 carried over 2 (natural_person and total) where 2021 carried forward 1
    'jia/2021.html': sampleText(P21, rename('测试区甲')),
    'jia/2022.html': await variant(
      P22,
      { 'T3|carried_over|natural_person': '2', 'T3|carried_over|total': '2' },
      rename('测试区甲'),
    ),
    // 乙: 2022 规范性文件 in force 699 where 665 + 88 − 55 = 698
    'yi/2021.html': sampleText(P21, rename('测试区乙')),
    'yi/2022.html': await variant(P22, { 'T2|normative_docs|in_force': '699' }, rename('测试区乙')),
    // 丙: 2019 report re-filed as 2020 unchanged: items chain holds (本年增/减 all 0), T3 copied
    'bing/2019.html': sampleText(P19, rename('测试区丙')),
    'bing/2020.html': sampleText(P19, [...rename('测试区丙'), ['2019年', '2020年']]),
    // 丁: as 丙, with 2020's 行政许可 上一年项目数量 397 where 396 + 0 was due
    'ding/2019.html': sampleText(P19, rename('测试区丁')),
    'ding/2020.html': await variant(P19, { 'T2|licensing|prev_items': '397' }, [
      ...rename('测试区丁'),
      ['2019年', '2020年'],
    ]),
    // 戊: 2020 in the 2019 format (carried forward 1) → 2021 in the 2021 format (carried over 0)
    'wu/2020.html': sampleText(`${SEED}.html`, [[SEED_AGENCY, '测试区戊']]),
    'wu/2021.html': sampleText(P21, rename('测试区戊')),
    // 己 renamed 己新 in 2022 (the CSV lists the old name as an alias); 2022 carried over 2
    'ji/2021.html': sampleText(P21, rename('测试区己')),
    'ji/2022.html': await variant(
      P22,
      { 'T3|carried_over|natural_person': '2', 'T3|carried_over|total': '2' },
      rename('测试区己新'),
    ),
    // 庚: 2019 and 2021, not consecutive: no chain
    'geng/2019.html': sampleText(P19, rename('测试区庚')),
    'geng/2021.html': sampleText(P21, rename('测试区庚')),
  };
  const input = makeInput(files);
  const csv = join(tempDir('xy-csv-'), 'agencies.csv');
  writeFileSync(csv, 'agency,parent,region,level,aliases\n测试区己新,,测试,区县,测试区己\n');
  first = await runOn(input, { workers: 2, agencies: csv });
  f1 = await findingsOf(first.db);
  // Second run: the same documents plus two more of 甲 2021 — one with a changed number, one
  // (the plain-text export) with the same numbers.
  mkdirSync(join(input, 'dup'));
  writeFileSync(
    join(input, 'dup', 'jia-2021-v2.html'),
    await variant(P21, { 'T3|granted|natural_person': '28' }, rename('测试区甲')),
  );
  writeFileSync(join(input, 'dup', 'jia-2021.txt'), sampleText(`2021_${PINGTAN}.txt`, rename('测试区甲')));
  second = await runOn(input, { workers: 2, agencies: csv, db: first.db });
  f2 = await findingsOf(second.db);
}, 120_000);

const brief = (f: Finding) => ({
  rule: f.rule_id,
  source: f.source,
  table: f.table_id,
  row: f.row_key,
  col: f.col_key,
  expected: f.expected,
  actual: f.actual,
});
const ruleOf = (fs: Finding[], rule: string) => fs.filter((f) => f.rule_id === rule).map(brief);

describe('XY.CARRY_OVER', () => {
  it('fails where carried over differs from last year’s carried forward, per column', () => {
    const jia = ruleOf(f1, 'XY.CARRY_OVER').filter((f) => f.source.startsWith('jia/'));
    expect(jia).toEqual([
      {
        rule: 'XY.CARRY_OVER',
        source: 'jia/2022.html',
        table: 'T3',
        row: 'carried_over',
        col: 'natural_person',
        expected: 1,
        actual: 2,
      },
      {
        rule: 'XY.CARRY_OVER',
        source: 'jia/2022.html',
        table: 'T3',
        row: 'carried_over',
        col: 'total',
        expected: 1,
        actual: 2,
      },
    ]);
    const f = f1.find((x) => x.rule_id === 'XY.CARRY_OVER' && x.source === 'jia/2022.html')!;
    expect(f.message).toBe(
      '二、上年结转政府信息公开申请数量（自然人）印为 2，2021 年报告的“四、结转下年度继续办理”（自然人）印为 1',
    );
    const prev = f1.find((x) => x.source === 'jia/2021.html');
    const refs = cellsIn(f);
    expect(refs).toEqual([
      { report_id: f.report_id, table_id: 'T3', row_key: 'carried_over', col_key: 'natural_person' },
      { report_id: f.related_report_id, table_id: 'T3', row_key: 'carried_forward', col_key: 'natural_person' },
    ]);
    expect(prev === undefined || prev.report_id !== f.report_id).toBe(true);
  });

  it('holds where the chain is intact (平潭 2021 → 2022, 2019 → 2020)', () => {
    expect(ruleOf(f1, 'XY.CARRY_OVER').filter((f) => /^(py|bing|ding|yi)\//.test(f.source))).toEqual([]);
  });

  it('spans the 2019 → 2021 format switch (T3 columns and rows are the same in both)', () => {
    expect(ruleOf(f1, 'XY.CARRY_OVER').filter((f) => f.source.startsWith('wu/'))).toEqual([
      {
        rule: 'XY.CARRY_OVER',
        source: 'wu/2021.html',
        table: 'T3',
        row: 'carried_over',
        col: 'natural_person',
        expected: 1,
        actual: 0,
      },
      {
        rule: 'XY.CARRY_OVER',
        source: 'wu/2021.html',
        table: 'T3',
        row: 'carried_over',
        col: 'total',
        expected: 1,
        actual: 0,
      },
    ]);
  });

  it('follows an agency renamed, through the aliases of the agency CSV', () => {
    expect(
      ruleOf(f1, 'XY.CARRY_OVER')
        .filter((f) => f.source.startsWith('ji/'))
        .map((f) => [f.source, f.col]),
    ).toEqual([
      ['ji/2022.html', 'natural_person'],
      ['ji/2022.html', 'total'],
    ]);
  });

  it('never chains years that are not consecutive', () => {
    expect(f1.filter((f) => f.source.startsWith('geng/') && f.rule_id.startsWith('XY.'))).toEqual([]);
  });
});

describe('XY.IN_FORCE_CHAIN', () => {
  it('fails where in force ≠ last year’s in force + issued − repealed', () => {
    expect(ruleOf(f1, 'XY.IN_FORCE_CHAIN')).toEqual([
      {
        rule: 'XY.IN_FORCE_CHAIN',
        source: 'yi/2022.html',
        table: 'T2',
        row: 'normative_docs',
        col: 'in_force',
        expected: 698,
        actual: 699,
      },
    ]);
    const f = f1.find((x) => x.rule_id === 'XY.IN_FORCE_CHAIN')!;
    expect(f.message).toBe(
      '行政规范性文件的现行有效件数印为 699，按 2021 年的 665 + 本年制发 88 − 本年废止 55 推算为 698',
    );
    expect(cellKeys(f)).toEqual([
      'T2|normative_docs|in_force',
      'T2|normative_docs|issued',
      'T2|normative_docs|repealed',
      'T2|normative_docs|in_force',
    ]);
  });
  it('never spans the format switch (戊 2020 → 2021)', () => {
    expect(f1.filter((f) => f.source.startsWith('wu/') && f.rule_id === 'XY.IN_FORCE_CHAIN')).toEqual([]);
  });
});

describe('XY.ITEMS_CHAIN', () => {
  it('fails where next year’s 上一年项目数量 ≠ this year’s + 本年增/减', () => {
    expect(ruleOf(f1, 'XY.ITEMS_CHAIN')).toEqual([
      {
        rule: 'XY.ITEMS_CHAIN',
        source: 'ding/2020.html',
        table: 'T2',
        row: 'licensing',
        col: 'prev_items',
        expected: 396,
        actual: 397,
      },
    ]);
    expect(f1.find((x) => x.rule_id === 'XY.ITEMS_CHAIN')!.message).toBe(
      '行政许可的“上一年项目数量”印为 397，按 2019 年报告的上一年项目数量 396 + 本年增/减 0 推算为 396',
    );
  });
});

describe('XY.COPY', () => {
  it('warns on a T3 identical to last year’s (at least 3 non-zero cells that are not totals)', () => {
    expect(ruleOf(f1, 'XY.COPY')).toEqual([
      { rule: 'XY.COPY', source: 'bing/2020.html', table: 'T3', row: null, col: null, expected: null, actual: 6 },
      { rule: 'XY.COPY', source: 'ding/2020.html', table: 'T3', row: null, col: null, expected: null, actual: 6 },
    ]);
  });
});

describe('XY.JUMP', () => {
  it('notes a T4 total falling from 12 to 1, and not a change from 70 to 74 new applications', () => {
    const py = ruleOf(f1, 'XY.JUMP').filter((f) => f.source.startsWith('py/'));
    expect(py).toEqual([
      {
        rule: 'XY.JUMP',
        source: `py/${P22}`,
        table: 'T4',
        row: 'litigation_direct',
        col: 'total',
        expected: 12,
        actual: 1,
      },
    ]);
  });
});

describe('META.DUPLICATE', () => {
  it('warns on a later document of the same agency and year with other numbers, against the document first seen', () => {
    const dup = ruleOf(f2, 'META.DUPLICATE');
    expect(dup).toEqual([
      {
        rule: 'META.DUPLICATE',
        source: 'dup/jia-2021-v2.html',
        table: null,
        row: null,
        col: null,
        expected: null,
        actual: 1,
      },
    ]);
    const f = f2.find((x) => x.rule_id === 'META.DUPLICATE')!;
    const firstSeen = f2.find((x) => x.source === 'jia/2022.html' && x.rule_id === 'XY.CARRY_OVER')!.related_report_id;
    expect(f.related_report_id).toBe(firstSeen);
    expect(f.message).toContain('如 T3 （一）予以公开（自然人） 此处为 28、另一份为 27');
    expect(cellsIn(f)).toContainEqual({
      report_id: f.report_id,
      table_id: 'T3',
      row_key: 'granted',
      col_key: 'natural_person',
    });
  });
  it('holds for documents with the same numbers (the plain-text export of the same report)', () => {
    expect(f2.filter((f) => f.rule_id === 'META.DUPLICATE' && f.source.endsWith('.txt'))).toEqual([]);
    expect(f1.filter((f) => f.rule_id === 'META.DUPLICATE')).toEqual([]);
  });
  it('keeps the cross-report rules on the document first seen', () => {
    expect(ruleOf(f2, 'XY.CARRY_OVER').filter((f) => f.source.startsWith('jia/'))).toEqual(
      ruleOf(f1, 'XY.CARRY_OVER').filter((f) => f.source.startsWith('jia/')),
    );
  });
});

describe('first_seen_run', () => {
  it('carries over to the next run for the same finding; new findings start in the run that found them', () => {
    const earlier = new Set(f1.map((f) => f.fingerprint));
    for (const f of f2) {
      expect(f.last_seen_run).toBe(second.summary.runId);
      expect(f.first_seen_run).toBe(earlier.has(f.fingerprint) ? first.summary.runId : second.summary.runId);
    }
    expect(
      f2
        .filter((f) => !earlier.has(f.fingerprint))
        .map((f) => f.rule_id)
        .filter((r) => !r.startsWith('NARR.') && !r.startsWith('T3.') && !r.startsWith('VAL.')),
    ).toEqual(['META.DUPLICATE']);
  });
});
