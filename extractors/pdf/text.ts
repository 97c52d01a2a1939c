import { multiply, type Matrix } from './geometry.js';

/**
 * Positioned text: pdfjs's text items reduced to what the layout needs (the string, its box on
 * the page), and grouped into lines by baseline. The content stream's order is not the reading
 * order, so everything here works from positions.
 */

export interface TextItem {
  readonly str: string;
  /** Left, baseline, right (points, page space, y up). */
  readonly x: number;
  readonly y: number;
  readonly right: number;
  /** Font size (the glyphs' height). */
  readonly size: number;
  /** Written top to bottom (a rotated glyph). */
  readonly vertical: boolean;
}

/** pdfjs's item: `transform` is [a b c d e f] of the glyph run; `width` along the run. */
interface RawItem {
  str: string;
  transform: number[];
  width: number;
  height: number;
}

/**
 * Kangxi and CJK radicals (U+2E80–U+2FDF) that some fonts map their glyphs to, as the
 * ideographs they look like (⾰ → 革): what NFKC does, applied to those alone so the rest
 * stays as printed.
 */
function unRadical(s: string): string {
  return /[\u2e80-\u2fdf]/.test(s) ? s.replace(/[\u2e80-\u2fdf]/g, (c) => c.normalize('NFKC')) : s;
}

/** Text items placed on the page as shown (`toPage`: user space to page space, see geometry.ts). */
export function textItems(items: readonly unknown[], toPage: Matrix): TextItem[] {
  const out: TextItem[] = [];
  for (const it of items) {
    const raw = it as RawItem;
    if (typeof raw.str !== 'string' || raw.str.trim() === '') continue;
    const [a, b, c, d, e, f] = multiply(toPage, raw.transform as Matrix);
    const size = Math.hypot(c, d) || Math.hypot(a, b) || raw.height || 10;
    const vertical = Math.abs(b) > Math.abs(a);
    out.push({ str: unRadical(raw.str), x: e, y: f, right: e + (vertical ? size : raw.width), size, vertical });
  }
  return out;
}

/** A number or a blank mark (—, /, 无): what a value cell holds, never a label's text. */
const VALUE = /^[+\-−－]?[\d０-９][\d０-９,，.．]*[%％]?$|^[/／\\—–\-－]+$|^无$/;

/** Whether `text`, its white space aside, is a number or a blank mark (a table's value, not a label). */
export function isValueText(text: string): boolean {
  return VALUE.test(text.replace(/\s/g, ''));
}

export interface Line {
  readonly items: TextItem[];
  readonly y: number;
  readonly x: number;
  readonly right: number;
  readonly size: number;
  readonly text: string;
}

/** Joins two pieces of one line: a space only between two Latin/digit runs that a gap separates. */
export function joinPieces(pieces: readonly { str: string; x: number; right: number; size: number }[]): string {
  let text = '';
  let prev: (typeof pieces)[number] | null = null;
  for (const p of pieces) {
    if (prev) {
      const gap = p.x - prev.right;
      const latin = /[A-Za-z0-9.,%]$/.test(text) && /^[A-Za-z0-9]/.test(p.str);
      if (latin && gap > prev.size * 0.2 && !text.endsWith(' ')) text += ' ';
    }
    text += p.str;
    prev = p;
  }
  return text;
}

/** Groups items into lines (same baseline within a third of the font size), top to bottom, each left to right. */
export function groupLines(items: readonly TextItem[]): Line[] {
  const sorted = [...items].sort((p, q) => q.y - p.y || p.x - q.x);
  const lines: TextItem[][] = [];
  for (const it of sorted) {
    const last = lines[lines.length - 1];
    if (last && Math.abs(last[0].y - it.y) <= Math.max(1, Math.min(last[0].size, it.size) * 0.35)) last.push(it);
    else lines.push([it]);
  }
  return lines.map((ls) => {
    ls.sort((p, q) => p.x - q.x);
    return {
      items: ls,
      y: ls[0].y,
      x: ls[0].x,
      right: Math.max(...ls.map((i) => i.right)),
      size: Math.max(...ls.map((i) => i.size)),
      text: joinPieces(ls),
    };
  });
}
