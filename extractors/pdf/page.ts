/**
 * One page laid out: its ruled tables with the text placed in their cells, and the lines of
 * text outside them. A text run that straddles a ruling (two cells' words pdfjs joined into
 * one item) is split at its spaces and each piece placed on its own.
 */
import type { Segment } from './geometry.js';
import { findTables, type LatticeTable } from './lattice.js';
import { groupLines, type Line, type TextItem } from './text.js';

/** A table of one page, its cells' texts placed: what pages join and the grid is made from. */
export interface PageTable {
  readonly page: number;
  readonly lattice: LatticeTable;
  /** Text of each printed cell (index as in lattice.cells). */
  readonly texts: string[];
  /** Where the table starts and ends on its page (y, page space). */
  readonly top: number;
  readonly bottom: number;
}

export interface PageLayout {
  readonly page: number;
  readonly height: number;
  readonly tables: PageTable[];
  /** Lines outside every table, top to bottom. */
  readonly lines: Line[];
}

/** Index of the interval of `edges` (ascending) holding v, or -1. */
function slot(edges: readonly number[], v: number): number {
  for (let i = 0; i + 1 < edges.length; i++) if (v >= edges[i] && v < edges[i + 1]) return i;
  return -1;
}

/** Splits an item at its spaces when it runs across a column edge. */
function piecesOf(item: TextItem, xs: readonly number[]): TextItem[] {
  if (item.vertical) return [item];
  const crosses = xs.some((x) => x > item.x + 1 && x < item.right - 1);
  if (!crosses || !/\s/.test(item.str.trim())) return [item];
  const chars = item.str.length;
  const perChar = (item.right - item.x) / chars;
  const out: TextItem[] = [];
  let offset = 0;
  for (const token of item.str.split(/(\s+)/)) {
    if (token.trim() !== '') {
      const x = item.x + offset * perChar;
      out.push({ ...item, str: token, x, right: x + token.length * perChar });
    }
    offset += token.length;
  }
  return out;
}

function cellText(items: TextItem[]): string {
  return groupLines(items)
    .map((l) => l.text.trim())
    .filter((t) => t !== '')
    .join('\n');
}

/**
 * An underline, not a ruling: a horizontal segment just under a text run's baseline (within a
 * fifth of its size) and lying along the run. A cell's border sits lower: below the
 * descenders and the cell's padding.
 */
function isUnderline(s: Segment, items: readonly TextItem[]): boolean {
  if (s.dir !== 'h') return false;
  return items.some((i) => {
    if (i.vertical || s.at > i.y + i.size * 0.1 || s.at < i.y - i.size * 0.2) return false;
    const overlap = Math.min(s.b, i.right) - Math.max(s.a, i.x);
    return overlap >= (s.b - s.a) * 0.6;
  });
}

export function layoutPage(
  page: number,
  height: number,
  items: readonly TextItem[],
  segments: readonly Segment[],
): PageLayout {
  const lattices: LatticeTable[] = findTables(segments.filter((s) => !isUnderline(s, items)));
  const perTable: TextItem[][][] = lattices.map((t) => t.cells.map(() => []));
  // Row edges bottom to top, for the slot search (a lattice lists them top to bottom).
  const ysUpOf = lattices.map((t) => [...t.ys].reverse());
  const outside: TextItem[] = [];
  for (const item of items) {
    const cy = item.y + item.size * 0.35;
    const cx = (item.x + item.right) / 2;
    const t = lattices.findIndex(
      (l) => cx >= l.box.x0 - 1 && cx <= l.box.x1 + 1 && cy >= l.box.y0 - 1 && cy <= l.box.y1 + 1,
    );
    if (t < 0) {
      outside.push(item);
      continue;
    }
    const lat = lattices[t];
    const ysUp = ysUpOf[t];
    for (const piece of piecesOf(item, lat.xs)) {
      const px = (piece.x + piece.right) / 2;
      const c = Math.max(
        0,
        Math.min(lat.xs.length - 2, slot(lat.xs, px) < 0 ? (px < lat.xs[0] ? 0 : lat.xs.length - 2) : slot(lat.xs, px)),
      );
      const upRow = slot(ysUp, cy);
      const r = upRow < 0 ? (cy >= lat.ys[0] ? 0 : lat.ys.length - 2) : lat.ys.length - 2 - upRow;
      perTable[t][lat.owner[r][c]].push(piece);
    }
  }
  const tables: PageTable[] = lattices.map((lattice, t) => ({
    page,
    lattice,
    texts: perTable[t].map(cellText),
    top: lattice.box.y1,
    bottom: lattice.box.y0,
  }));
  // A "table" of one cell, or with no text at all, is a box drawn around prose or a frame:
  // its text goes back to the prose.
  const real: PageTable[] = [];
  tables.forEach((t, i) => {
    const filled = t.texts.filter((s) => s !== '').length;
    if (t.lattice.cells.length < 2 || filled === 0 || (t.lattice.xs.length < 3 && t.lattice.cells.length < 3)) {
      for (const cellItems of perTable[i]) outside.push(...cellItems);
    } else real.push(t);
  });
  return { page, height, tables: real, lines: groupLines(outside) };
}
