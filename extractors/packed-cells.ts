/**
 * A report's cells as they cross from an extraction worker to the loading thread: a few typed
 * arrays and the distinct strings the cells use, instead of two hundred objects. Copying objects
 * between threads costs several times more and leaves them to the loading thread's collector
 * (measured: docs/performance.md); the Appender reads these columns without making a string per cell.
 */
import type { Extraction } from './extract-document.js';
import type { ExtractedCell } from './recognise/tables.js';

/** Columns of ExtractedCell that hold strings: their offsets in a cell's stretch of `refs`. */
const REF = { table_id: 0, row_key: 1, col_key: 2, raw: 3, kind: 4, unit: 5 } as const;
const REFS_PER_CELL = 6;
/** The grid position's columns: offsets in a cell's stretch of `grid`. */
const GRID = { grid_table: 0, grid_row: 1, grid_col: 2, page: 3 } as const;
const GRID_PER_CELL = 4;

/** Index of no string, no grid position (a derived cell). */
const NONE = -1;

export interface PackedCells {
  readonly count: number;
  /** Every distinct string the cells use, each once. */
  readonly strings: string[];
  /** Per cell, REFS_PER_CELL indexes into `strings` (NONE for null), at the offsets of REF. */
  readonly refs: Int32Array;
  /** Per cell: the value, NaN for null (the warehouse stores a non-finite value as NULL anyway). */
  readonly values: Float64Array;
  /** Per cell, GRID_PER_CELL positions in the grid (NONE for null), at the offsets of GRID. */
  readonly grid: Int32Array;
}

/** An extraction ready to cross threads: its cells packed. */
export type PackedExtraction = Omit<Extraction, 'cells'> & { cells: PackedCells };

export function packCells(cells: readonly ExtractedCell[]): PackedCells {
  const index = new Map<string, number>();
  const strings: string[] = [];
  const ref = (s: string | null): number => {
    if (s === null) return NONE;
    let i = index.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(s);
      index.set(s, i);
    }
    return i;
  };
  const n = cells.length;
  const refs = new Int32Array(n * REFS_PER_CELL);
  const values = new Float64Array(n);
  const grid = new Int32Array(n * GRID_PER_CELL);
  cells.forEach((c, i) => {
    const r = i * REFS_PER_CELL;
    refs[r + REF.table_id] = ref(c.table_id);
    refs[r + REF.row_key] = ref(c.row_key);
    refs[r + REF.col_key] = ref(c.col_key);
    refs[r + REF.raw] = ref(c.raw);
    refs[r + REF.kind] = ref(c.kind);
    refs[r + REF.unit] = ref(c.unit);
    values[i] = c.value ?? NaN;
    const g = i * GRID_PER_CELL;
    grid[g + GRID.grid_table] = c.grid_table ?? NONE;
    grid[g + GRID.grid_row] = c.grid_row ?? NONE;
    grid[g + GRID.grid_col] = c.grid_col ?? NONE;
    grid[g + GRID.page] = c.page ?? NONE;
  });
  return { count: n, strings, refs, values, grid };
}

/** A cell's string column (null for NONE). */
export const stringAt = (p: PackedCells, cell: number, column: keyof typeof REF): string | null => {
  const ref = p.refs[cell * REFS_PER_CELL + REF[column]];
  return ref === NONE ? null : p.strings[ref];
};

/** A cell's grid position column (null for NONE). */
export const gridAt = (p: PackedCells, cell: number, column: keyof typeof GRID): number | null => {
  const v = p.grid[cell * GRID_PER_CELL + GRID[column]];
  return v === NONE ? null : v;
};

/** A cell's value (null for NaN). */
export const valueAt = (p: PackedCells, cell: number): number | null =>
  Number.isNaN(p.values[cell]) ? null : p.values[cell];

/** The cells as the extractor made them (tests: what `packCells` must give back). */
export function unpackCells(p: PackedCells): ExtractedCell[] {
  return Array.from({ length: p.count }, (_, i) => ({
    table_id: stringAt(p, i, 'table_id') as ExtractedCell['table_id'],
    row_key: stringAt(p, i, 'row_key')!,
    col_key: stringAt(p, i, 'col_key')!,
    value: valueAt(p, i),
    raw: stringAt(p, i, 'raw')!,
    kind: stringAt(p, i, 'kind') as ExtractedCell['kind'],
    grid_table: gridAt(p, i, 'grid_table'),
    grid_row: gridAt(p, i, 'grid_row'),
    grid_col: gridAt(p, i, 'grid_col'),
    unit: stringAt(p, i, 'unit'),
    page: gridAt(p, i, 'page'),
  }));
}

export function packExtraction(x: Extraction): PackedExtraction {
  return { ...x, cells: packCells(x.cells) };
}
