/**
 * Within-report rules, each failing on a real report changed in its SOURCE (the seed's HTML),
 * run through the real pipeline in one batch. Every case is its own agency and year (the agency
 * renamed, every "2020年" moved), so cross-report rules leave them alone. Where each rule holds:
 * the bundled sample (sample.test.ts) and the cells of these cases the change did not touch.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { makeInput, runOn } from '../helpers.js';
import {
  applyEdits,
  cellKeys,
  cellsOf,
  editsFor,
  findingsOf,
  SEED,
  SEED_AGENCY,
  sampleText,
  type Finding,
} from './cases.js';

const HTML = `${SEED}.html`;

/** Case name → the HTML of the case (seed renamed to 测试机关<letter>, year 2000 + index). */
const CASES: Record<string, (html: string) => string | Promise<string>> = {
  row_total: (h) => edit(h, { 'T3|granted|total': '5' }),
  result_total: (h) => edit(h, { 'T3|other|natural_person': '2', 'T3|other|total': '2' }),
  balance: (h) => edit(h, { 'T3|carried_forward|natural_person': '2', 'T3|carried_forward|total': '2' }),
  blank_in_sum: (h) => edit(h, { 'T3|granted|commercial': '—', 'T3|granted|total': '5' }),
  subtotal_ok: (h) => withDeniedSubtotal(h, ['0', '0', '0', '0', '0', '0', '0']),
  subtotal_bad: (h) => withDeniedSubtotal(h, ['1', '0', '0', '0', '0', '0', '1']),
  t4_total: (h) => edit(h, { 'T4|review|upheld': '1' }),
  not_a_number: (h) => edit(h, { 'T3|granted|natural_person': '约4' }),
  negative: (h) => edit(h, { 'T2|regulations|made': '-1' }),
  fraction: (h) => edit(h, { 'T2|normative_docs|made': '2.5' }),
  unit_yuan: (h) => edit(h, { 'T2|procurement|amount': '234664900元' }),
  unit_large: (h) => edit(h, { 'T2|procurement|amount': '23466490' }),
  missing_table: (h) =>
    h.slice(0, h.lastIndexOf('<table')) + h.slice(h.indexOf('</table>', h.lastIndexOf('<table')) + '</table>'.length),
  missing_row: (h) =>
    h
      .replace(/<tr><td>8\.属于行政查询事项<\/td>.*?<\/tr>\n?/, '')
      .replace('<td rowspan="8">（三）不予公开</td>', '<td rowspan="7">（三）不予公开</td>')
      .replace('<td rowspan="20">三、本年度办理结果</td>', '<td rowspan="19">三、本年度办理结果</td>'),
  blank_cell: (h) => edit(h, { 'T4|review|upheld': '—', 'T4|review|pending': '' }),
  // Every 总计 of T3 left blank (the publisher's blank, no reading slip): seven row totals fail.
  blank_totals: async (h) => edit(h, Object.fromEntries(T3_ROWS_2019.map((r) => [`T3|${r}|total`, '']))),
  // The 总计 of the result rows left blank, and one number changed elsewhere in the same table.
  blank_totals_wrong: async (h) =>
    edit(h, {
      ...Object.fromEntries(RESULT_ROWS_2019.map((r) => [`T3|${r}|total`, ''])),
      'T3|new_received|natural_person': '11',
    }),
  // The 总计 column printed one row low from 二、上年结转 on (the last one lost): a shift.
  shifted: async (h) => {
    const cells = await cellsOf(HTML);
    const rows = T3_ROWS_2019.slice(1);
    return edit(
      h,
      Object.fromEntries(rows.map((r, i) => [`T3|${r}|total`, cells.get(`T3|${T3_ROWS_2019[i]}|total`)!.raw])),
    );
  },
  year: (h) => h.replace(/统计期限，自(\d{4})年/, (_m, y: string) => `统计期限，自${Number(y) - 1}年`),
};

const T3_ROWS_2019 = [
  'new_received',
  'carried_over',
  'granted',
  'partial',
  'denied_state_secret',
  'denied_prohibited',
  'denied_security',
  'denied_third_party',
  'denied_internal',
  'denied_process',
  'denied_enforcement',
  'denied_query',
  'unable_not_held',
  'unable_must_create',
  'unable_unclear',
  'rejected_petition',
  'rejected_repeat',
  'rejected_publication',
  'rejected_excessive',
  'rejected_confirm',
  'other',
  'total_processed',
  'carried_forward',
];

const RESULT_ROWS_2019 = T3_ROWS_2019.slice(2, -2);

async function edit(html: string, changes: Record<string, string>): Promise<string> {
  return applyEdits(HTML, html, await editsFor(HTML, changes)) as string;
}

/** A printed （三）不予公开 subtotal row after the eight items (the 三、 label spans one row more). */
function withDeniedSubtotal(html: string, values: string[]): string {
  const row = `<tr><td colspan="2">（三）不予公开小计</td>${values.map((v) => `<td>${v}</td>`).join('')}</tr>\n`;
  return html
    .replace(/(<tr><td>8\.属于行政查询事项<\/td>.*?<\/tr>\n?)/, `$1${row}`)
    .replace('<td rowspan="20">三、本年度办理结果</td>', '<td rowspan="21">三、本年度办理结果</td>');
}

const names = Object.keys(CASES);
const agencyOf = (i: number) => `测试机关${String.fromCharCode(65 + i)}`;
const yearOf = (i: number) => 2000 + i;

let byCase: Map<string, Finding[]>;
let all: Finding[];

beforeAll(async () => {
  const files: Record<string, string> = {};
  for (const [i, name] of names.entries()) {
    const base = sampleText(HTML, [
      [SEED_AGENCY, agencyOf(i)],
      ['2020年', `${yearOf(i)}年`],
    ]);
    files[`${name}.html`] = await CASES[name](base);
  }
  const run = await runOn(makeInput(files), { workers: 2 });
  all = await findingsOf(run.db);
  byCase = new Map(names.map((n) => [n, all.filter((f) => f.source === `${n}.html`)]));
}, 120_000);

const of = (name: string, rule: string) => byCase.get(name)!.filter((f) => f.rule_id === rule);
const brief = (f: Finding) => ({
  rule: f.rule_id,
  table: f.table_id,
  row: f.row_key,
  col: f.col_key,
  expected: f.expected,
  actual: f.actual,
});

describe('T3.ROW_TOTAL', () => {
  it('fails on a row whose 总计 is not the sum of its columns, naming the labels and the arithmetic', () => {
    const [f] = of('row_total', 'T3.ROW_TOTAL');
    expect(of('row_total', 'T3.ROW_TOTAL')).toHaveLength(1);
    expect(brief(f)).toEqual({
      rule: 'T3.ROW_TOTAL',
      table: 'T3',
      row: 'granted',
      col: 'total',
      expected: 4,
      actual: 5,
    });
    expect(f.severity).toBe('error');
    expect(cellKeys(f)).toEqual(
      ['natural_person', 'commercial', 'research', 'social_org', 'legal_service', 'other_org', 'total'].map(
        (c) => `T3|granted|${c}`,
      ),
    );
    expect(f.message).toBe('（一）予以公开的总计 印为 5，各申请人之和为 自然人4（其余为0） = 4');
    expect(f.blank_involved).toBe(false);
    const operands = JSON.parse(f.operands!);
    expect(operands).toHaveLength(6);
    expect(operands[0]).toEqual({
      table_id: 'T3',
      row_key: 'granted',
      col_key: 'natural_person',
      value: 4,
      raw: '4',
      kind: 'number',
    });
  });
  it('says when a blank cell took part', () => {
    const [f] = of('blank_in_sum', 'T3.ROW_TOTAL');
    expect(brief(f)).toEqual({
      rule: 'T3.ROW_TOTAL',
      table: 'T3',
      row: 'granted',
      col: 'total',
      expected: 4,
      actual: 5,
    });
    expect(f.blank_involved).toBe(true);
    expect(f.message).toContain('（其中 1 项留空，按0计）');
  });
  it('holds on every row the change did not touch', () => {
    for (const name of names.filter((n) => !['blank_totals', 'blank_totals_wrong', 'shifted'].includes(n))) {
      for (const f of of(name, 'T3.ROW_TOTAL')) expect(f.row_key, name).toBe('granted');
    }
  });
});

describe('T3.RESULT_TOTAL', () => {
  it('fails on every column whose （七）总计 is not the sum of the results', () => {
    expect(of('result_total', 'T3.RESULT_TOTAL').map(brief)).toEqual([
      { rule: 'T3.RESULT_TOTAL', table: 'T3', row: 'total_processed', col: 'natural_person', expected: 10, actual: 9 },
      { rule: 'T3.RESULT_TOTAL', table: 'T3', row: 'total_processed', col: 'total', expected: 10, actual: 9 },
    ]);
    const f = of('result_total', 'T3.RESULT_TOTAL')[0];
    expect(f.message).toBe(
      '（七）总计（自然人） 印为 9，各项办理结果之和为 （一）予以公开4 + （四）无法提供 1.本机关不掌握相关政府信息3 + （四）无法提供 2.没有现成信息需要另行制作1 + （六）其他处理2（其余为0） = 10',
    );
    expect(cellKeys(f)).toContain('T3|other|natural_person');
    expect(cellKeys(f)).toContain('T3|total_processed|natural_person');
    expect(cellKeys(f)).toHaveLength(20); // 19 results of the 2019 version + （七）总计
    expect(of('result_total', 'T3.ROW_TOTAL')).toEqual([]);
    expect(of('result_total', 'T3.BALANCE')).toEqual([]);
  });
  it('holds where the results add up (a changed 总计 cell of a result row aside)', () => {
    expect(of('row_total', 'T3.RESULT_TOTAL').map(brief)).toEqual([
      { rule: 'T3.RESULT_TOTAL', table: 'T3', row: 'total_processed', col: 'total', expected: 10, actual: 9 },
    ]);
    expect(of('balance', 'T3.RESULT_TOTAL')).toEqual([]);
  });
});

describe('T3.BALANCE', () => {
  it('fails on every column where 一 + 二 ≠ 三（七） + 四', () => {
    expect(of('balance', 'T3.BALANCE').map(brief)).toEqual([
      { rule: 'T3.BALANCE', table: 'T3', row: null, col: 'natural_person', expected: 10, actual: 11 },
      { rule: 'T3.BALANCE', table: 'T3', row: null, col: 'total', expected: 10, actual: 11 },
    ]);
    const f = of('balance', 'T3.BALANCE')[0];
    expect(cellKeys(f).sort()).toEqual(
      ['carried_forward', 'carried_over', 'new_received', 'total_processed']
        .map((r) => `T3|${r}|natural_person`)
        .sort(),
    );
    expect(f.message).toBe(
      '（自然人）本年新收10 + 上年结转0 = 10，办理结果总计9 + 结转下年度继续办理2 = 11，两者不等（第一项加第二项之和，应等于第三项加第四项之和）',
    );
    expect(of('balance', 'T3.ROW_TOTAL')).toEqual([]);
    expect(of('balance', 'T3.RESULT_TOTAL')).toEqual([]);
  });
  it('holds where the changed cells are not in the balance', () => {
    expect(of('row_total', 'T3.BALANCE')).toEqual([]);
    expect(of('result_total', 'T3.BALANCE')).toEqual([]);
  });
});

describe('T3.GROUP_SUBTOTAL', () => {
  it('holds on a printed subtotal equal to its items', () => {
    expect(byCase.get('subtotal_ok')!.filter((f) => f.severity === 'error')).toEqual([]);
  });
  it('fails on a printed subtotal that is not the sum of its items', () => {
    expect(of('subtotal_bad', 'T3.GROUP_SUBTOTAL').map(brief)).toEqual([
      { rule: 'T3.GROUP_SUBTOTAL', table: 'T3', row: 'denied_subtotal', col: 'natural_person', expected: 0, actual: 1 },
      { rule: 'T3.GROUP_SUBTOTAL', table: 'T3', row: 'denied_subtotal', col: 'total', expected: 0, actual: 1 },
    ]);
    const f = of('subtotal_bad', 'T3.GROUP_SUBTOTAL')[0];
    expect(cellKeys(f)).toHaveLength(9);
    expect(cellKeys(f)).toContain('T3|denied_subtotal|natural_person');
    expect(cellKeys(f)).toContain('T3|denied_query|natural_person');
    expect(f.message).toBe('（三）不予公开（小计）（自然人） 印为 1，各项之和为 各项均为0 = 0');
    // The subtotal is not a result of its own: （七）总计 still adds up.
    expect(of('subtotal_bad', 'T3.RESULT_TOTAL')).toEqual([]);
    expect(of('subtotal_bad', 'T3.ROW_TOTAL')).toEqual([]);
  });
});

describe('T4.TOTAL', () => {
  it('fails on a block whose 总计 is not the sum of its results', () => {
    expect(of('t4_total', 'T4.TOTAL').map(brief)).toEqual([
      { rule: 'T4.TOTAL', table: 'T4', row: 'review', col: 'total', expected: 1, actual: 0 },
    ]);
    const f = of('t4_total', 'T4.TOTAL')[0];
    expect(cellKeys(f)).toEqual(['upheld', 'corrected', 'other', 'pending', 'total'].map((c) => `T4|review|${c}`));
    expect(f.message).toBe('行政复议的总计 印为 0，各项结果之和为 结果维持1（其余为0） = 1');
  });
  it('holds on the blocks that add up', () => {
    for (const name of names)
      expect(
        of(name, 'T4.TOTAL').filter((f) => f.row_key !== 'review'),
        name,
      ).toEqual([]);
  });
});

describe('VAL.NOT_A_NUMBER', () => {
  it('is reported once for a text cell, and the sums that need it stay silent', () => {
    expect(of('not_a_number', 'VAL.NOT_A_NUMBER').map(brief)).toEqual([
      { rule: 'VAL.NOT_A_NUMBER', table: 'T3', row: 'granted', col: 'natural_person', expected: null, actual: null },
    ]);
    expect(of('not_a_number', 'VAL.NOT_A_NUMBER')[0].message).toBe(
      '收到和处理政府信息公开申请情况表的 （一）予以公开（自然人）印为“约4”，不是数字；用到此单元格的核对无法进行',
    );
    expect(
      byCase
        .get('not_a_number')!
        .filter((f) => f.severity === 'error')
        .map((f) => f.rule_id),
    ).toEqual(['VAL.NOT_A_NUMBER']);
  });
  it('holds on numbers', () => {
    expect(all.filter((f) => f.rule_id === 'VAL.NOT_A_NUMBER' && f.source !== 'not_a_number.html')).toEqual([]);
  });
});

describe('VAL.NEGATIVE and VAL.FRACTION', () => {
  it('VAL.NEGATIVE fails on a negative count, not on 本年增/减', () => {
    expect(of('negative', 'VAL.NEGATIVE').map(brief)).toEqual([
      { rule: 'VAL.NEGATIVE', table: 'T2', row: 'regulations', col: 'made', expected: null, actual: -1 },
    ]);
    // The seed prints 本年增/减 -1 and -3: no finding.
    expect(all.filter((f) => f.rule_id === 'VAL.NEGATIVE' && f.source !== 'negative.html')).toEqual([]);
  });
  it('VAL.FRACTION fails on a count with decimals, not on money', () => {
    expect(of('fraction', 'VAL.FRACTION').map(brief)).toEqual([
      { rule: 'VAL.FRACTION', table: 'T2', row: 'normative_docs', col: 'made', expected: 3, actual: 2.5 },
    ]);
    // 采购总金额 23466.49 (万元) has decimals: no finding.
    expect(all.filter((f) => f.rule_id === 'VAL.FRACTION' && f.source !== 'fraction.html')).toEqual([]);
  });
});

describe('T2.UNIT', () => {
  it('warns on an amount printed in 元 (converted to 万元)', () => {
    expect(of('unit_yuan', 'T2.UNIT').map(brief)).toEqual([
      { rule: 'T2.UNIT', table: 'T2', row: 'procurement', col: 'amount', expected: 23466.49, actual: 234664900 },
    ]);
    expect(of('unit_yuan', 'T2.UNIT')[0].severity).toBe('warning');
  });
  it('warns on a 万元 amount of 10^6 or more', () => {
    expect(of('unit_large', 'T2.UNIT').map(brief)).toEqual([
      { rule: 'T2.UNIT', table: 'T2', row: 'procurement', col: 'amount', expected: 2346.649, actual: 23466490 },
    ]);
  });
  it('holds on an amount in 万元', () => {
    expect(all.filter((f) => f.rule_id === 'T2.UNIT' && !f.source.startsWith('unit_'))).toEqual([]);
  });
});

describe('VAL.MISSING_TABLE and VAL.MISSING_CELL', () => {
  it('VAL.MISSING_TABLE names the table a partial report lacks', () => {
    expect(of('missing_table', 'VAL.MISSING_TABLE').map(brief)).toEqual([
      { rule: 'VAL.MISSING_TABLE', table: 'T4', row: null, col: null, expected: null, actual: null },
    ]);
    expect(all.filter((f) => f.rule_id === 'VAL.MISSING_TABLE' && f.source !== 'missing_table.html')).toEqual([]);
  });
  it('VAL.MISSING_CELL names a row absent from a recognised table, once, and the sums needing it stay silent', () => {
    expect(of('missing_row', 'VAL.MISSING_CELL').map(brief)).toEqual([
      { rule: 'VAL.MISSING_CELL', table: 'T3', row: 'denied_query', col: null, expected: null, actual: null },
    ]);
    expect(cellKeys(of('missing_row', 'VAL.MISSING_CELL')[0])).toHaveLength(7);
    expect(of('missing_row', 'T3.RESULT_TOTAL')).toEqual([]);
    expect(all.filter((f) => f.rule_id === 'VAL.MISSING_CELL' && f.source !== 'missing_row.html')).toEqual([]);
  });
});

describe('VAL.BLANK_CELL', () => {
  it('is one info finding per table, with the count of blank cells', () => {
    expect(of('blank_cell', 'VAL.BLANK_CELL').map(brief)).toEqual([
      { rule: 'VAL.BLANK_CELL', table: 'T4', row: null, col: null, expected: null, actual: 2 },
    ]);
    const f = of('blank_cell', 'VAL.BLANK_CELL')[0];
    expect(f.severity).toBe('info');
    expect(cellKeys(f)).toEqual(['T4|review|upheld', 'T4|review|pending']);
  });
  it('holds on tables printing every 0', () => {
    expect(of('row_total', 'VAL.BLANK_CELL')).toEqual([]);
  });
});

describe('a 总计 column left blank (never suppressed)', () => {
  it('gives one finding per failing sum, at its cell, each naming the blank; no layout suspicion', () => {
    const rows = of('blank_totals', 'T3.ROW_TOTAL');
    expect(rows.map((f) => [f.row_key, f.col_key, f.expected, f.actual, f.blank_involved])).toEqual(
      [
        ['new_received', 10],
        ['granted', 4],
        ['unable_not_held', 3],
        ['unable_must_create', 1],
        ['other', 1],
        ['total_processed', 9],
        ['carried_forward', 1],
      ]
        .sort()
        .map(([row, n]) => [row, 'total', n, 0, true]),
    );
    expect(rows.find((f) => f.row_key === 'granted')!.message).toBe(
      '（一）予以公开的总计留空（总计列在 7 行留空）；按各申请人之和应为 自然人4（其余为0） = 4',
    );
    for (const f of rows) expect(f.message).not.toContain('错位');
    expect(of('blank_totals', 'VAL.LAYOUT_SUSPECT')).toEqual([]);
  });
  it('finds a genuinely wrong cell of the same table at its cell', () => {
    const rows = of('blank_totals_wrong', 'T3.ROW_TOTAL');
    expect(rows.map((f) => f.row_key).sort()).toEqual([
      'granted',
      'new_received',
      'other',
      'unable_must_create',
      'unable_not_held',
    ]);
    const wrong = rows.find((f) => f.row_key === 'new_received')!;
    expect(brief(wrong)).toEqual({
      rule: 'T3.ROW_TOTAL',
      table: 'T3',
      row: 'new_received',
      col: 'total',
      expected: 11,
      actual: 10,
    });
    expect(cellKeys(wrong)).toContain('T3|new_received|natural_person');
    expect(wrong.message).toBe(
      '一、本年新收政府信息公开申请数量的总计 印为 10，各申请人之和为 自然人11（其余为0） = 11',
    );
    expect(rows.find((f) => f.row_key === 'granted')!.message).toBe(
      '（一）予以公开的总计留空（总计列在 4 行留空）；按各申请人之和应为 自然人4（其余为0） = 4',
    );
    expect(of('blank_totals_wrong', 'T3.BALANCE').map(brief)).toEqual([
      { rule: 'T3.BALANCE', table: 'T3', row: null, col: 'natural_person', expected: 11, actual: 10 },
    ]);
    const [result] = of('blank_totals_wrong', 'T3.RESULT_TOTAL');
    expect(brief(result)).toEqual({
      rule: 'T3.RESULT_TOTAL',
      table: 'T3',
      row: 'total_processed',
      col: 'total',
      expected: 0,
      actual: 9,
    });
    expect(result.message).toBe('（七）总计（总计） 印为 9，各项办理结果之和为 各项均为0 = 0（其中 19 项留空，按0计）');
    expect(of('blank_totals_wrong', 'VAL.LAYOUT_SUSPECT')).toEqual([]);
  });
});

describe('VAL.LAYOUT_SUSPECT', () => {
  it('is raised when a shift explains the failures, beside every failing sum (none hidden)', () => {
    expect(of('shifted', 'VAL.LAYOUT_SUSPECT').map(brief)).toEqual([
      { rule: 'VAL.LAYOUT_SUSPECT', table: 'T3', row: null, col: null, expected: null, actual: 9 },
    ]);
    const f = of('shifted', 'VAL.LAYOUT_SUSPECT')[0];
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('5 行的各申请人之和正好等于下一行印出的总计');
    expect(cellKeys(f)).toContain('T3|granted|total');
    expect(of('shifted', 'T3.ROW_TOTAL')).toHaveLength(9);
    expect(of('shifted', 'T3.ROW_TOTAL').find((f) => f.row_key === 'granted')!.message).toBe(
      '（一）予以公开的总计 印为 0，各申请人之和为 自然人4（其余为0） = 4',
    );
  });
  it('holds on a single wrong number and on blank totals', () => {
    expect(all.filter((f) => f.rule_id === 'VAL.LAYOUT_SUSPECT' && f.source !== 'shifted.html')).toEqual([]);
  });
});

describe('META.YEAR', () => {
  it('warns when the statistics period names another year than the title', () => {
    const i = names.indexOf('year');
    expect(of('year', 'META.YEAR').map(brief)).toEqual([
      { rule: 'META.YEAR', table: null, row: null, col: null, expected: yearOf(i), actual: yearOf(i) - 1 },
    ]);
    expect(of('year', 'META.YEAR')[0].message).toBe(
      `年份不一致：标题为 ${yearOf(i)} 年，统计期限为 ${yearOf(i) - 1} 年，归档位置为 （未写明）；按 ${yearOf(i)} 年计`,
    );
  });
  it('holds when they agree', () => {
    expect(all.filter((f) => f.rule_id === 'META.YEAR' && f.source !== 'year.html')).toEqual([]);
  });
});
