/**
 * The template recogniser: one pass over the rows of every table of a document, in order,
 * finding T2, T3 and T4 by their labels wherever they are (split tables, missing headings,
 * extra blank rows/columns, several tables on a page) and mapping them to canonical cells.
 */
import type { Grid, GridCell, Message } from '../model.js';
import {
  OTHER_SERVICES_PREFIX,
  MONEY_COLUMNS,
  T2_ROWS,
  T3_COLUMNS,
  T3_ROWS,
  T4_COLUMNS,
  T4_ROWS,
  type TableId,
  type TemplateVersion,
} from '../../domain/index.js';
import {
  firstMatch,
  fuzzyT3Item,
  T2_COLUMN_PATTERNS,
  T2_MARKERS,
  T2_ROW_PATTERNS,
  T3_COLUMN_PATTERNS,
  T3_GROUP_PATTERNS,
  T3_ITEM_PATTERNS,
  T3_MARKERS,
  T4_COLUMN_PATTERNS,
  T4_MARKERS,
} from './labels.js';
import { normLabel, parseValue } from './normalise.js';
import { isAligned, rowView, trimBlanks, type PositionedCell, type RowView } from './rows.js';

export interface ExtractedCell {
  table_id: TableId;
  row_key: string;
  col_key: string;
  value: number | null;
  raw: string;
  kind: 'number' | 'blank' | 'text' | 'derived';
  grid_table: number | null;
  grid_row: number | null;
  grid_col: number | null;
  unit: string | null;
  /** The page the cell is printed on (PDF), else null. */
  page: number | null;
}

export interface Recognised {
  readonly cells: ExtractedCell[];
  readonly tablesFound: TableId[];
  readonly template: TemplateVersion | null;
}

type Context = TableId | null;

/** Collects cells, refusing a second copy of a key (a report printed twice on one page). */
class CellSink {
  readonly cells: ExtractedCell[] = [];
  /** Columns seen, by table and row (nested maps of the template's own key strings: no key built per cell). */
  private readonly seen = new Map<TableId, Map<string, Set<string>>>();

  has(table: TableId, row: string): boolean {
    return this.seen.get(table)?.has(row) ?? false;
  }

  add(table: TableId, row: string, col: string, p: PositionedCell, rv: RowView, unitHint: string | null = null): void {
    let rows = this.seen.get(table);
    if (!rows) {
      rows = new Map();
      this.seen.set(table, rows);
    }
    let cols = rows.get(row);
    if (!cols) {
      cols = new Set();
      rows.set(row, cols);
    }
    if (cols.has(col)) return;
    cols.add(col);
    const money = MONEY_COLUMNS.has(col) && table === 'T2';
    const raw = p.cell.text;
    const parsed = parseValue(raw, money);
    let value = parsed.value;
    let unit = parsed.unit;
    if (money && unitHint === '元' && parsed.kind === 'number' && parsed.unit === null && value !== null) {
      value = value / 10000;
      unit = '元';
    }
    this.cells.push({
      table_id: table,
      row_key: row,
      col_key: col,
      value,
      raw,
      kind: parsed.kind,
      grid_table: rv.table,
      grid_row: rv.row,
      grid_col: p.col,
      unit,
      page: p.cell.page ?? null,
    });
  }
}

/** Column keys of a T3/T4 header, by grid column, from every header row seen (copies included). */
function headerColumns(rows: RowView[], patterns: readonly [RegExp, string][]): Map<number, string> {
  const byCol = new Map<number, string>();
  for (const rv of rows) {
    rv.all.forEach((cell, col) => {
      const key = firstMatch(patterns, normLabel(cell.text));
      if (key) byCol.set(col, key); // deeper header rows override the broader ones above
    });
  }
  return byCol;
}

/**
 * The texts of cells from `from` on, without white space, joined. Loops rather than map and join
 * here and in `rowText`: these lists are often empty, an array of another shape to V8, and each
 * change between the shapes threw away the recogniser's compiled code (docs/performance.md).
 */
function compactText(cells: readonly PositionedCell[], from: number): string {
  let text = '';
  for (let k = from; k < cells.length; k++) text += cells[k].cell.text.replace(/\s+/g, '');
  return text;
}

/** The texts of a row's cells, joined. */
function rowText(cells: readonly GridCell[]): string {
  let text = '';
  for (let k = 0; k < cells.length; k++) text += cells[k].text;
  return text;
}

export function recogniseTables(grids: readonly Grid[], messages: Message[]): Recognised {
  const sink = new CellSink();
  const found = new Set<TableId>();
  const votes = { '2019': 0, '2021': 0 } as Record<TemplateVersion, number>;
  const t3Votes = { '2019': 0, '2021': 0 } as Record<TemplateVersion, number>;

  let context: Context = null;
  // T3 state
  let t3Group: string | null = null;
  let t3Header: RowView[] = [];
  let otherGroupRow: { rv: RowView; values: PositionedCell[] } | null = null;
  // T4 state
  let t4Header: RowView[] = [];
  let t4Done = false;
  // T2 state
  let t2Cols: string[] = [];
  let t2Unit: string | null = null;
  let t2Prev: string | null = null;
  const otherServiceRows: string[] = [];

  const addT3Row = (key: string, rv: RowView) => {
    if (sink.has('T3', key)) {
      messages.push({
        type: 'warning',
        stage: 'recognise',
        message: `T3 row ${key} printed twice (table ${rv.table} row ${rv.row}); the first is kept`,
      });
      return;
    }
    const values = trimBlanks(rv.values, T3_COLUMNS.length);
    if (values.length === T3_COLUMNS.length) {
      values.forEach((p, i) => {
        sink.add('T3', key, T3_COLUMNS[i].key, p, rv);
      });
      checkAlignment(rv, values, 'T3', key);
      found.add('T3');
      return;
    }
    // Fall back on the header's columns when the grid lines up.
    const cols = rv.aligned ? headerColumns(t3Header, T3_COLUMN_PATTERNS) : new Map<number, string>();
    const mapped = values.filter((p) => cols.has(p.col));
    if (mapped.length > 0 && new Set(mapped.map((p) => cols.get(p.col))).size === mapped.length) {
      for (const p of mapped) sink.add('T3', key, cols.get(p.col)!, p, rv);
      found.add('T3');
      messages.push({
        type: 'warning',
        stage: 'recognise',
        message: `T3 row ${key} has ${values.length} values, not ${T3_COLUMNS.length}; mapped by the header's columns`,
      });
      return;
    }
    messages.push({
      type: 'warning',
      stage: 'recognise',
      message: `T3 row ${key} (table ${rv.table} row ${rv.row}) has ${values.length} values, not ${T3_COLUMNS.length}; not loaded`,
    });
  };

  /** Header columns per table, computed once per table and header (the header check runs on every row). */
  const headerCache = new Map<string, Map<number, string>>();
  const headerOf = (table: 'T3' | 'T4', grid: number): Map<number, string> => {
    const rows = (table === 'T3' ? t3Header : t4Header).filter((h) => h.table === grid);
    const key = `${table}|${grid}|${rows.length}`;
    let cols = headerCache.get(key);
    if (!cols) {
      cols = headerColumns(rows, table === 'T3' ? T3_COLUMN_PATTERNS : T4_COLUMN_PATTERNS);
      headerCache.set(key, cols);
    }
    return cols;
  };

  /** The header check: values must sit under the header's columns, else the row is shifted. */
  const checkAlignment = (rv: RowView, values: PositionedCell[], table: 'T3' | 'T4', key: string) => {
    if (!rv.aligned) return;
    const cols = headerOf(table, rv.table);
    if (cols.size < values.length) return;
    const misplaced = values.filter((p) => !cols.has(p.col)).length;
    if (misplaced > 0) {
      messages.push({
        type: 'warning',
        stage: 'recognise',
        message: `${table} row ${key} (table ${rv.table} row ${rv.row}) is shifted against its header (${misplaced} values outside the header's columns, w:gridBefore?); read by position in the row`,
      });
    }
  };

  const handleT3 = (rv: RowView) => {
    const L = rv.label;
    const group = firstMatch(T3_GROUP_PATTERNS, L);
    if (group) t3Group = group;
    else if (/^[一二四]、/.test(L)) t3Group = null;
    let key = firstMatch(T3_ITEM_PATTERNS, L);
    // A header row ending in an empty cell (a column cut off, an extra blank column) has no values either.
    const hasValues =
      rv.values.length > 0 &&
      !(
        rv.values.every((p) => p.cell.text.trim() === '') &&
        rv.labelCells.some((p) => firstMatch(T3_COLUMN_PATTERNS, normLabel(p.cell.text)))
      );
    if (!hasValues) {
      if (firstMatch(T3_COLUMN_PATTERNS, L) || /申请人|自然人|法人/.test(L)) t3Header.push(rv);
      else if (rv.all.some((c) => firstMatch(T3_COLUMN_PATTERNS, normLabel(c.text)))) t3Header.push(rv);
      return;
    }
    if (!key && t3Group === 'other' && /(^|\d\.?|\))其他$/.test(L) && !/其他处理$/.test(L)) key = 'other_misc';
    if (!key && /小计/.test(L) && t3Group) key = `${t3Group}_subtotal`;
    if (!key && group && L.replace(/^.*?(\([三四五六]\))/, '$1').match(/^\([三四五六]\)[^\d]*$/)) {
      if (group === 'other') {
        otherGroupRow = { rv, values: [...rv.values] };
        found.add('T3');
        return;
      }
      key = `${group}_subtotal`;
    }
    if (!key && L) {
      key = fuzzyT3Item(L, t3Group, T3_ROWS);
      if (key)
        messages.push({
          type: 'warning',
          stage: 'recognise',
          message: `T3: row label misprinted, read as ${key}: ${L.slice(0, 40)} (table ${rv.table} row ${rv.row})`,
        });
    }
    if (!key) {
      if (L)
        messages.push({
          type: 'info',
          stage: 'recognise',
          message: `T3: row label not in the template: ${L.slice(0, 40)} (table ${rv.table} row ${rv.row})`,
        });
      return;
    }
    if (key.startsWith('other_no')) t3Votes['2021']++;
    addT3Row(key, rv);
  };

  const handleT4 = (rv: RowView) => {
    if (t4Done) return;
    const numeric = rv.values.filter((p) => parseValue(p.cell.text).kind === 'number').length;
    const values = trimBlanks(rv.values, 15);
    const labelled = rv.all.some(
      (c) => firstMatch(T4_COLUMN_PATTERNS, normLabel(c.text)) || T4_MARKERS.test(normLabel(c.text)),
    );
    if (values.length >= 15 && (numeric > 0 || !labelled)) {
      const last15 = values.slice(values.length - 15);
      T4_ROWS.forEach((row, ri) => {
        T4_COLUMNS.forEach((col, ci) => {
          sink.add('T4', row.key, col.key, last15[ri * 5 + ci], rv);
        });
      });
      checkAlignment(rv, last15, 'T4', 'numbers');
      found.add('T4');
      t4Done = true;
      return;
    }
    if (labelled) t4Header.push(rv);
  };

  const handleT2 = (rv: RowView) => {
    // Header rows: 信息内容 | column labels.
    const headerKeys = rv.all
      .filter((c) => c.copy === 'none' || c.copy === 'row')
      .map((c) => ({ c, m: T2_COLUMN_PATTERNS.find((p) => p[0].test(normLabel(c.text))) }))
      .filter((x) => x.m);
    if (
      headerKeys.length > 0 &&
      rv.values.every(
        (p) => !/\d/.test(p.cell.text) || T2_COLUMN_PATTERNS.some((q) => q[0].test(normLabel(p.cell.text))),
      )
    ) {
      t2Cols = [];
      t2Unit = null;
      for (const { c, m } of headerKeys) {
        if (c.copy !== 'none') continue;
        t2Cols.push(m![1]);
        if (m![2]) votes[m![2]]++;
        const n = normLabel(c.text);
        if (m![1] === 'amount' && /元/.test(n) && !/万元/.test(n)) t2Unit = '元';
      }
      return;
    }
    if (rv.values.length === 0) return;
    let key = firstMatch(T2_ROW_PATTERNS, rv.label);
    if (key === 'other_services') {
      const idx = rv.labelCells.findIndex((p) => /对外管理服务/.test(normLabel(p.cell.text)));
      const sub = compactText(rv.labelCells, idx + 1);
      if (sub) key = OTHER_SERVICES_PREFIX + sub;
    } else if (!key && t2Prev?.startsWith('other_services') && rv.labelCells.length > 0) {
      key = OTHER_SERVICES_PREFIX + compactText(rv.labelCells, 0);
    }
    if (!key) {
      if (rv.label)
        messages.push({
          type: 'info',
          stage: 'recognise',
          message: `T2: row label not in the template: ${rv.label.slice(0, 40)}`,
        });
      return;
    }
    if (sink.has('T2', key)) return;
    t2Prev = key;
    if (key.startsWith(OTHER_SERVICES_PREFIX)) otherServiceRows.push(key);
    let cols = t2Cols;
    let values = trimBlanks(rv.values, cols.length || 1);
    if (values.length !== cols.length) {
      // The block's header is missing or does not fit: use the template's columns for this row.
      const version: TemplateVersion = votes['2019'] > votes['2021'] ? '2019' : '2021';
      const base = key.startsWith(OTHER_SERVICES_PREFIX) ? 'other_services' : key;
      const def = T2_ROWS[version].find((r) => r.key === base);
      cols = [...(def?.cols ?? [])];
      values = trimBlanks(rv.values, cols.length);
      if (values.length !== cols.length) {
        messages.push({
          type: 'warning',
          stage: 'recognise',
          message: `T2 row ${key} (table ${rv.table} row ${rv.row}) has ${values.length} values for ${cols.length} columns; not loaded`,
        });
        return;
      }
    }
    values.forEach((p, i) => {
      sink.add('T2', key!, cols[i], p, rv, t2Unit);
    });
    found.add('T2');
  };

  for (const grid of grids) {
    const aligned = isAligned(grid);
    if (grid.layoutSuspect) {
      messages.push({ type: 'warning', stage: 'read', message: `table ${grid.index}: ${grid.layoutSuspect}` });
    }
    for (let r = 0; r < grid.rows.length; r++) {
      const rv = rowView(grid, r, aligned);
      const whole = normLabel(rowText(rv.all));
      if (T4_MARKERS.test(whole) && /行政诉讼|复议/.test(whole) && !T3_MARKERS.test(whole)) {
        if (context !== 'T4') t4Header = [];
        context = 'T4';
      } else if (T3_MARKERS.test(whole) && context !== 'T3' && !T2_MARKERS.test(rv.label)) {
        context = 'T3';
        t3Group = null;
        t3Header = [];
      } else if (T2_MARKERS.test(whole) && context !== 'T2' && !firstMatch(T3_ITEM_PATTERNS, rv.label)) {
        context = 'T2';
        t2Cols = [];
      }
      if (context === 'T3') handleT3(rv);
      else if (context === 'T4') handleT4(rv);
      else if (context === 'T2') handleT2(rv);
    }
  }

  // （六）其他处理 printed with numbers: a subtotal over its items when the 2021 items are printed,
  // else the row itself, keyed `other` in either version (2021 reports print it as one row too).
  const ogr = otherGroupRow as { rv: RowView; values: PositionedCell[] } | null;
  let otherAsOneRow = false;
  if (ogr) {
    const key = t3Votes['2021'] > 0 ? 'other_subtotal' : 'other';
    otherAsOneRow = key === 'other';
    addT3Row(key, ogr.rv);
  }

  // 其他对外管理服务事项 printed only as named sub-rows: add their sum as a derived row.
  if (otherServiceRows.length > 0 && !sink.has('T2', 'other_services')) {
    for (const col of ['prev_items', 'change', 'decisions']) {
      const parts = sink.cells.filter(
        (c) => c.table_id === 'T2' && c.row_key.startsWith(OTHER_SERVICES_PREFIX) && c.col_key === col,
      );
      if (parts.length === 0) continue;
      const value = parts.some((p) => p.value === null) ? null : parts.reduce((s, p) => s + (p.value ?? 0), 0);
      sink.cells.push({
        table_id: 'T2',
        row_key: 'other_services',
        col_key: col,
        value,
        raw: '',
        kind: 'derived',
        grid_table: null,
        grid_row: null,
        grid_col: null,
        unit: null,
        page: null,
      });
    }
  }

  let template: TemplateVersion | null = null;
  if (votes['2019'] !== votes['2021']) template = votes['2019'] > votes['2021'] ? '2019' : '2021';
  // （六） as one row says 2019 only when T2's headers say nothing.
  const t3Template: TemplateVersion | null = t3Votes['2021'] > 0 ? '2021' : otherAsOneRow && !template ? '2019' : null;
  if (template && t3Template && template !== t3Template) {
    messages.push({
      type: 'warning',
      stage: 'recognise',
      message: `T2 headers say the ${template} format but T3's （六） rows say ${t3Template}; ${t3Template} is used`,
    });
    template = t3Template;
  }
  template ??= t3Template;
  const order: TableId[] = ['T2', 'T3', 'T4'];
  return { cells: sink.cells, tablesFound: order.filter((t) => found.has(t)), template };
}
