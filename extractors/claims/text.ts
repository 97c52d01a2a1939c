/**
 * The prose cut into pieces the claim patterns read: paragraph → sentence (。！？) →
 * segment (；) → clause (，、：, and parentheses). Counts (a number with its measure word)
 * and shares (占…的44.44%) are found per clause, on a normalised copy of its text.
 */

/** A clause: the smallest piece, between commas, enumeration commas, colons or brackets. */
export interface Clause {
  /** Normalised text (ASCII digits, no quotes or spaces): what the patterns match. */
  readonly text: string;
  /** Index of the sentence (。！？) in the paragraph, and of the segment (；) in the paragraph. */
  readonly sentence: number;
  readonly segment: number;
  /** Bracket depth: 0 outside brackets. */
  readonly depth: number;
  /** The separator before the clause ('' at a paragraph's start). */
  readonly opener: string;
}

/** A span of the original paragraph (a sentence or a segment). */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface ParagraphPieces {
  readonly clauses: readonly Clause[];
  readonly sentences: readonly Span[];
  readonly segments: readonly Span[];
}

/**
 * What a character does to the cutting (one switch per character: this runs on all the prose). A const enum: there is
 * no isolatedModules here, so tsc inlines its members.
 */
// biome-ignore lint/suspicious/noConstEnum: tsc inlines its members in this per-character switch
const enum Cut {
  None,
  Sentence,
  Segment,
  Clause,
  Comma,
  Open,
  Close,
}
function cutOf(code: number): Cut {
  switch (code) {
    case 0x3002:
    case 0xff01:
    case 0xff1f:
    case 0x21:
    case 0x3f:
      return Cut.Sentence; // 。！？!?
    case 0xff1b:
    case 0x3b:
      return Cut.Segment; // ；;
    case 0xff0c:
    case 0x3001:
    case 0xff1a:
    case 0x3a:
      return Cut.Clause; // ，、：:
    case 0x2c:
      return Cut.Comma; // , (a thousands separator between digits)
    case 0xff08:
    case 0x28:
    case 0xff3b:
    case 0x5b:
      return Cut.Open; // （([［
    case 0xff09:
    case 0x29:
    case 0xff3d:
    case 0x5d:
      return Cut.Close; // ）)］]
    default:
      return Cut.None;
  }
}

/** Cuts a paragraph into clauses, remembering each one's sentence, segment and bracket depth. */
export function cutParagraph(p: string): ParagraphPieces {
  const clauses: Clause[] = [];
  const sentences: Span[] = [];
  const segments: Span[] = [];
  let sentence = 0;
  let segment = 0;
  let depth = 0;
  let clauseStart = 0;
  let sentenceStart = 0;
  let segmentStart = 0;
  let opener = '';
  const pushClause = (end: number, next: string): void => {
    const text = normalise(p.slice(clauseStart, end));
    if (text !== '') clauses.push({ text, sentence, segment, depth, opener });
    clauseStart = end + 1;
    opener = next;
  };
  const endSegment = (end: number): void => {
    if (p.slice(segmentStart, end).trim() !== '') segments.push({ start: segmentStart, end });
    segmentStart = end;
    segment = segments.length;
  };
  for (let i = 0; i < p.length; i++) {
    let cut = cutOf(p.charCodeAt(i));
    if (cut === Cut.None) continue;
    const ch = p[i];
    // An ASCII comma between digits is a thousands separator (1,975), not a clause break.
    if (cut === Cut.Comma) cut = /^\d{3}(?!\d)/.test(p.slice(i + 1, i + 5)) ? Cut.None : Cut.Clause;
    if (cut === Cut.Sentence) {
      pushClause(i, ch);
      endSegment(i + 1);
      if (p.slice(sentenceStart, i + 1).trim() !== '') sentences.push({ start: sentenceStart, end: i + 1 });
      sentenceStart = i + 1;
      sentence = sentences.length;
      depth = 0;
    } else if (cut === Cut.Segment) {
      pushClause(i, ch);
      endSegment(i + 1);
    } else if (cut === Cut.Clause) {
      pushClause(i, ch);
    } else if (cut === Cut.Open) {
      pushClause(i, ch);
      depth++;
    } else if (cut === Cut.Close) {
      pushClause(i, ch);
      depth = Math.max(0, depth - 1);
    }
  }
  pushClause(p.length, '');
  endSegment(p.length);
  if (p.slice(sentenceStart).trim() !== '') sentences.push({ start: sentenceStart, end: p.length });
  return { clauses, sentences, segments };
}

/** What `normalise` changes: most clauses hold none of it, and are returned as they are. */
const NEEDS_NORMALISING = /[０-９％．“”"'‘’「」『』\s\u00a0\u3000]/;

/** Full-width digits and signs to ASCII; quotes, spaces and bookmarks dropped. */
export function normalise(s: string): string {
  if (!NEEDS_NORMALISING.test(s)) return s;
  return s
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/％/g, '%')
    .replace(/．/g, '.')
    .replace(/[“”"'‘’「」『』\s\u00a0\u3000]/g, '');
}

// ---------------------------------------------------------------- counts and shares

/** A number with its measure word: 10件, 1,975条, 两起. */
export interface Count {
  readonly value: number;
  readonly unit: string;
  /** Position of the count in the clause text. */
  readonly start: number;
  readonly end: number;
  /** 约10件, 100余件, 各1件, 2.5件: not a count a table cell can be compared with. */
  readonly inexact: boolean;
}

/** A share: 占已答复总数的44.44%, 占比40%, or a bare （40%） after a count. */
export interface Share {
  readonly percent: number;
  /** The base as printed (已答复总数, 总数), '' when none is named. */
  readonly base: string;
  readonly start: number;
}

const COUNT_UNITS = '件|条|宗|起|个|项|份|次|通|篇|期|例';
const COUNT = new RegExp(
  `(约|近|超过|逾|将近|大约|各)?(\\d+(?:,\\d{3})*(?:\\.\\d+)?|[零〇一二两三四五六七八九十百]+)(余|多)?(${COUNT_UNITS})`,
  'g',
);
/** Chinese numerals count only before these words (一件事, 一个, 一条龙 are not counts). */
const CHINESE_NUMERAL_UNITS = new Set(['件', '起', '宗']);

/** A digit or numeral right before a measure word: a clause without one has no count (most have none). */
const COUNT_HINT = new RegExp(`[\\d零〇一二两三四五六七八九十百](?:余|多)?(?:${COUNT_UNITS})`);

export function findCounts(clause: string): Count[] {
  const out: Count[] = [];
  if (!COUNT_HINT.test(clause)) return out;
  for (const m of clause.matchAll(COUNT)) {
    const [all, approx, num, more, unit] = m;
    const start = m.index!;
    const before = clause[start - 1] ?? '';
    // Part of a longer token (IPV6件, 第3件, a second decimal point): not a count.
    if (/[A-Za-z第.]/.test(before)) continue;
    const chinese = !/^\d/.test(num);
    if (chinese && (!CHINESE_NUMERAL_UNITS.has(unit) || clause[start + all.length] === '事')) continue;
    const value = chinese ? chineseNumber(num) : Number(num.replace(/,/g, ''));
    if (value === null || !Number.isFinite(value)) continue;
    out.push({
      value,
      unit,
      start: start + (approx?.length ?? 0),
      end: start + all.length,
      inexact: !!approx || !!more || !Number.isInteger(value),
    });
  }
  return out;
}

const DIGITS: Record<string, number> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

/** 一 → 1, 十二 → 12, 二十 → 20, 一百零五 → 105; null for anything else. */
export function chineseNumber(s: string): number | null {
  let total = 0;
  let digit: number | null = null;
  for (const ch of s) {
    if (ch in DIGITS) {
      if (digit !== null && digit !== 0) return null; // 一二: not a number
      digit = DIGITS[ch];
    } else if (ch === '十' || ch === '百') {
      const mult = ch === '十' ? 10 : 100;
      total += (digit ?? 1) * mult;
      digit = null;
    } else return null;
  }
  return total + (digit ?? 0);
}

/** 占（base）的 P% — the base is what the share is "of". */
const SHARE_OF = /占([^\d%]{0,16}?)(\d+(?:\.\d+)?)%/g;
/** A bracketed share right after a count: 予以公开4件（44.44%）. */
const BARE_SHARE = /^(\d+(?:\.\d+)?)%$/;

export function findShares(clause: string): Share[] {
  const out: Share[] = [];
  if (!clause.includes('%')) return out;
  for (const m of clause.matchAll(SHARE_OF)) {
    out.push({ percent: Number(m[2]), base: cleanBase(m[1]), start: m.index! });
  }
  const bare = BARE_SHARE.exec(clause);
  if (bare) out.push({ percent: Number(bare[1]), base: '', start: 0 });
  return out;
}

/** 已答复总数的 → 已答复总数; 比 (占比) → ''. */
function cleanBase(s: string): string {
  return s.replace(/(的比例为|的比例|比例为|比重为|的比重|比例|比重|的|为|达|约)+$/, '').replace(/^比$/, '');
}
