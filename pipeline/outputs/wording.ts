/**
 * How a finding's two numbers read. Most rules compare a printed value with what the arithmetic
 * says it should be ("印出 8，按规则应为 9"); some compare other things (the prose with the table,
 * this year with last year, yuan with 万元), and some carry a count the message already explains.
 */
export interface Wording {
  /** Label of `actual`, then of `expected`, in the finding's arithmetic line; null: no line. */
  actual: string;
  expected: string;
  /** Show the difference actual − expected. */
  difference: boolean;
  suffix: string;
  /** On the cell a finding points at: "8 → 应为 9" (arrow) or "20（上年 252）" (note); null: nothing. */
  cell: { label: string; arrow: boolean } | null;
}

const ARITHMETIC: Wording = { actual: '印出', expected: '按规则应为', difference: true, suffix: '', cell: { label: '应为', arrow: true } };

const BY_RULE: readonly [RegExp, Wording | null][] = [
  [/^NARR\.PERCENT$/, { actual: '正文称', expected: '按表计算为', difference: false, suffix: '%', cell: null }],
  [/^NARR\./, { actual: '正文称', expected: '表中为', difference: true, suffix: '', cell: null }],
  [/^XY\.JUMP$/, { actual: '本年', expected: '上年', difference: false, suffix: '', cell: { label: '上年', arrow: false } }],
  [/^T2\.UNIT$/, { actual: '印出', expected: '折合万元', difference: false, suffix: '', cell: null }],
  [/^(META\.|XA\.OUTLIER$|XA\.COPY$|XY\.COPY$|VAL\.)/, null],
];

/** null: the numbers are a count or a year the message already puts in words. */
export function wordingOf(ruleId: string): Wording | null {
  for (const [pattern, wording] of BY_RULE) if (pattern.test(ruleId)) return wording;
  return ARITHMETIC;
}
