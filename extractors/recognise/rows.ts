/**
 * A grid row seen as the template sees it: a label (one or more leading text cells) and the
 * value cells after it. Only printed cells count: copies made by expanding spans are left out,
 * so a value spanning three columns is one value and a row-spanned group label is read once.
 */
import type { Grid, GridCell } from '../model.js';
import { firstMatch, isKnownLabel, T2_ROW_PATTERNS, T3_ITEM_PATTERNS } from './labels.js';
import { isValueLike, normLabel } from './normalise.js';

export interface PositionedCell {
  readonly cell: GridCell;
  /** Column in the expanded grid. */
  readonly col: number;
}

export interface RowView {
  readonly table: number;
  readonly row: number;
  /** Every cell of the expanded row (copies included), for header checks. */
  readonly all: readonly GridCell[];
  /** Normalised label: the label cells joined. */
  readonly label: string;
  readonly labelCells: readonly PositionedCell[];
  readonly values: readonly PositionedCell[];
  /** The table has real spans (HTML, DOCX): grid columns line up with the header. */
  readonly aligned: boolean;
}

/** A label is complete when it names a row by itself; then a following text cell is a value. */
function isCompleteLabel(label: string): boolean {
  const t3 = firstMatch(T3_ITEM_PATTERNS, label);
  if (t3) return true;
  const t2 = firstMatch(T2_ROW_PATTERNS, label);
  return t2 !== null && t2 !== 'other_services';
}

/**
 * The label cells' normalised texts, joined. A loop, not map and join: the list is often empty
 * (a number row), and an empty list is an array of another shape to V8, which threw away the
 * recogniser's compiled code at each change between the two (docs/performance.md).
 */
function labelOf(cells: readonly PositionedCell[]): string {
  let label = '';
  for (let k = 0; k < cells.length; k++) label += normLabel(cells[k].cell.text);
  return label;
}

export function rowView(grid: Grid, r: number, aligned: boolean): RowView {
  const all = grid.rows[r];
  const printed: PositionedCell[] = [];
  all.forEach((cell, col) => {
    if (cell.copy === 'none') printed.push({ cell, col });
  });
  let i = printed.findIndex((p) => p.cell.text.trim() !== '');
  const labelCells: PositionedCell[] = [];
  if (i >= 0 && !isValueLike(printed[i].cell.text)) {
    labelCells.push(printed[i]);
    i++;
    while (i < printed.length) {
      const text = printed[i].cell.text;
      if (isValueLike(text)) break;
      const norm = normLabel(text);
      const joined = labelOf(labelCells);
      if (!isKnownLabel(norm) && isCompleteLabel(joined)) break;
      labelCells.push(printed[i]);
      i++;
    }
  } else if (i < 0) {
    i = printed.length;
  } else {
    // No label: every printed cell is a value (T4's number row).
    i = 0;
  }
  return {
    table: grid.index,
    row: r,
    all,
    label: labelOf(labelCells),
    labelCells,
    values: printed.slice(i),
    aligned,
  };
}

/** Drops surplus blank cells at the ends of a value run until it has `want` cells. */
export function trimBlanks(values: readonly PositionedCell[], want: number): PositionedCell[] {
  const v = [...values];
  const blank = (p: PositionedCell | undefined) => p !== undefined && p.cell.text.trim() === '';
  while (v.length > want && blank(v[v.length - 1])) v.pop();
  while (v.length > want && blank(v[0])) v.shift();
  return v;
}

/** True when the grid has real spans, so its columns line up (not a flattened text export). */
export function isAligned(grid: Grid): boolean {
  // one width for every row, found without a list of the widths (see labelOf)
  let sameWidth = grid.rows.length > 0;
  for (let r = 1; r < grid.rows.length && sameWidth; r++) sameWidth = grid.rows[r].length === grid.rows[0].length;
  return sameWidth || grid.rows.some((r) => r.some((c) => c.copy !== 'none'));
}
