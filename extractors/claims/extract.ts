/**
 * Reads the claims of the prose, paragraph by paragraph: every count with the quantity it speaks
 * of (vocabulary.ts), the share printed after it, and the 共N…其中A、B、C lists.
 */
import type { Claim } from './claim.js';
import { inferBase } from './shares.js';
import { cutParagraph, findCounts, findShares, type Clause, type Count, type Share, type Span } from './text.js';
import {
  CATCH_ALL,
  PARTS_MARKER,
  REQUEST,
  T4_HEADING,
  TOTAL_WORD,
  classify,
  family,
  resolveBase,
  type ReadingState,
} from './vocabulary.js';

/** One count as read: where it is, what it speaks of, and the share printed after it. */
interface Reading {
  readonly clause: number;
  readonly count: Count;
  readonly quantity: string | null;
  readonly left: string;
  readonly right: string;
  share: Share | null;
  /** The total of the 其中 list this count is a part of. */
  partOf: number | null;
}

const T3_KEY = /^t3\.[a-z_]+(\|t3\.[a-z_]+)*$/;

/** A paragraph can hold a claim only if it has a digit, a percent sign or a counted Chinese numeral (cheap filter). */
const MAY_HOLD_A_COUNT = /[0-9０-９%％]|[零〇一二两三四五六七八九十百](?:余|多)?[件条宗起个项份次通篇期例]/;

export function extractFromParagraphs(paragraphs: readonly string[]): Claim[] {
  const claims: Claim[] = [];
  let offset = 0;
  paragraphs.forEach((p, i) => {
    if (!MAY_HOLD_A_COUNT.test(p)) {
      offset += p.length + 1;
      return;
    }
    const previous = i > 0 ? paragraphs[i - 1].trim() : '';
    const context = {
      aboutRequests: REQUEST.test(p) || REQUEST.test(previous),
      underT4Heading: T4_HEADING.test(previous),
    };
    claims.push(...paragraphClaims(p, offset, context));
    offset += p.length + 1; // paragraphs are joined with \n
  });
  return claims;
}

interface ParagraphContext {
  readonly aboutRequests: boolean;
  readonly underT4Heading: boolean;
}

function paragraphClaims(p: string, base: number, context: ParagraphContext): Claim[] {
  const { clauses, sentences, segments } = cutParagraph(p);
  const sentenceText = sentences.map((s) => p.slice(s.start, s.end).replace(/[“”"'‘’「」『』\s]/g, ''));
  const readings = readCounts(clauses, sentenceText, context);
  attachShares(clauses, readings);
  const lists = partsLists(clauses, readings);

  const quote = (span: Span): { sentence: string; offset: number } => {
    const raw = p.slice(span.start, span.end);
    const lead = raw.length - raw.trimStart().length;
    return { sentence: raw.trim(), offset: base + span.start + lead };
  };
  const out: Claim[] = [];
  const inferred = inferredBases(readings);
  for (const r of readings) {
    if (r.count.inexact) continue;
    const c = clauses[r.clause];
    let quantity = r.quantity;
    let baseKey: string | null = null;
    if (r.share) {
      baseKey = resolveBase(r.share.base, quantity);
      const ofTheWhole = r.partOf !== null && /^(|总数|总量|全部)$/.test(r.share.base);
      if (!T3_KEY.test(baseKey) && ofTheWhole) baseKey = `parts:${r.partOf}`;
      else if (!T3_KEY.test(baseKey) && inferred.has(r)) baseKey = `inferred:${inferred.get(r)}`;
      // A category the template has no row for (申请信息不存在): kept for its share only.
      const checkable = T3_KEY.test(baseKey) || baseKey.startsWith('parts:') || baseKey.startsWith('inferred:');
      if (quantity === null && checkable && (context.aboutRequests || r.partOf !== null))
        quantity = `item:${itemLabel(r)}`;
    }
    if (quantity === null) continue;
    out.push({
      quantity,
      value: r.count.value,
      percent: r.share?.percent ?? null,
      base: baseKey || null,
      ...quote(segments[c.segment]),
    });
  }
  for (const list of lists) {
    out.push({
      quantity: 'parts',
      value: list.whole.count.value,
      percent: null,
      base: list.parts.map((r) => r.count.value).join('+') + (list.closed ? '' : '+…'),
      ...quote({ start: sentences[clauses[list.whole.clause].sentence].start, end: sentences[list.sentence].end }),
    });
  }
  return out.sort((a, b) => a.offset - b.offset);
}

function readCounts(clauses: readonly Clause[], sentenceText: readonly string[], context: ParagraphContext): Reading[] {
  const state: ReadingState = { lastRow: null, lastKind: null };
  const readings: Reading[] = [];
  clauses.forEach((c, ci) => {
    const counts = findCounts(c.text);
    counts.forEach((count, k) => {
      const left = c.text.slice(k === 0 ? 0 : counts[k - 1].end, count.start);
      const right = c.text.slice(count.end, k + 1 < counts.length ? counts[k + 1].start : c.text.length);
      const window = { left, right, clause: c.text, sentence: sentenceText[c.sentence] ?? '', ...context };
      const quantity = classify(window, count.unit, state);
      readings.push({ clause: ci, count, quantity, left, right, share: null, partOf: null });
    });
  });
  return readings;
}

/** A share belongs to the nearest count before it in the same segment (；) that has none yet. */
function attachShares(clauses: readonly Clause[], readings: Reading[]): void {
  clauses.forEach((c, ci) => {
    for (const share of findShares(c.text)) {
      const owner = [...readings]
        .reverse()
        .find(
          (r) =>
            clauses[r.clause].segment === c.segment &&
            (r.clause < ci || (r.clause === ci && r.count.end <= share.start)),
        );
      if (owner && owner.share === null) owner.share = share;
    }
  });
}

interface PartsList {
  whole: Reading;
  parts: Reading[];
  /** The list says it is complete (a catch-all item, or shares adding up to 100%). */
  closed: boolean;
  /** The sentence the list ends in. */
  sentence: number;
}

/** Families a 其中 list may sum: a T3 result list under 收到N件 is no partition (carried over/forward). */
const SUMMABLE = new Set(['channel', 'applicant', 'other']);

function partsLists(clauses: readonly Clause[], readings: Reading[]): PartsList[] {
  const lists: PartsList[] = [];
  clauses.forEach((c, ci) => {
    const marked = PARTS_MARKER.test(c.text);
    // 预决算公开197条（政府预决算32条、部门预决算公开165条）: a bracket right after a count.
    const bracketed =
      !marked && /[（(]/.test(c.opener) && ci > 0 && clauses[ci - 1].depth < c.depth && endsWithCount(clauses[ci - 1]);
    if (!marked && !bracketed) return;
    const before = readings.filter((r) => r.clause < ci);
    const whole = before[before.length - 1];
    if (!whole || whole.count.inexact) return;
    const wc = clauses[whole.clause];
    const sameSentence = wc.sentence === c.sentence;
    const previousSentence =
      wc.sentence === c.sentence - 1 && clauses.findIndex((x) => x.sentence === c.sentence) === ci;
    if (!sameSentence && !previousSentence) return;
    if (marked && !TOTAL_WORD.test(wc.text) && whole.clause !== ci - 1) return;
    if (wc.depth > c.depth) return;

    const parts: Reading[] = [];
    let wholeFamily: string | null = null;
    for (let j = ci; j < clauses.length; j++) {
      const cj = clauses[j];
      if (cj.sentence !== c.sentence || cj.depth < c.depth || (j > ci && PARTS_MARKER.test(cj.text))) break;
      if (cj.depth > c.depth) continue; // a breakdown of one part
      const here = readings.filter((r) => r.clause === j);
      let stop = false;
      for (const r of here) {
        const f = family(r.quantity);
        if (wholeFamily === null) wholeFamily = f;
        if (f !== wholeFamily) {
          stop = true; // 其中当面4件、网络6件，办结9件: the list ended
          break;
        }
        if (r.count.unit !== whole.count.unit || r.count.inexact) return; // 其中热线电话11通: not parts of 131条
        parts.push(r);
      }
      if (stop) break;
    }
    if (parts.length === 0 || !SUMMABLE.has(wholeFamily ?? '')) return;
    if (bracketed && parts.length < 2) return;
    // Overlapping categories (网站公开2000条 of 2000, 微信800条): not a partition.
    if (parts.length >= 2 && parts.some((r) => r.count.value === whole.count.value)) return;
    const shares = parts.map((r) => r.share?.percent ?? null);
    const sharesComplete =
      shares.every((s) => s !== null) && Math.abs(shares.reduce<number>((a, s) => a + (s ?? 0), 0) - 100) <= 1;
    const closed = sharesComplete || parts.some((r) => CATCH_ALL.test(r.left + r.right));
    for (const r of parts) r.partOf = whole.count.value;
    lists.push({ whole, parts, closed, sentence: clauses[parts[parts.length - 1].clause].sentence });
  });
  return lists;
}

/**
 * Shares of the paragraph whose base is not named (占比…) or named vaguely (占总数的… said of a
 * result), by their base's words: the base most of them fit (shares.ts), for each of them.
 */
function inferredBases(readings: readonly Reading[]): Map<Reading, number> {
  const byWords = new Map<string, Reading[]>();
  for (const r of readings) {
    if (!r.share || r.count.inexact || r.partOf !== null || T3_KEY.test(resolveBase(r.share.base, r.quantity)))
      continue;
    byWords.set(r.share.base, [...(byWords.get(r.share.base) ?? []), r]);
  }
  const bases = new Map<Reading, number>();
  for (const group of byWords.values()) {
    const base = inferBase(group.map((r) => ({ value: r.count.value, percent: r.share!.percent })));
    if (base !== null) for (const r of group) bases.set(r, base);
  }
  return bases;
}

function endsWithCount(c: Clause): boolean {
  const counts = findCounts(c.text);
  return counts.length > 0 && counts[counts.length - 1].end === c.text.length;
}

/** 申请信息不存在的 → 申请信息不存在. */
function itemLabel(r: Reading): string {
  const strip = (s: string): string =>
    s
      .replace(PARTS_MARKER, '')
      .replace(/^(以|为|是)/, '')
      .replace(/的$/, '');
  return (strip(r.left) || strip(r.right)).slice(0, 24);
}
