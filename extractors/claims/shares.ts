/**
 * The base of shares whose base is not named. A paragraph often gives several "N件，占P%" of one
 * total without naming it (占比P%), or naming it vaguely (占总数的…); the total the shares use is
 * the one most of them fit: "4件，占比44.44%；2件，占比22.22%；1件，占比12.11%" fit 9 for the first
 * two, so the third (1 of 9 is 11.11%) is the share that fits neither its count nor that base.
 */

/** One share: the count it is said of and the printed percent. */
export interface SharedShare {
  readonly value: number;
  readonly percent: number;
}

/** Decimals printed: 44.44 → 2, 40 → 0 (as NARR.PERCENT reads them). */
function decimals(p: number): number {
  for (let d = 0; d < 3; d++) if (Math.abs(p * 10 ** d - Math.round(p * 10 ** d)) < 1e-9) return d;
  return 3;
}

/** part / whole fits the printed share, rounded or truncated to its decimals (as NARR.PERCENT checks). */
export function shareFits(value: number, whole: number, percent: number): boolean {
  const x = (100 * value) / whole;
  const step = 10 ** -decimals(percent);
  return Math.abs(x - percent) <= step / 2 + 1e-9 || (x >= percent - 1e-9 && x < percent + step);
}

/** At most this many candidate totals per share (a share of 0.1% of 1 count allows a thousand). */
const MAX_CANDIDATES = 2000;

/**
 * The whole most of the shares fit, or null when none is clear: at least two must fit it, more
 * than half of them, and every whole that fits as many must leave out the same shares.
 */
export function inferBase(shares: readonly SharedShare[]): number | null {
  if (shares.length < 3) return null;
  const largest = Math.max(...shares.map((s) => s.value));
  const candidates = new Set<number>();
  for (const s of shares) {
    if (s.percent <= 0 || s.value <= 0) continue;
    const step = 10 ** -decimals(s.percent);
    const lo = Math.max(largest, Math.ceil((100 * s.value) / (s.percent + step)));
    const hi = s.percent - step / 2 > 0 ? Math.floor((100 * s.value) / (s.percent - step / 2)) : lo;
    for (let b = lo; b <= hi && b - lo < MAX_CANDIDATES; b++) if (shareFits(s.value, b, s.percent)) candidates.add(b);
  }
  let best: { base: number; fitting: string; deviation: number }[] = [];
  let bestCount = 0;
  for (const b of candidates) {
    const fits = shares.map((s) => shareFits(s.value, b, s.percent));
    const n = fits.filter(Boolean).length;
    const entry = {
      base: b,
      fitting: fits.map(Number).join(''),
      deviation: shares.reduce((d, s) => d + Math.abs((100 * s.value) / b - s.percent), 0),
    };
    if (n > bestCount) [best, bestCount] = [[entry], n];
    else if (n === bestCount) best.push(entry);
  }
  if (bestCount < 2 || bestCount * 2 <= shares.length) return null;
  if (new Set(best.map((e) => e.fitting)).size > 1) return null;
  return best.reduce((a, e) => (e.deviation < a.deviation ? e : a)).base;
}
