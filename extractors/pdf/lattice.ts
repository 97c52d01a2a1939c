/**
 * Tables from ruling lines (the "lattice" way of Tabula, Camelot and pdfplumber): collinear
 * segments merged, segments that touch grouped into one table, the table's grid lines found,
 * and each elementary cell joined to its neighbour wherever no ruling separates them — which
 * gives the printed cells with their row and column spans.
 */
import { clusterMeans } from './axis.js';
import type { Segment } from './geometry.js';

/** Two coordinates closer than this (points) are one grid line. */
const SNAP = 2;
/** A ruling separates two cells when it covers this share of their common edge. */
const COVER = 0.6;

export interface Box {
  readonly x0: number;
  readonly x1: number;
  /** y0 < y1 (page space, y up). */
  readonly y0: number;
  readonly y1: number;
}

export interface LatticeCell extends Box {
  readonly row: number;
  readonly col: number;
  readonly rowspan: number;
  readonly colspan: number;
}

export interface LatticeTable {
  readonly box: Box;
  /** Column edges, left to right; row edges, top to bottom (y falling). */
  readonly xs: number[];
  readonly ys: number[];
  /** Printed cells, each once, with their spans. */
  readonly cells: LatticeCell[];
  /** owner[r][c]: index in `cells` of the cell elementary cell (r, c) belongs to. */
  readonly owner: number[][];
}

/** Merges collinear segments that overlap or touch. */
export function mergeSegments(segments: readonly Segment[]): Segment[] {
  const out: Segment[] = [];
  for (const dir of ['h', 'v'] as const) {
    const ofDir = segments.filter((s) => s.dir === dir).sort((p, q) => p.at - q.at || p.a - q.a);
    // Group by line (coordinates within SNAP), then merge runs along it.
    let group: Segment[] = [];
    const flush = () => {
      if (group.length === 0) return;
      const at = group.reduce((s, g) => s + g.at, 0) / group.length;
      group.sort((p, q) => p.a - q.a);
      let cur = { a: group[0].a, b: group[0].b };
      for (const g of group.slice(1)) {
        if (g.a <= cur.b + SNAP) cur.b = Math.max(cur.b, g.b);
        else {
          out.push({ dir, at, a: cur.a, b: cur.b });
          cur = { a: g.a, b: g.b };
        }
      }
      out.push({ dir, at, a: cur.a, b: cur.b });
      group = [];
    };
    for (const s of ofDir) {
      if (group.length > 0 && s.at - group[0].at > SNAP) flush();
      group.push(s);
    }
    flush();
  }
  return out;
}

function touches(h: Segment, v: Segment): boolean {
  return v.at >= h.a - SNAP && v.at <= h.b + SNAP && h.at >= v.a - SNAP && h.at <= v.b + SNAP;
}

/** Coordinates snapped into distinct grid lines (ascending). */
function gridLines(values: number[]): number[] {
  return clusterMeans(values, (gap) => gap <= SNAP);
}

/** Share of [a, b] covered by segments of `lines` lying at `at`. */
function covered(lines: readonly Segment[], at: number, a: number, b: number): number {
  let total = 0;
  for (const s of lines) {
    if (Math.abs(s.at - at) > SNAP) continue;
    const lo = Math.max(a, s.a - SNAP),
      hi = Math.min(b, s.b + SNAP);
    if (hi > lo) total += hi - lo;
  }
  return b > a ? total / (b - a) : 0;
}

/** Finds the ruled tables of a page. */
export function findTables(segments: readonly Segment[]): LatticeTable[] {
  const merged = mergeSegments(segments);
  const hs = merged.filter((s) => s.dir === 'h');
  const vs = merged.filter((s) => s.dir === 'v');
  // Group touching segments (union-find over h × v).
  const parent = merged.map((_, i) => i);
  const find = (i: number): number => {
    if (parent[i] !== i) parent[i] = find(parent[i]); // path compression
    return parent[i];
  };
  const index = new Map<Segment, number>(merged.map((s, i) => [s, i]));
  for (const h of hs) {
    for (const v of vs) {
      if (touches(h, v)) parent[find(index.get(h)!)] = find(index.get(v)!);
    }
  }
  const groups = new Map<number, Segment[]>();
  merged.forEach((s, i) => {
    const root = find(i);
    let g = groups.get(root);
    if (!g) {
      g = [];
      groups.set(root, g);
    }
    g.push(s);
  });
  const tables: LatticeTable[] = [];
  for (const group of groups.values()) {
    const gh = group.filter((s) => s.dir === 'h');
    const gv = group.filter((s) => s.dir === 'v');
    // A table needs two columns' worth of verticals and at least one horizontal (a
    // continuation may have lost its top or bottom border; the verticals' ends stand in).
    if (gv.length < 2 || gh.length < 1) continue;
    const table = buildTable(gh, gv);
    if (table) tables.push(table);
  }
  return tables.sort((p, q) => q.box.y1 - p.box.y1);
}

function buildTable(hs: Segment[], vs: Segment[]): LatticeTable | null {
  const xs = gridLines([...vs.map((v) => v.at), ...hs.flatMap((h) => [h.a, h.b])]);
  const ysUp = gridLines([...hs.map((h) => h.at), ...vs.flatMap((v) => [v.a, v.b])]);
  const ys = [...ysUp].reverse(); // top to bottom
  const nCols = xs.length - 1,
    nRows = ys.length - 1;
  if (nCols < 1 || nRows < 1) return null;
  const box: Box = { x0: xs[0], x1: xs[nCols], y0: ys[nRows], y1: ys[0] };
  if (box.x1 - box.x0 < 20 || box.y1 - box.y0 < 8) return null;

  // Which edges are ruled. vEdge[r][c]: the vertical edge left of column c in row r.
  const vEdge = (r: number, c: number) => c === 0 || c === nCols || covered(vs, xs[c], ys[r + 1], ys[r]) >= COVER;
  const hEdge = (r: number, c: number) => r === 0 || r === nRows || covered(hs, ys[r], xs[c], xs[c + 1]) >= COVER;

  // Join elementary cells across missing rulings.
  const id = (r: number, c: number) => r * nCols + c;
  const parent = Array.from({ length: nRows * nCols }, (_, i) => i);
  const find = (i: number): number => {
    if (parent[i] !== i) parent[i] = find(parent[i]); // path compression
    return parent[i];
  };
  const union = (a: number, b: number) => {
    parent[find(a)] = find(b);
  };
  for (let r = 0; r < nRows; r++) {
    for (let c = 0; c < nCols; c++) {
      if (c + 1 < nCols && !vEdge(r, c + 1)) union(id(r, c), id(r, c + 1));
      if (r + 1 < nRows && !hEdge(r + 1, c)) union(id(r, c), id(r + 1, c));
    }
  }
  const spans = new Map<number, { r0: number; r1: number; c0: number; c1: number }>();
  for (let r = 0; r < nRows; r++) {
    for (let c = 0; c < nCols; c++) {
      const root = find(id(r, c));
      const s = spans.get(root);
      if (!s) spans.set(root, { r0: r, r1: r, c0: c, c1: c });
      else {
        s.r0 = Math.min(s.r0, r);
        s.r1 = Math.max(s.r1, r);
        s.c0 = Math.min(s.c0, c);
        s.c1 = Math.max(s.c1, c);
      }
    }
  }
  const roots = [...spans.keys()].sort(
    (p, q) => spans.get(p)!.r0 - spans.get(q)!.r0 || spans.get(p)!.c0 - spans.get(q)!.c0,
  );
  const cellOf = new Map(roots.map((root, i) => [root, i]));
  const cells: LatticeCell[] = roots.map((root) => {
    const s = spans.get(root)!;
    return {
      row: s.r0,
      col: s.c0,
      rowspan: s.r1 - s.r0 + 1,
      colspan: s.c1 - s.c0 + 1,
      x0: xs[s.c0],
      x1: xs[s.c1 + 1],
      y0: ys[s.r1 + 1],
      y1: ys[s.r0],
    };
  });
  const owner = Array.from({ length: nRows }, (_, r) =>
    Array.from({ length: nCols }, (_, c) => cellOf.get(find(id(r, c)))!),
  );
  return { box, xs, ys, cells, owner };
}
