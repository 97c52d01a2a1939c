/**
 * The ruling lines of a page, from its operator list: every horizontal or vertical segment a
 * table may be drawn with (a stroked line, the edges of a stroked rectangle, a thin filled
 * rectangle), in page space (points, y up) after the current transform. Filled boxes that are
 * not thin — a white or shaded background behind prose or a cell — are not rulings.
 */
import type { PdfOps } from './pdfjs.js';

export interface Segment {
  /** 'h': y fixed, from a to b along x; 'v': x fixed, from a to b along y (a < b). */
  readonly dir: 'h' | 'v';
  readonly at: number;
  readonly a: number;
  readonly b: number;
}

export type Matrix = [number, number, number, number, number, number];

/** n, then m (a PDF `cm` n on a current matrix m). */
export function multiply(m: Matrix, n: Matrix): Matrix {
  // m applied after n: the PDF's `cm` pre-multiplies the current matrix.
  return [
    n[0] * m[0] + n[1] * m[2],
    n[0] * m[1] + n[1] * m[3],
    n[2] * m[0] + n[3] * m[2],
    n[2] * m[1] + n[3] * m[3],
    n[4] * m[0] + n[5] * m[2] + m[4],
    n[4] * m[1] + n[5] * m[3] + m[5],
  ];
}

function apply(m: Matrix, x: number, y: number): [number, number] {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}

/** Thicker than this (points), a filled box is a background, not a ruling. */
const RULE_THICKNESS = 2.5;
/** A segment shorter than this (points) is a tick, a bullet or a glyph, not a ruling. */
const MIN_RULE_LENGTH = 4;
/** Slant tolerated in a "horizontal" or "vertical" line (points). */
const STRAIGHT = 0.8;

function isWhite(color: string): boolean {
  return /^#f[0-9a-f]f[0-9a-f]f[0-9a-f]$/i.test(color);
}

/** `toPage`: user space to the page as shown (its rotation and crop applied, y up from its bottom). */
export function pageGeometry(
  OPS: PdfOps,
  fnArray: ArrayLike<number>,
  argsArray: readonly unknown[],
  toPage: Matrix,
): Segment[] {
  const STROKES = new Set([
    OPS.stroke,
    OPS.closeStroke,
    OPS.fillStroke,
    OPS.eoFillStroke,
    OPS.closeFillStroke,
    OPS.closeEOFillStroke,
  ]);
  const FILLS = new Set([
    OPS.fill,
    OPS.eoFill,
    OPS.fillStroke,
    OPS.eoFillStroke,
    OPS.closeFillStroke,
    OPS.closeEOFillStroke,
  ]);
  const segments: Segment[] = [];
  let ctm: Matrix = toPage;
  let fill = '#000000';
  const stack: { ctm: Matrix; fill: string }[] = [];

  const pushSegment = (x1: number, y1: number, x2: number, y2: number) => {
    const [ax, ay] = apply(ctm, x1, y1);
    const [bx, by] = apply(ctm, x2, y2);
    if (Math.abs(ay - by) <= STRAIGHT && Math.abs(ax - bx) >= MIN_RULE_LENGTH) {
      segments.push({ dir: 'h', at: (ay + by) / 2, a: Math.min(ax, bx), b: Math.max(ax, bx) });
    } else if (Math.abs(ax - bx) <= STRAIGHT && Math.abs(ay - by) >= MIN_RULE_LENGTH) {
      segments.push({ dir: 'v', at: (ax + bx) / 2, a: Math.min(ay, by), b: Math.max(ay, by) });
    }
  };

  /** A filled axis-aligned box: thin, it is a ruling (its long middle line); thick, a background. */
  const filledBox = (pts: [number, number][]) => {
    const t = pts.map(([x, y]) => apply(ctm, x, y));
    const xs = t.map((p) => p[0]);
    const ys = t.map((p) => p[1]);
    const x0 = Math.min(...xs),
      x1 = Math.max(...xs),
      y0 = Math.min(...ys),
      y1 = Math.max(...ys);
    const w = x1 - x0,
      h = y1 - y0;
    if (isWhite(fill)) return;
    if (h <= RULE_THICKNESS && w >= MIN_RULE_LENGTH) segments.push({ dir: 'h', at: (y0 + y1) / 2, a: x0, b: x1 });
    else if (w <= RULE_THICKNESS && h >= MIN_RULE_LENGTH) segments.push({ dir: 'v', at: (x0 + x1) / 2, a: y0, b: y1 });
  };

  for (let i = 0; i < fnArray.length; i++) {
    const fn = fnArray[i];
    const args = argsArray[i] as unknown[] | null;
    switch (fn) {
      case OPS.save:
        stack.push({ ctm, fill });
        break;
      // a form XObject ends as a restore does: its begin saved the state
      case OPS.restore:
      case OPS.paintFormXObjectEnd: {
        const s = stack.pop();
        if (s) ({ ctm, fill } = s);
        break;
      }
      case OPS.transform:
        ctm = multiply(ctm, args as unknown as Matrix);
        break;
      case OPS.paintFormXObjectBegin: {
        stack.push({ ctm, fill });
        const m = args?.[0] as Matrix | null;
        if (m) ctm = multiply(ctm, m);
        break;
      }
      case OPS.setFillRGBColor:
        fill = String(args?.[0] ?? '#000000');
        break;
      case OPS.constructPath: {
        const paint = args?.[0] as number;
        const data = (args?.[1] as ArrayLike<number>[] | undefined)?.[0];
        if (!data) break;
        const stroke = STROKES.has(paint);
        const filled = FILLS.has(paint);
        if (!stroke && !filled) break; // a clip or an invisible path
        // Walk the subpaths: straight lines only; a curve makes the subpath no ruling.
        let sub: [number, number][] = [];
        let curved = false;
        const endSub = () => {
          if (sub.length >= 2 && !curved) {
            const closedBox = sub.length >= 4 && sub.length <= 5;
            if (filled && closedBox) filledBox(sub.slice(0, 4));
            if (stroke) {
              for (let k = 1; k < sub.length; k++) pushSegment(sub[k - 1][0], sub[k - 1][1], sub[k][0], sub[k][1]);
            }
          }
          sub = [];
          curved = false;
        };
        let k = 0;
        let start: [number, number] | null = null;
        while (k < data.length) {
          const op = data[k];
          if (op === 0) {
            endSub();
            start = [data[k + 1], data[k + 2]];
            sub.push(start);
            k += 3;
          } else if (op === 1) {
            sub.push([data[k + 1], data[k + 2]]);
            k += 3;
          } else if (op === 2) {
            curved = true;
            k += 7;
          } else if (op === 3) {
            curved = true;
            k += 5;
          } else if (op === 4) {
            if (start && sub.length > 0) sub.push(start);
            k += 1;
          } else {
            break;
          }
        }
        endSub();
        break;
      }
      default:
        break;
    }
  }
  return segments;
}
