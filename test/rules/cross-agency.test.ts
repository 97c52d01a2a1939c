/**
 * Rules across agencies (XA.*), with an agency hierarchy CSV, on real reports renamed into
 * separate agencies:
 *  - 测试局甲, 测试局乙: the seed twice (identical T3 and T4: XA.COPY);
 *  - 测试市 (全市 summary of 甲 and 乙): every T3/T4 cell twice the seed's (XA.AGGREGATE holds);
 *  - 测试县 (全县 summary of 丙): 丙's numbers but 予以公开（自然人）5 where 丙 has 4;
 *  - 测试区 (not a summary) with member 戊: the parent received 8 new applications, 戊 10;
 *  - eleven agencies not in the CSV with 平潭 2021's report, applications moved between
 *    予以公开 and 无法提供 (−4 … +5), one by −20: the XA.OUTLIER peer group of 2021.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeInput, runOn, tempDir, type PipelineRun } from '../helpers.js';
import { expectPagesAsRenderedWhole } from '../outputs/pages.js';
import {
  cellKeys,
  cellsIn,
  cellsOf,
  findingsOf,
  PINGTAN,
  SEED,
  SEED_AGENCY,
  sampleText,
  variant,
  type Finding,
} from './cases.js';

const SEED_HTML = `${SEED}.html`;
const P21 = `2021_${PINGTAN}.html`;
const TITLE = '2020年政府信息公开工作年度报告';

const CSV = [
  'agency,parent,region,level',
  '测试市,,测试,市级',
  '测试局甲,测试市,测试,部门',
  '测试局乙,测试市,测试,部门',
  '测试县,,测试,县级',
  '测试局丙,测试县,测试,部门',
  '测试区,,测试,区级',
  '测试局戊,测试区,测试,部门',
].join('\n');

const SHIFTS = [-4, -3, -2, -1, 0, 1, 2, 3, 4, 5, -20];
const peerName = (i: number) => `测试单位${'甲乙丙丁戊己庚辛壬癸子'[i]}`;

let run: PipelineRun;
let findings: Finding[];
/** 平潭 2021: (予以公开 + 部分公开) and （七）总计, column 总计. */
let grantedTotal: number;
let processedTotal: number;
let bySource: (source: string) => Finding[];

beforeAll(async () => {
  const seed = await cellsOf(SEED_HTML);
  const doubled = Object.fromEntries(
    [...seed.entries()]
      .filter(([, c]) => c.table_id !== 'T2' && c.kind !== 'derived')
      .map(([k, c]) => [k, String((c.value ?? 0) * 2)]),
  );
  const p21 = await cellsOf(P21);
  grantedTotal = p21.get('T3|granted|total')!.value! + p21.get('T3|partial|total')!.value!;
  processedTotal = p21.get('T3|total_processed|total')!.value!;
  const moved = (d: number) =>
    Object.fromEntries(
      ['T3|granted|natural_person', 'T3|granted|total']
        .map((k) => [k, String(p21.get(k)!.value! + d)])
        .concat(
          ['T3|unable_not_held|natural_person', 'T3|unable_not_held|total'].map((k) => [
            k,
            String(p21.get(k)!.value! - d),
          ]),
        ),
    );
  const files: Record<string, string | Uint8Array> = {
    'jia.html': sampleText(SEED_HTML, [[SEED_AGENCY, '测试局甲']]),
    'yi.html': sampleText(SEED_HTML, [[SEED_AGENCY, '测试局乙']]),
    'shi.html': await variant(SEED_HTML, doubled, [
      [SEED_AGENCY, '测试市'],
      [TITLE, '2020年全市政府信息公开工作年度报告'],
    ]),
    'bing.html': await variant(SEED_HTML, { 'T4|review|upheld': '1', 'T4|review|total': '1' }, [
      [SEED_AGENCY, '测试局丙'],
    ]),
    'xian.html': await variant(
      SEED_HTML,
      { 'T4|review|upheld': '1', 'T4|review|total': '1', 'T3|granted|natural_person': '5' },
      [
        [SEED_AGENCY, '测试县'],
        [TITLE, '2020年全县政府信息公开工作年度报告'],
      ],
    ),
    'wu.html': await variant(SEED_HTML, { 'T4|litigation_direct|upheld': '2', 'T4|litigation_direct|total': '2' }, [
      [SEED_AGENCY, '测试局戊'],
    ]),
    'qu.html': await variant(
      SEED_HTML,
      {
        'T3|new_received|natural_person': '8',
        'T3|new_received|total': '8',
        'T4|litigation_direct|upheld': '2',
        'T4|litigation_direct|total': '2',
      },
      [[SEED_AGENCY, '测试区']],
    ),
  };
  for (const [i, d] of SHIFTS.entries())
    files[`peers/${i}.html`] = await variant(P21, moved(d), [[PINGTAN, peerName(i)]]);
  const csv = join(tempDir('xa-csv-'), 'agencies.csv');
  writeFileSync(csv, CSV);
  run = await runOn(makeInput(files), { workers: 2, agencies: csv, noOutputs: false });
  findings = await findingsOf(run.db);
  bySource = (source) => findings.filter((f) => f.source === source);
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
const ruleOf = (rule: string) => findings.filter((f) => f.rule_id === rule);

describe('XA.COPY', () => {
  it('warns once on two agencies with identical T3 and T4 for the same year', () => {
    expect(ruleOf('XA.COPY').map(brief)).toEqual([
      {
        rule: 'XA.COPY',
        source: expect.stringMatching(/^(jia|yi)\.html$/),
        table: 'T3',
        row: null,
        col: null,
        expected: null,
        actual: 6,
      },
    ]);
    const f = ruleOf('XA.COPY')[0];
    const other = f.source === 'jia.html' ? 'yi.html' : 'jia.html';
    expect(f.related_report_id).toBe(bySource(other)[0]?.report_id ?? f.related_report_id);
    expect(f.message).toContain('表四也相同');
  });
  it('holds when T4 differs (丙, 戊) or T3 differs (the peers)', () => {
    expect(ruleOf('XA.COPY').filter((f) => !/^(jia|yi)\.html$/.test(f.source))).toEqual([]);
  });
});

describe('XA.AGGREGATE', () => {
  it('holds on a summary equal, cell by cell, to the sum of its members (测试市 = 甲 + 乙)', () => {
    expect(bySource('shi.html').filter((f) => f.rule_id === 'XA.AGGREGATE')).toEqual([]);
  });

  it('fails on each cell of a summary that differs from its members’ sum', () => {
    expect(
      bySource('xian.html')
        .filter((f) => f.rule_id === 'XA.AGGREGATE')
        .map(brief),
    ).toEqual([
      {
        rule: 'XA.AGGREGATE',
        source: 'xian.html',
        table: 'T3',
        row: 'granted',
        col: 'natural_person',
        expected: 4,
        actual: 5,
      },
    ]);
    const f = bySource('xian.html').find((x) => x.rule_id === 'XA.AGGREGATE')!;
    expect(f.message).toBe('测试县 是汇总报告：（一）予以公开（自然人）印为 5，各下属机关之和为 测试局丙4 = 4');
    expect(cellKeys(f)).toEqual(['T3|granted|natural_person', 'T3|granted|natural_person']);
    expect(cellsIn(f).map((c) => c.report_id)).toEqual([
      f.report_id,
      bySource('bing.html')[0]?.report_id ?? cellsIn(f)[1].report_id,
    ]);
  });

  it('fails on a parent whose count is below a member’s, once per member and table', () => {
    expect(
      bySource('qu.html')
        .filter((f) => f.rule_id === 'XA.AGGREGATE')
        .map(brief),
    ).toEqual([
      {
        rule: 'XA.AGGREGATE',
        source: 'qu.html',
        table: 'T3',
        row: 'new_received',
        col: 'natural_person',
        expected: 10,
        actual: 8,
      },
    ]);
    const f = bySource('qu.html').find((x) => x.rule_id === 'XA.AGGREGATE')!;
    expect(f.message).toBe(
      '下属机关 测试局戊 的一、本年新收政府信息公开申请数量（自然人）为 10，高于上级 测试区 的 8（收到和处理政府信息公开申请情况表共有 2 个单元格如此）',
    );
    expect(cellKeys(f)).toHaveLength(4);
  });

  it('needs the CSV: no finding for agencies it does not list', () => {
    expect(ruleOf('XA.AGGREGATE').filter((f) => f.source.startsWith('peers/'))).toEqual([]);
  });
});

describe('XA.OUTLIER', () => {
  it('notes a rate far outside its peer group (robust z over 11 agencies of 2021)', () => {
    const out = ruleOf('XA.OUTLIER').map((f) => [f.source, f.message.split('为')[0], f.actual]);
    const granted = grantedTotal - 20;
    expect(out).toContainEqual([
      'peers/10.html',
      '予以公开和部分公开占办理结果总数的比例',
      Math.round((granted / processedTotal) * 1e6) / 1e6,
    ]);
    // 无法提供 took the 20: its share is an outlier too.
    expect(out.map((o) => o[1]).sort()).toEqual(
      ['予以公开和部分公开占办理结果总数的比例', '无法提供占办理结果总数的比例'].sort(),
    ); // in no particular order
    expect(ruleOf('XA.OUTLIER').every((f) => f.source === 'peers/10.html' && f.severity === 'info')).toBe(true);
    const f = ruleOf('XA.OUTLIER').find((x) => x.message.startsWith('予以公开'))!;
    expect(f.expected).toBeNull();
    const pct = (x: number) => String(Math.round(1000 * x) / 10);
    expect(f.message).toBe(
      `予以公开和部分公开占办理结果总数的比例为 ${pct(granted / processedTotal)}%（${granted}/${processedTotal}），同年 11 个机关的中位数为 ${pct(grantedTotal / processedTotal)}%（稳健 z = -4.5）`,
    );
    expect(cellKeys(f)).toEqual(['T3|granted|total', 'T3|partial|total', 'T3|total_processed|total']);
  });
  it('holds for rates within the group, and for groups under 10 peers (the CSV’s levels)', () => {
    expect(ruleOf('XA.OUTLIER').filter((f) => f.source !== 'peers/10.html')).toEqual([]);
  });
});

describe('the report pages of cross-agency findings', () => {
  it('show, written on the page workers, what the main thread would render with everything the run read', async () => {
    expect(ruleOf('XA.AGGREGATE').length + ruleOf('XA.COPY').length + ruleOf('XA.OUTLIER').length).toBeGreaterThan(0);
    await expectPagesAsRenderedWhole(run);
  });
});
