/**
 * How a finding's two numbers read. A sum is stated neutrally ("印为 8，各项之和为 9"): which cell
 * is wrong, the total or one of its parts, the arithmetic cannot tell. Other rules compare other
 * things (the prose with the table or with itself, this year with last year, yuan with 万元), and
 * some carry a count the message already explains. A finding from the prose alone never says 表中.
 */
export interface Wording {
  /** Label of `actual`, then of `expected`, in the finding's arithmetic line; null: no line. */
  actual: string;
  expected: string;
  /** Show the difference actual − expected. */
  difference: boolean;
  suffix: string;
  /** On the cell a finding points at: "8 → 应为 9" (arrow) or "8（各项之和 9）" (note); null: nothing. */
  cell: { label: string; arrow: boolean } | null;
}

const SUM: Wording = { actual: '印为', expected: '各项之和为', difference: true, suffix: '', cell: { label: '各项之和', arrow: false } };

const BY_RULE: readonly [RegExp, Wording | null][] = [
  [/^T3\.BALANCE$/, { actual: '第三项加第四项为', expected: '第一项加第二项为', difference: true, suffix: '', cell: null }],
  [/^(T3\.|T4\.)/, SUM],
  [/^XA\.AGGREGATE$/, { actual: '印为', expected: '下属机关之和为', difference: true, suffix: '', cell: { label: '下属机关之和', arrow: false } }],
  [/^XY\.CARRY_OVER$/, { actual: '本年上年结转印为', expected: '上年报告结转下年度印为', difference: true, suffix: '', cell: { label: '上年报告', arrow: false } }],
  [/^XY\.(IN_FORCE|ITEMS)_CHAIN$/, { actual: '印为', expected: '按上年推算为', difference: true, suffix: '', cell: { label: '按上年推算', arrow: false } }],
  [/^NARR\.PARTS_SUM$/, { actual: '正文所列各项之和为', expected: '正文所称总数为', difference: true, suffix: '', cell: null }],
  [/^NARR\./, { actual: '正文称', expected: '表中为', difference: true, suffix: '', cell: null }],
  [/^XY\.JUMP$/, { actual: '本年', expected: '上年', difference: false, suffix: '', cell: { label: '上年', arrow: false } }],
  [/^T2\.UNIT$/, { actual: '印出', expected: '折合万元', difference: false, suffix: '', cell: null }],
  [/^(META\.|XA\.OUTLIER$|XA\.COPY$|XY\.COPY$|VAL\.)/, null],
];

const PERCENT_OF_TABLE: Wording = { actual: '正文称', expected: '按表计算为', difference: false, suffix: '%', cell: null };
/** A share of a total the prose states (共N…其中) or the paragraph's other shares use: no table involved. */
const PERCENT_OF_PROSE: Wording = { actual: '正文称', expected: '按正文数字计算为', difference: false, suffix: '%', cell: null };

/** null: the numbers are a count or a year the message already puts in words. `tableId`: the finding's table (null: none). */
export function wordingOf(ruleId: string, tableId: string | null = null): Wording | null {
  if (ruleId === 'NARR.PERCENT') return tableId ? PERCENT_OF_TABLE : PERCENT_OF_PROSE;
  for (const [pattern, wording] of BY_RULE) if (pattern.test(ruleId)) return wording;
  return SUM;
}
