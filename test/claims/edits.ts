/**
 * Edited copies of the sample reports: one change to the prose each, and the NARR finding it
 * must raise. Shared by the direct SQL tests (rules.test.ts) and the pipeline tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORTS } from '../helpers.js';

export interface ProseEdit {
  /** File name of the edited copy (unique per edit). */
  readonly name: string;
  /** The sample it is a copy of. */
  readonly sample: string;
  readonly from: string;
  readonly to: string;
  /** Further changes of the same copy, each also found exactly once. */
  readonly more?: readonly (readonly [string, string])[];
  /** Findings it must raise: rule, the table's and the prose's number, a fragment of the sentence. */
  readonly expect: readonly { rule: string; expected: number; actual: number; sentence: string }[];
}

const SEED = '2020_北京市朝阳区教育委员会.html';
/** The seed's T3 row （一）予以公开 with its 总计 left blank (the applicants print 4). */
const GRANTED_TOTAL_BLANK = {
  from: '<td colspan="2">（一）予以公开</td><td>4</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>4</td>',
  to: '<td colspan="2">（一）予以公开</td><td>4</td><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td></td>',
} as const;
/** The seed's shares of the answered requests (4, 2, 1, 1, 1 of 9), their base left unnamed (占比). */
const SHARES_UNNAMED: readonly (readonly [string, string])[] = [
  ['的4件，占已答复总数的44.44%', '的4件，占比44.44%'],
  ['的2件,占已答复总数的22.22%', '的2件,占比22.22%'],
  ['不属于本行政机关负责公开”的1件，占已答复总数的11.11%', '不属于本行政机关负责公开”的1件，占比11.11%'],
  ['另行制作”的1件，占已答复总数的11.11%', '另行制作”的1件，占比11.11%'],
];

export const EDITS: readonly ProseEdit[] = [
  {
    name: 'granted-count.html',
    sample: SEED,
    from: '同意公开”的4件',
    to: '同意公开”的5件',
    expect: [
      { rule: 'NARR.T3_CLAIM', expected: 4, actual: 5, sentence: '同意公开”的5件' },
      { rule: 'NARR.PERCENT', expected: 55.56, actual: 44.44, sentence: '同意公开”的5件' },
    ],
  },
  {
    name: 'granted-share.html',
    sample: SEED,
    from: '的4件，占已答复总数的44.44%',
    to: '的4件，占已答复总数的45.44%',
    expect: [{ rule: 'NARR.PERCENT', expected: 44.44, actual: 45.44, sentence: '占已答复总数的45.44%' }],
  },
  {
    name: 'received-count.html',
    sample: SEED,
    from: '共受理政府信息公开申请10件',
    to: '共受理政府信息公开申请12件',
    expect: [
      { rule: 'NARR.T3_CLAIM', expected: 10, actual: 12, sentence: '共受理政府信息公开申请12件' },
      { rule: 'NARR.PARTS_SUM', expected: 12, actual: 10, sentence: '共受理政府信息公开申请12件' },
    ],
  },
  {
    name: 'parts-website.html',
    sample: SEED,
    from: '政府网站公开政府信息970条',
    to: '政府网站公开政府信息980条',
    expect: [{ rule: 'NARR.PARTS_SUM', expected: 1975, actual: 1985, sentence: '政府网站公开政府信息980条' }],
  },
  {
    name: 'channel-count.html',
    sample: SEED,
    from: '当面申请4件，占总数的40%',
    to: '当面申请3件，占总数的40%',
    expect: [
      { rule: 'NARR.PARTS_SUM', expected: 10, actual: 9, sentence: '当面申请3件' },
      { rule: 'NARR.PERCENT', expected: 30, actual: 40, sentence: '当面申请3件' },
    ],
  },
  {
    name: 'processed-count.html',
    sample: '2021_平潭综合实验区.html',
    from: '及时依法依规办结69件',
    to: '及时依法依规办结68件',
    expect: [{ rule: 'NARR.T3_CLAIM', expected: 69, actual: 68, sentence: '办结68件' }],
  },
  {
    name: 'applicant-count.html',
    sample: '2022_平潭综合实验区.html',
    from: '涉及自然人72件',
    to: '涉及自然人70件',
    expect: [{ rule: 'NARR.T3_CLAIM', expected: 71, actual: 70, sentence: '涉及自然人70件' }],
  },
  {
    name: 'review-count.html',
    sample: '2022_平潭综合实验区.html',
    from: '行政复议案件2件',
    to: '行政复议案件3件',
    expect: [{ rule: 'NARR.T4_CLAIM', expected: 2, actual: 3, sentence: '行政复议案件3件' }],
  },
  {
    name: 'normative-docs.html',
    sample: '2022_平潭综合实验区.html',
    from: '现行有效行政规范性文件698件',
    to: '现行有效行政规范性文件689件',
    expect: [{ rule: 'NARR.T2_CLAIM', expected: 698, actual: 689, sentence: '现行有效行政规范性文件689件' }],
  },
  // 顺延到下年度 is carried forward (四、结转下年度继续办理), not answered (（七）总计)
  {
    name: 'deferred.html',
    sample: SEED,
    from: '1件结转2021年继续办理',
    to: '另有1件按照《条例》规定顺延到下年度答复',
    expect: [],
  },
  {
    name: 'deferred-count.html',
    sample: SEED,
    from: '1件结转2021年继续办理',
    to: '另有2件按照《条例》规定顺延到下年度答复',
    expect: [{ rule: 'NARR.T3_CLAIM', expected: 1, actual: 2, sentence: '另有2件按照《条例》规定顺延到下年度答复' }],
  },
  // （含上年度结转申请N件）: carried over (二、上年结转)
  {
    name: 'carried-over-included.html',
    sample: '2021_平潭综合实验区.html',
    from: '本年度全区共收到70件申请，',
    to: '本年度全区共收到70件申请（含上年度结转申请2件），',
    expect: [{ rule: 'NARR.T3_CLAIM', expected: 0, actual: 2, sentence: '含上年度结转申请2件' }],
  },
  // A blank 总计 whose applicant columns are printed: the prose is compared with their sum.
  {
    name: 'granted-total-blank.html',
    sample: SEED,
    ...GRANTED_TOTAL_BLANK,
    expect: [],
  },
  {
    name: 'granted-total-blank-count.html',
    sample: SEED,
    ...GRANTED_TOTAL_BLANK,
    more: [['同意公开”的4件', '同意公开”的5件']],
    expect: [
      { rule: 'NARR.T3_CLAIM', expected: 4, actual: 5, sentence: '同意公开”的5件' },
      { rule: 'NARR.PERCENT', expected: 55.56, actual: 44.44, sentence: '同意公开”的5件' },
    ],
  },
  // Shares with no base named: the base the others fit (9) is inferred; the one that fits neither is flagged.
  {
    name: 'shares-unnamed.html',
    sample: SEED,
    from: '属于非政府信息”的1件，占已答复总数的11.11%',
    to: '属于非政府信息”的1件，占比11.11%',
    more: SHARES_UNNAMED,
    expect: [],
  },
  {
    name: 'shares-unnamed-wrong.html',
    sample: SEED,
    from: '属于非政府信息”的1件，占已答复总数的11.11%',
    to: '属于非政府信息”的1件，占比12.11%',
    more: SHARES_UNNAMED,
    expect: [{ rule: 'NARR.PERCENT', expected: 11.11, actual: 12.11, sentence: '占比12.11%' }],
  },
];

/** The edited copy's bytes; throws when a text to change is not in the sample exactly once. */
export function editedBytes(edit: ProseEdit): Buffer {
  let text = readFileSync(join(REPORTS, edit.sample), 'utf8');
  for (const [from, to] of [[edit.from, edit.to] as const, ...(edit.more ?? [])]) {
    const n = text.split(from).length - 1;
    if (n !== 1) throw new Error(`${edit.sample}: "${from}" found ${n} times`);
    text = text.replace(from, to);
  }
  return Buffer.from(text, 'utf8');
}

/**
 * The one NARR finding the unedited samples raise: 平潭 2019 prints 共公布政府信息2599条 and
 * lists eleven categories, the last 其他应主动公开政府信息856条, that add up to 2533.
 */
export const KNOWN_SAMPLE_FINDING = {
  sample: '2019_平潭综合实验区',
  rule: 'NARR.PARTS_SUM',
  expected: 2599,
  actual: 2533,
} as const;
