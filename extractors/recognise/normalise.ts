/**
 * Label and value normalisation. Printed labels vary in width, brackets, spaces, line breaks
 * and quotes; numbers in full-width digits, signs and thousands separators.
 */

const normalised = new Map<string, string>();

/**
 * A label reduced to what identifies it: NFKC (full-width → half-width), no spaces, no quotes.
 * Memoised: the same few hundred labels recur in every report and NFKC is the recogniser's hot spot.
 */
export function normLabel(text: string): string {
  let n = normalised.get(text);
  if (n === undefined) {
    if (normalised.size > 50_000) normalised.clear();
    n = computeNormLabel(text);
    normalised.set(text, n);
  }
  return n;
}

function computeNormLabel(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[\s\u00a0\u3000\u200b\ufeff]+/g, '')
    .replace(/["'“”‘’「」『』〝〞＂]/g, '')
    .replace(/[（]/g, '(')
    .replace(/[）]/g, ')')
    .replace(/[、，,．]/g, (c) => (c === '，' || c === ',' ? ',' : c === '．' ? '.' : '、'));
}

export type ValueKind = 'number' | 'blank' | 'text';

export interface ParsedValue {
  readonly value: number | null;
  readonly kind: ValueKind;
  /** A unit printed in the cell when it is not the template's (元 in a 万元 column). */
  readonly unit: string | null;
}

/** Printed marks that mean "nothing reported" in a count table. */
const BLANK_MARKS = new Set(['', '/', '\\', '-', '—', '——', '–', '−', '－', '─', '无', '空', '——/', '/—', '×']);

const NUMBER = /^([+-])?(\d+(?:\.\d+)?|\.\d+)$/;

/** What most cells print: nothing, or a plain count (checked first: NFKC and the regexes cost several times more). */
const PLAIN_COUNT = /^\d{1,15}$/;
const BLANK: ParsedValue = Object.freeze({ value: 0, kind: 'blank', unit: null });

export function parseValue(raw: string, money = false): ParsedValue {
  if (raw === '') return BLANK;
  if (PLAIN_COUNT.test(raw)) return { value: Number(raw), kind: 'number', unit: null };
  let t = raw.normalize('NFKC').replace(/[\s\u00a0\u3000\u200b\ufeff]+/g, '');
  if (BLANK_MARKS.has(t)) return BLANK;
  t = t.replace(/[−－–]/g, '-').replace(/^\+/, '+');
  // Thousands separators only between digit groups: 1,382 and 1，382 but not "1,2" lists.
  if (/^[+-]?\d{1,3}([,，]\d{3})+(\.\d+)?(万元|元|件|条|个|项|次|人次)?$/.test(t)) t = t.replace(/[,，]/g, '');
  let unit: string | null = null;
  const withUnit = /^(.*?)(万元|元|件|条|个|项|次|人次)$/.exec(t);
  if (withUnit && NUMBER.test(withUnit[1])) {
    t = withUnit[1];
    if (withUnit[2] === '元') unit = '元';
  }
  const m = NUMBER.exec(t);
  if (!m) return { value: null, kind: 'text', unit: null };
  let value = Number((m[1] === '-' ? '-' : '') + m[2]);
  if (money && unit === '元') value = value / 10000;
  return { value, kind: 'number', unit: money ? unit : null };
}

/** True for a cell that can sit in a value position: a number or a blank mark. */
export function isValueLike(raw: string): boolean {
  return parseValue(raw).kind !== 'text';
}
