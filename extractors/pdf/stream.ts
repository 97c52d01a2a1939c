/**
 * Tables drawn without rulings, from the alignment of their text (the "stream" way): lines
 * whose numbers stand apart in columns, several such lines close together, are a table. The
 * numbers' x positions, gathered over those lines, give the columns; everything left of the
 * first column is the row's label; a line of words alone next to a row of numbers is that
 * row's label wrapped (the numbers of a cell centred between two label lines sit on neither).
 * The result is laid out as a ruled table would be, so the rest of the reader treats both alike.
 */
import { clusterMeans, nearestIndex } from './axis.js';
import type { LatticeCell, LatticeTable } from './lattice.js';
import type { PageLayout, PageTable } from './page.js';
import { isValueText, joinPieces, type Line, type TextItem } from './text.js';

interface Chunk {
  text: string;
  x: number;
  right: number;
  numeric: boolean;
}

/** A line cut where its items stand apart (a gap of more than a character). */
function chunks(line: Line): Chunk[] {
  const out: { items: TextItem[] }[] = [];
  for (const it of line.items) {
    // pdfjs may join two cells' numbers into one item with spaces between them.
    const pieces = it.str.trim().split(/\s{2,}|\s(?=[\d０-９])(?<=[\d０-９]\s)/);
    const per = (it.right - it.x) / Math.max(1, it.str.length);
    let offset = it.str.indexOf(pieces[0]);
    for (const piece of pieces) {
      const at = it.str.indexOf(piece, offset);
      const sub: TextItem = { ...it, str: piece, x: it.x + at * per, right: it.x + (at + piece.length) * per };
      offset = at + piece.length;
      const last = out[out.length - 1];
      const prev = last?.items[last.items.length - 1];
      // Words run on in one chunk; a number set right after words (a label filling its cell) starts its own.
      const sameKind = prev && isValueText(prev.str) === isValueText(piece);
      const gap = prev ? sub.x - prev.right : Infinity;
      if (prev && (sameKind ? gap <= Math.min(prev.size, sub.size) * 0.9 : gap <= 0.5)) last.items.push(sub);
      else out.push({ items: [sub] });
    }
  }
  return out.map((c) => {
    const text = joinPieces(c.items).trim();
    return { text, x: c.items[0].x, right: c.items[c.items.length - 1].right, numeric: isValueText(text) };
  });
}

interface Row {
  line: Line;
  chunks: Chunk[];
  values: Chunk[];
}

/** Numbers standing apart after a label, or three numbers: a row of a table. */
function isValueRow(c: Chunk[]): boolean {
  const numbers = c.filter((k) => k.numeric).length;
  return (
    numbers >= 3 || (numbers >= 1 && !c[0].numeric && c.slice(c.findIndex((k) => k.numeric)).every((k) => k.numeric))
  );
}

/** Column centres: the numbers' centres gathered over the rows, near ones together. */
function columns(rows: Row[]): number[] {
  return clusterMeans(
    rows.flatMap((r) => r.values.map((v) => (v.x + v.right) / 2)),
    (gap) => gap < 12,
  );
}

export function streamTables(page: PageLayout): PageLayout {
  const lines = page.lines;
  const rows: Row[] = lines.map((line) => {
    const c = chunks(line);
    const valueRow = c.length > 0 && isValueRow(c);
    return { line, chunks: c, values: valueRow ? c.filter((k, i) => k.numeric && (i > 0 || c.length > 1)) : [] };
  });
  // Runs of value rows, close together (words-only lines may lie between them).
  const tables: PageTable[] = [];
  const used = new Set<Line>();
  let i = 0;
  while (i < rows.length) {
    if (rows[i].values.length === 0) {
      i++;
      continue;
    }
    const run: number[] = [i];
    let j = i + 1;
    while (j < rows.length) {
      const gap = rows[run[run.length - 1]].line.y - rows[j].line.y;
      if (gap > rows[j].line.size * 4) break;
      if (rows[j].values.length > 0) run.push(j);
      j++;
    }
    if (run.length < 3) {
      i = j;
      continue;
    }
    const first = run[0],
      last = run[run.length - 1];
    // Words-only lines up to a few lines above the first row belong to it too (headers).
    let start = first;
    while (
      start > 0 &&
      rows[start - 1].values.length === 0 &&
      rows[start].line.y - rows[start - 1].line.y < rows[start].line.size * 3 &&
      first - start < 6
    )
      start--;
    // …and the last row's label may wrap below its numbers.
    let end = last;
    while (
      end + 1 < rows.length &&
      rows[end + 1].values.length === 0 &&
      rows[end].line.y - rows[end + 1].line.y < rows[end + 1].line.size * 1.5
    )
      end++;
    const member = rows.slice(start, end + 1);
    tables.push(buildStreamTable(page.page, member));
    for (const r of member) used.add(r.line);
    i = end + 1;
  }
  if (tables.length === 0) return page;
  return {
    ...page,
    tables: [...page.tables, ...tables].sort((p, q) => q.top - p.top),
    lines: lines.filter((l) => !used.has(l)),
  };
}

function buildStreamTable(pageNo: number, member: Row[]): PageTable {
  const valueRows = member.filter((r) => r.values.length > 0);
  const cols = columns(valueRows);
  const firstCol = Math.min(...valueRows.flatMap((r) => r.values.map((v) => v.x)));
  // Each words-only line joins the nearest row of numbers when close (a wrapped label), else stands alone.
  const owner = new Map<Row, Row>();
  for (const r of member) {
    if (r.values.length > 0) continue;
    const near = valueRows.map((v) => ({ v, d: Math.abs(v.line.y - r.line.y) })).sort((a, b) => a.d - b.d)[0];
    if (near && near.d <= r.line.size * 1.5 && r.chunks.every((c) => c.right <= firstCol + 2)) owner.set(r, near.v);
  }
  const printed = member.filter((r) => !owner.has(r));
  const grid: string[][] = printed.map((r) => {
    const labelLines = member.filter((m) => m === r || owner.get(m) === r).sort((a, b) => b.line.y - a.line.y);
    const label = labelLines
      .map((m) =>
        m.chunks
          .filter((c) => !r.values.includes(c) && c.right <= firstCol + 2)
          .map((c) => c.text)
          .join(''),
      )
      .filter((t) => t !== '')
      .join('\n');
    const cells = [label, ...cols.map(() => '')];
    const others = r.values.length > 0 ? r.values : r.chunks.filter((c) => c.x > firstCol - 2);
    for (const v of others) {
      const best = nearestIndex(cols, (v.x + v.right) / 2);
      cells[best + 1] = cells[best + 1] ? `${cells[best + 1]}\n${v.text}` : v.text;
    }
    return cells;
  });
  // Laid out as a ruled table: one cell per position, edges half-way between the columns.
  const left = Math.min(...member.map((r) => r.line.x)) - 1;
  const right = Math.max(...member.map((r) => r.line.right)) + 1;
  const xs = [left, ...cols.map((c, k) => (k === 0 ? firstCol - 1 : (cols[k - 1] + c) / 2)), right];
  const tops = printed.map((r) => r.line.y + r.line.size);
  const ys = [...tops, printed[printed.length - 1].line.y - printed[printed.length - 1].line.size * 0.5];
  const cells: LatticeCell[] = [];
  const texts: string[] = [];
  const ownerGrid: number[][] = grid.map((row, r) =>
    row.map((text, c) => {
      cells.push({ row: r, col: c, rowspan: 1, colspan: 1, x0: xs[c], x1: xs[c + 1], y0: ys[r + 1], y1: ys[r] });
      texts.push(text);
      return cells.length - 1;
    }),
  );
  const lattice: LatticeTable = {
    box: { x0: left, x1: right, y0: ys[ys.length - 1], y1: ys[0] },
    xs,
    ys,
    cells,
    owner: ownerGrid,
  };
  return { page: pageNo, lattice, texts, top: ys[0], bottom: ys[ys.length - 1] };
}
