/**
 * Rebuilds T2, T3 and T4 from the warehouse cells in the template's printed layout, with the
 * cells involved in findings highlighted ("8 → 应为 9" on the cell a finding points at).
 */
import {
  OTHER_SERVICES_PREFIX,
  T2_COLUMNS,
  T2_ROWS,
  T3_COLUMNS,
  T3_GROUP_SUBTOTALS,
  T3_ROWS,
  T4_COLUMNS,
  T4_ROWS,
  type RowDef,
  type TemplateVersion,
} from '../../../domain/index.js';
import { cellKey, type Cell } from './audit-data.js';
import type { Marks } from './cell-marks.js';
import { escapeHtml, html, join, trusted, type Html } from './html.js';
import { formatNumber, severityZh, TABLE_ZH } from './labels.js';

interface TableContext {
  cells: ReadonlyMap<string, Cell>;
  /** The report's cells of each table. */
  byTable: ReadonlyMap<string, readonly Cell[]>;
  marks: Marks;
  /** Makes cell anchors unique on a page showing several reports (escaped). */
  anchorPrefix: string;
  /** Cells the layout showed (the others are listed under the table). */
  placed: Set<Cell>;
}

const fnv1a = (key: string): string => {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
};

/** A place in a table: the cell's key and the hash its anchor ends with. */
interface Slot {
  table: string;
  row: string;
  col: string;
  key: string;
  hash: string;
}

/** Slots by key: a few hundred template keys, plus printed sub-rows (bounded). */
const slots = new Map<string, Slot>();

function slotOf(table: string, row: string, col: string): Slot {
  const key = cellKey(table, row, col);
  let s = slots.get(key);
  if (!s) {
    if (slots.size > 50_000) slots.clear();
    s = { table, row, col, key, hash: fnv1a(key) };
    slots.set(key, s);
  }
  return s;
}

/** The anchor id of a cell (hashed, FNV-1a: keys may hold any printed label). */
export function cellAnchor(prefix: string, table: string, row: string, col: string): string {
  return `${prefix}-${slotOf(table, row, col).hash}`;
}

interface Span {
  text: string;
  colspan?: number;
  rowspan?: number;
}

/** Markup is built as text here (a page has hundreds of cells); every value goes through `escapeHtml`. */
function thText(s: Span, cls = ''): string {
  return `<th${s.colspan && s.colspan > 1 ? ` colspan="${s.colspan}"` : ''}${s.rowspan && s.rowspan > 1 ? ` rowspan="${s.rowspan}"` : ''}${
    cls ? ` class="${escapeHtml(cls)}"` : ''
  }>${escapeHtml(s.text)}</th>`;
}

/** Appends the cell's markup to `out`. A plain number cell carries no class (the default style). */
function td(out: string[], ctx: TableContext, slot: Slot, colspan = 1): void {
  const cell = ctx.cells.get(slot.key);
  const mark = ctx.marks.size ? ctx.marks.get(slot.key) : undefined;
  // what the cell shows, its class and its tooltip (constant texts: nothing to escape)
  let text: string;
  let cls: string;
  let title: string;
  if (!cell) {
    text = '';
    cls = 'absent';
    title = '表中没有这一格';
  } else {
    ctx.placed.add(cell);
    const raw = cell.raw === null ? '' : cell.raw.trim();
    if (cell.kind === 'blank') {
      text = raw || '空';
      cls = 'blank';
      title = '空白（按 0 计）';
    } else if (cell.kind === 'text') {
      text = raw;
      cls = 'text';
      title = '不是数字';
    } else if (cell.kind === 'derived') {
      text = formatNumber(cell.value);
      cls = 'derived';
      title = '未印出，由分项合计得出';
    } else {
      text = raw || formatNumber(cell.value);
      cls = '';
      title = '';
    }
  }
  text = escapeHtml(text);
  out.push('<td id="', ctx.anchorPrefix, '-', slot.hash);
  if (!mark) {
    if (cls) out.push('" class="', cls);
    out.push(colspan > 1 ? `" colspan="${colspan}"` : '"', title ? ` title="${title}">` : '>', text, '</td>');
    return;
  }
  cls = `${cls ? `${cls} ` : ''}${mark.pointed ? 'hit' : 'involved'} sev-${mark.severity}`;
  for (const note of mark.notes) if (note) title = title ? `${title}\n${note}` : note;
  let content = text;
  // "8 → 应为 9" only where the cell holds the published value the rule found wrong (a NARR
  // finding's `actual` is the prose's number, not the cell's)
  if (mark.wording && mark.expected !== null && cell?.value === mark.actual) {
    const expected = escapeHtml(`${mark.wording.label} ${formatNumber(mark.expected)}`);
    content = mark.wording.arrow
      ? `<span class="pub">${text}</span><span class="arrow">→</span><span class="exp">${expected}</span>`
      : `${text}<span class="was">（${expected}）</span>`;
  }
  out.push(
    '" class="',
    escapeHtml(cls),
    colspan > 1 ? `" colspan="${colspan}"` : '"',
    title ? ` title="${escapeHtml(title)}">` : '>',
    content,
    '<sup class="tag">',
    escapeHtml(mark.findingIds.join(' ')),
    '</sup></td>',
  );
}

// ---------------------------------------------------------------- T3
function splitGroupLabel(label: string): [string, string] {
  const i = label.indexOf(' ');
  return i < 0 ? [label, ''] : [label.slice(0, i), label.slice(i + 1)];
}

interface LayoutRow {
  /** The row's label cells, as markup. */
  labels: string;
  slots: Slot[];
}

/** T3's rows as printed: they depend on the version and on which printed subtotals the report has. */
function t3Layout(version: TemplateVersion, hasSubtotal: (key: string) => boolean): LayoutRow[] {
  const rows = T3_ROWS.filter((r) => r.versions.includes(version));
  const results: { key: string; labels: Span[] }[] = [];
  const resultDefs = rows.filter((r) => !['new_received', 'carried_over', 'carried_forward'].includes(r.key));
  for (let i = 0; i < resultDefs.length; i++) {
    const r = resultDefs[i];
    const members = r.group ? resultDefs.filter((m) => m.group === r.group) : [r];
    if (members.length <= 1) {
      results.push({ key: r.key, labels: [{ text: r.label, colspan: 2 }] });
      continue;
    }
    if (members[0] !== r) continue;
    const subtotal = T3_GROUP_SUBTOTALS.find((s) => s.group === r.group && hasSubtotal(s.key));
    const groupRows = [
      ...(subtotal ? [{ key: subtotal.key, item: '小计' }] : []),
      ...members.map((m) => ({ key: m.key, item: splitGroupLabel(m.label)[1] })),
    ];
    groupRows.forEach((g, j) =>
      results.push({
        key: g.key,
        labels:
          j === 0
            ? [{ text: splitGroupLabel(r.label)[0], rowspan: groupRows.length }, { text: g.item }]
            : [{ text: g.item }],
      }),
    );
  }
  if (results.length > 0) results[0].labels.unshift({ text: '三、本年度办理结果', rowspan: results.length });
  const top = (key: string) => ({ key, labels: [{ text: rows.find((r) => r.key === key)?.label ?? key, colspan: 3 }] });
  return [top('new_received'), top('carried_over'), ...results, top('carried_forward')].map((r) => ({
    labels: r.labels.map((l) => thText(l, 'label')).join(''),
    slots: T3_COLUMNS.map((c) => slotOf('T3', r.key, c.key)),
  }));
}

const t3Layouts = new Map<string, LayoutRow[]>();
const T3_SUBTOTAL_SLOTS = T3_GROUP_SUBTOTALS.map((s) => ({
  key: s.key,
  slots: T3_COLUMNS.map((c) => cellKey('T3', s.key, c.key)),
}));

const T3_HEAD = `<thead><tr><th colspan="3" rowspan="3" class="corner">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</th><th colspan="7">申请人情况</th></tr>
<tr>${thText({ text: T3_COLUMNS[0].label, rowspan: 2 })}<th colspan="5">法人或其他组织</th>${thText({ text: T3_COLUMNS[6].label, rowspan: 2 })}</tr>
<tr>${T3_COLUMNS.slice(1, 6)
  .map((c) => thText({ text: c.label }))
  .join('')}</tr></thead>`;

function renderT3(ctx: TableContext, version: TemplateVersion): string {
  const present = T3_SUBTOTAL_SLOTS.filter((s) => s.slots.some((k) => ctx.cells.has(k))).map((s) => s.key);
  const layoutKey = `${version}|${present.join(',')}`;
  let layout = t3Layouts.get(layoutKey);
  if (!layout) {
    layout = t3Layout(version, (key) => present.includes(key));
    t3Layouts.set(layoutKey, layout);
  }
  const out = ['<table class="grid t3">', T3_HEAD, '<tbody>'];
  for (const r of layout) {
    out.push('<tr>', r.labels);
    for (const slot of r.slots) td(out, ctx, slot);
    out.push('</tr>');
  }
  out.push('</tbody></table>');
  return out.join('');
}

// ---------------------------------------------------------------- T4
const T4_HEAD = `<thead><tr>${thText({ text: T4_ROWS[0].label, colspan: 5 })}<th colspan="10">行政诉讼</th></tr>
<tr>${T4_COLUMNS.map((c) => thText({ text: c.label, rowspan: 2 })).join('')}<th colspan="5">未经复议直接起诉</th><th colspan="5">复议后起诉</th></tr>
<tr>${[T4_ROWS[1], T4_ROWS[2]].map(() => T4_COLUMNS.map((c) => thText({ text: c.label })).join('')).join('')}</tr></thead>`;
const T4_SLOTS = T4_ROWS.flatMap((r) => T4_COLUMNS.map((c) => slotOf('T4', r.key, c.key)));

function renderT4(ctx: TableContext): string {
  const out = ['<table class="grid t4">', T4_HEAD, '<tbody><tr>'];
  for (const slot of T4_SLOTS) td(out, ctx, slot);
  out.push('</tr></tbody></table>');
  return out.join('');
}

// ---------------------------------------------------------------- T2
const T2_SECTIONS: readonly { title: string; rows: readonly string[] }[] = [
  { title: '第二十条第（一）项', rows: ['regulations', 'normative_docs'] },
  { title: '第二十条第（五）项', rows: ['licensing', 'other_services'] },
  { title: '第二十条第（六）项', rows: ['punishment', 'coercion'] },
  { title: '第二十条第（八）项', rows: ['fees'] },
  { title: '第二十条第（九）项', rows: ['procurement'] },
];
const T2_VALUE_COLUMNS = 3;

function t2ValueCells(out: string[], ctx: TableContext, row: string, cols: readonly string[]): void {
  for (let i = 0; i < cols.length; i++)
    td(out, ctx, slotOf('T2', row, cols[i]), i === cols.length - 1 ? T2_VALUE_COLUMNS - cols.length + 1 : 1);
}

/** Each section of T2 with its heading rows (markup) for a version. */
const t2Sections = new Map<TemplateVersion, { head: string; rows: RowDef[]; cols: readonly string[] }[]>();

function t2SectionsOf(version: TemplateVersion) {
  let sections = t2Sections.get(version);
  if (sections) return sections;
  const defs = T2_ROWS[version];
  const colLabel = (k: string) => T2_COLUMNS[version].find((c) => c.key === k)?.label ?? k;
  sections = [];
  for (const section of T2_SECTIONS) {
    const rows = defs.filter((d) => section.rows.includes(d.key));
    if (rows.length === 0) continue;
    const cols = rows[0].cols ?? [];
    const head = `<tr class="section"><th colspan="${2 + T2_VALUE_COLUMNS}">${escapeHtml(section.title)}</th></tr><tr><th colspan="2">信息内容</th>${cols
      .map((c, i) =>
        thText({ text: colLabel(c), colspan: i === cols.length - 1 ? T2_VALUE_COLUMNS - cols.length + 1 : 1 }),
      )
      .join('')}</tr>`;
    sections.push({ head, rows: [...rows], cols });
  }
  t2Sections.set(version, sections);
  return sections;
}

/**
 * The printed sub-rows of 其他对外管理服务事项 (their keys, in printed order), or null when the
 * report has none, as most have: apart from renderT2, whose compiled code had met empty lists
 * mostly and was thrown away at each report that had some (docs/performance.md).
 */
function otherServiceRows(cells: readonly Cell[]): string[] | null {
  let found: Cell[] | null = null;
  for (const c of cells) if (c.row_key.startsWith(OTHER_SERVICES_PREFIX)) (found ??= []).push(c);
  if (found === null) return null;
  return found
    .sort((a, b) => (a.grid_row ?? 0) - (b.grid_row ?? 0) || a.row_key.localeCompare(b.row_key))
    .map((c) => c.row_key)
    .filter((k, i, all) => all.indexOf(k) === i);
}

function renderT2(ctx: TableContext, version: TemplateVersion): string {
  const subRows = otherServiceRows(ctx.byTable.get('T2') ?? []);
  const out = ['<table class="grid t2"><tbody>'];
  for (const section of t2SectionsOf(version)) {
    out.push(section.head);
    for (const r of section.rows) {
      const rowCols = r.cols ?? section.cols;
      if (r.key === 'other_services' && subRows !== null) {
        const hasTotal = rowCols.some((c) => ctx.cells.has(cellKey('T2', r.key, c)));
        const lines = [
          ...(hasTotal ? [{ key: r.key, label: '合计' }] : []),
          ...subRows.map((k) => ({ key: k, label: k.slice(OTHER_SERVICES_PREFIX.length) })),
        ];
        lines.forEach((l, j) => {
          out.push(
            '<tr>',
            j === 0 ? thText({ text: r.label, rowspan: lines.length }, 'label') : '',
            thText({ text: l.label }, 'label'),
          );
          t2ValueCells(out, ctx, l.key, rowCols);
          out.push('</tr>');
        });
      } else {
        out.push('<tr>', thText({ text: r.label, colspan: 2 }, 'label'));
        t2ValueCells(out, ctx, r.key, rowCols);
        out.push('</tr>');
      }
    }
  }
  out.push('</tbody></table>');
  return out.join('');
}

// ---------------------------------------------------------------- any table
/** Cells the layout had no place for (an unexpected key), listed so none is hidden. */
function renderUnplaced(ctx: TableContext, table: string): string {
  const all = ctx.byTable.get(table) ?? [];
  if (all.every((c) => ctx.placed.has(c))) return '';
  const out = [
    '<p class="note">模板之外的单元格：</p><table class="grid extra"><tr><th>行</th><th>列</th><th>值</th></tr>',
  ];
  for (const c of all.filter((x) => !ctx.placed.has(x))) {
    out.push('<tr><th class="label">', escapeHtml(c.row_key), '</th><th>', escapeHtml(c.col_key), '</th>');
    td(out, ctx, slotOf(table, c.row_key, c.col_key));
    out.push('</tr>');
  }
  out.push('</table>');
  return out.join('');
}

export interface TableInput {
  cells: ReadonlyMap<string, Cell>;
  marks: Marks;
  template: string | null;
  anchorPrefix: string;
}

/** The cells of each table, per cells map (a page shows each report's tables once or twice). */
const tablesOf = new WeakMap<ReadonlyMap<string, Cell>, Map<string, Cell[]>>();

function byTable(cells: ReadonlyMap<string, Cell>): Map<string, Cell[]> {
  let m = tablesOf.get(cells);
  if (!m) {
    m = new Map();
    for (const c of cells.values()) {
      const list = m.get(c.table_id);
      if (list) list.push(c);
      else m.set(c.table_id, [c]);
    }
    tablesOf.set(cells, m);
  }
  return m;
}

/** One table (T2, T3 or T4) in the template's layout, or a note when the report has none of it. */
export function renderTable(table: 'T2' | 'T3' | 'T4', input: TableInput): Html {
  const ctx: TableContext = {
    cells: input.cells,
    byTable: byTable(input.cells),
    marks: input.marks,
    anchorPrefix: escapeHtml(input.anchorPrefix),
    placed: new Set(),
  };
  if (!ctx.byTable.has(table)) return trusted('<p class="note missing">本报告没有识别出这张表。</p>');
  const version: TemplateVersion = input.template === '2019' ? '2019' : '2021';
  const grid = table === 'T3' ? renderT3(ctx, version) : table === 'T4' ? renderT4(ctx) : renderT2(ctx, version);
  return trusted(`<div class="scroll">${grid}</div>${renderUnplaced(ctx, table)}`);
}

export const TABLE_ORDER = ['T3', 'T4', 'T2'] as const;

export function tableTitle(table: string): string {
  return `${table} ${TABLE_ZH[table] ?? ''}`.trim();
}

/** The legend under the tables. */
export function tableLegend(): Html {
  return LEGEND;
}

const LEGEND = html`<p class="legend">${join(
  ['error', 'warning', 'info'].map((s) => html`<span class="hit sev-${s} swatch">${severityZh(s)}</span>`),
  ' ',
)} 发现所指的单元格（“8 → 应为 9”：印出 8，按规则应为 9） · <span class="involved sev-error swatch">4</span> 参与计算的单元格 · <span class="swatch blank">空</span> 空白格（按 0 计） · <span class="swatch derived">12</span> 未印出、合计得出 · <span class="swatch text">文字</span> 不是数字 · <span class="swatch absent"></span> 表中缺这一格</p>`;
