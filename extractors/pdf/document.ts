/**
 * Pages → the document model: tables broken across pages joined again (a group label split by
 * the break made one cell), the prose's lines joined into paragraphs, page numbers dropped,
 * and every block in reading order.
 */
import type { Block, Grid, GridCell, SpanCopy } from '../model.js';
import { nearestIndex } from './axis.js';
import type { PageLayout, PageTable } from './page.js';
import { isValueText, type Line } from './text.js';

/** Page furniture: "- 3 -", "第 3 页", "3/13", "3". */
const PAGE_NUMBER = /^[-—–－\s]*(第\s*)?\d{1,4}(\s*页)?(\s*[/／]\s*\d{1,4})?(\s*(共\s*\d+\s*页)?)[-—–－\s]*$/;

function isMargin(line: Line, height: number): boolean {
  return line.y < height * 0.08 || line.y > height * 0.92;
}

/** A table spread over several pages, its parts in order. */
interface TableRun {
  parts: PageTable[];
}

/** Column edges of two parts agree: the second continues the first. */
function sameColumns(a: PageTable, b: PageTable): boolean {
  const xa = a.lattice.xs,
    xb = b.lattice.xs;
  if (Math.abs(xa[0] - xb[0]) > 4 || Math.abs(xa[xa.length - 1] - xb[xb.length - 1]) > 4) return false;
  // Every edge of the shorter list lies on an edge of the longer.
  const [few, many] = xa.length <= xb.length ? [xa, xb] : [xb, xa];
  return few.every((x) => many.some((y) => Math.abs(x - y) <= 3));
}

/** How a row label of the template starts: 一、 （三） 1. 2． */
const ENUMERATED = /^([一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.．、])/;

interface JoinedCell {
  text: string;
  page: number;
  r0: number;
  c0: number;
  r1: number;
  c1: number;
}

/**
 * The parts of a run as one grid over the union of their column edges. At each break, a label
 * cell that spans rows on both sides (a group label or the vertical 三、本年度办理结果 cut in
 * two), or a label cell of the lower part that is empty where its column holds a label above,
 * continues the cell above it: the two become one cell with the texts joined.
 */
function joinRun(run: TableRun, index: number): Grid {
  const xs: number[] = [];
  for (const part of run.parts) for (const x of part.lattice.xs) if (!xs.some((y) => Math.abs(x - y) <= 3)) xs.push(x);
  xs.sort((p, q) => p - q);
  const colOf = (x: number) => nearestIndex(xs, x);
  const cells: JoinedCell[] = [];
  let rowBase = 0;
  for (let p = 0; p < run.parts.length; p++) {
    const part = run.parts[p];
    const lat = part.lattice;
    const nRows = lat.ys.length - 1;
    const fresh: JoinedCell[] = lat.cells.map((c, i) => ({
      text: part.texts[i],
      page: part.page,
      r0: rowBase + c.row,
      r1: rowBase + c.row + c.rowspan - 1,
      c0: colOf(c.x0),
      c1: colOf(c.x1) - 1,
    }));
    if (p > 0) {
      const lastRow = rowBase - 1;
      // A row broken by the page: its label goes on at the top of the next page, its numbers
      // stay above. The top row then holds text without numbers and starts with no
      // enumerator (1. （三） 一、) as a row of its own would: it is the row above, continued.
      const top = fresh.filter((c) => c.r0 === rowBase);
      const aboveRow = cells.filter((a) => a.r0 <= lastRow && a.r1 >= lastRow);
      const firstText = top.filter((c) => c.text !== '').sort((a, b) => a.c0 - b.c0)[0]?.text ?? '';
      const rowContinues =
        firstText !== '' &&
        !top.some((c) => isValueText(c.text)) &&
        !ENUMERATED.test(firstText.replace(/\s+/g, '')) &&
        aboveRow.some((a) => isValueText(a.text)) &&
        top.every((c) => aboveRow.some((a) => a.c0 === c.c0 && a.c1 === c.c1));
      if (rowContinues) {
        for (const cell of top) {
          const above = aboveRow.find((a) => a.c0 === cell.c0 && a.c1 === cell.c1)!;
          if (cell.text !== '') above.text = [above.text, cell.text].filter((t) => t !== '').join('\n');
          above.r1 = Math.max(above.r1, cell.r1);
          cell.text = '\u0000';
        }
      }
      // Cells of the previous part touching the break, by column.
      for (const cell of fresh.filter((c) => c.r0 === rowBase && c.text !== '\u0000')) {
        const above = cells.find((a) => a.r1 === lastRow && a.c0 === cell.c0 && a.c1 === cell.c1);
        if (!above || isValueText(above.text) || isValueText(cell.text)) continue;
        const spansAbove = above.r1 > above.r0;
        const spansBelow = cell.r1 > cell.r0;
        const labelRight = (c: JoinedCell, pool: JoinedCell[]) =>
          pool.some(
            (o) =>
              o !== c && o.c0 === c.c1 + 1 && o.r0 <= c.r1 && o.r1 >= c.r0 && o.text !== '' && !isValueText(o.text),
          );
        const continues = (spansAbove || spansBelow) && labelRight(above, cells) && labelRight(cell, fresh);
        if (!continues) continue;
        above.text = [above.text, cell.text].filter((t) => t !== '').join('\n');
        above.r1 = cell.r1;
        cell.text = '\u0000'; // merged away
      }
    }
    cells.push(...fresh.filter((c) => c.text !== '\u0000'));
    rowBase += nRows;
  }
  const nCols = xs.length - 1;
  const rows: GridCell[][] = Array.from({ length: rowBase }, (_, r) =>
    Array.from({ length: nCols }, (_, c): GridCell => ({ text: '', originRow: r, originCol: c, copy: 'none' })),
  );
  for (const cell of cells) {
    for (let r = cell.r0; r <= cell.r1; r++) {
      for (let c = cell.c0; c <= cell.c1; c++) {
        if (r >= rowBase || c >= nCols || c < 0) continue;
        const copy: SpanCopy =
          r === cell.r0 && c === cell.c0 ? 'none' : r === cell.r0 ? 'col' : c === cell.c0 ? 'row' : 'both';
        rows[r][c] = { text: cell.text, originRow: cell.r0, originCol: cell.c0, copy, page: cell.page };
      }
    }
  }
  return { index, depth: 0, rows };
}

interface ParaLine extends Line {
  readonly pageWidthLeft: number;
  readonly pageWidthRight: number;
}

/**
 * Lines of prose joined into paragraphs: a paragraph ends at a
 * short line, an indent, a gap, a size change, or a centred line.
 */
function paragraphs(lines: readonly ParaLine[]): string[] {
  const out: string[] = [];
  let cur: ParaLine | null = null;
  let text = '';
  for (const line of lines) {
    const left = line.pageWidthLeft,
      right = line.pageWidthRight;
    const centred = (l: ParaLine) =>
      l.x - left > l.size * 2.5 && Math.abs(l.x - left - (right - l.right)) < l.size * 1.5;
    let joins = false;
    if (cur) {
      const gap = cur.y - line.y;
      const sameSize = Math.abs(cur.size - line.size) < 0.5;
      const prevFull = right - cur.right < cur.size * 1.5;
      const indented = line.x - left > line.size * 1.2;
      if (sameSize && gap > 0 && gap < line.size * 2.2) {
        if (centred(cur) && centred(line)) joins = true;
        else if (prevFull && !indented) joins = true;
      }
    }
    // Chinese wraps anywhere, a number too ("2" / "021年"): only two Latin words get a space.
    if (joins) text += /[A-Za-z]$/.test(text) && /^[A-Za-z]/.test(line.text) ? ` ${line.text}` : line.text;
    else {
      if (cur) out.push(text);
      text = line.text;
    }
    cur = line;
  }
  if (cur) out.push(text);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

export function assemble(pages: readonly PageLayout[]): Block[] {
  // Blocks per page in reading order, tables as runs (joined across a break).
  type Item = { kind: 'lines'; lines: ParaLine[] } | { kind: 'table'; run: TableRun };
  const items: Item[] = [];
  let openRun: TableRun | null = null;
  for (const page of pages) {
    const lefts = page.lines.filter((l) => !isMargin(l, page.height)).map((l) => l.x);
    const rights = page.lines.filter((l) => !isMargin(l, page.height)).map((l) => l.right);
    const left = lefts.length ? Math.min(...lefts) : 0;
    const right = rights.length ? Math.max(...rights) : 0;
    const lines: ParaLine[] = page.lines
      .filter((l) => !(isMargin(l, page.height) && PAGE_NUMBER.test(l.text)))
      .map((l) => ({ ...l, pageWidthLeft: left, pageWidthRight: right }));
    const body = lines.filter((l) => !isMargin(l, page.height));
    const margins = lines.filter((l) => isMargin(l, page.height));
    if (margins.length) items.push({ kind: 'lines', lines: margins.filter((l) => l.y > page.height / 2) });
    const pending: { y: number; item: Item }[] = page.tables.map((t) => ({
      y: t.top,
      item: { kind: 'table', run: { parts: [t] } },
    }));
    // Lines between tables form groups of their own.
    let group: ParaLine[] = [];
    const tableTops = page.tables.map((t) => t.top);
    for (const line of [...body].sort((p, q) => q.y - p.y)) {
      if (group.length && tableTops.some((y) => y < group[group.length - 1].y && y > line.y)) {
        pending.push({ y: group[0].y, item: { kind: 'lines', lines: group } });
        group = [];
      }
      group.push(line);
    }
    if (group.length) pending.push({ y: group[0].y, item: { kind: 'lines', lines: group } });
    pending.sort((p, q) => q.y - p.y);
    // A table first on this page continues the table that ended the previous page.
    const first = pending[0]?.item;
    if (
      openRun &&
      first?.kind === 'table' &&
      sameColumns(openRun.parts[openRun.parts.length - 1], first.run.parts[0])
    ) {
      openRun.parts.push(first.run.parts[0]);
      first.run = openRun;
      pending.shift();
    }
    for (const p of pending) items.push(p.item);
    if (margins.length) items.push({ kind: 'lines', lines: margins.filter((l) => l.y <= page.height / 2) });
    // A table last on the page may go on over the break.
    const last = pending.length ? pending[pending.length - 1].item : first?.kind === 'table' ? first : null;
    openRun = last?.kind === 'table' ? last.run : null;
  }
  const blocks: Block[] = [];
  let tableIndex = 0;
  for (const item of items) {
    if (item.kind === 'table') blocks.push({ kind: 'table', grid: joinRun(item.run, tableIndex++) });
    else for (const text of paragraphs(item.lines)) blocks.push({ kind: 'paragraph', text });
  }
  return blocks;
}
