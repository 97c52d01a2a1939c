/**
 * Rebuilds T2, T3 and T4 from the warehouse cells in the template's printed layout, with the
 * cells involved in findings highlighted ("8 → 应为 9" on the cell a finding points at).
 */
import {
  OTHER_SERVICES_PREFIX, T2_COLUMNS, T2_ROWS, T3_COLUMNS, T3_GROUP_SUBTOTALS, T3_ROWS, T4_COLUMNS, T4_ROWS,
  type TemplateVersion,
} from '../../extractors/template.js';
import { cellKey, type Cell } from './audit-data.js';
import type { Marks } from './cell-marks.js';
import { html, join, type Html } from './html.js';
import { formatNumber, severityZh, TABLE_ZH } from './labels.js';

interface TableContext {
  cells: ReadonlyMap<string, Cell>;
  marks: Marks;
  /** Makes cell anchors unique on a page showing several reports. */
  anchorPrefix: string;
  placed: Set<string>;
}

/** The anchor id of a cell (hashed, FNV-1a: keys may hold any printed label). */
export function cellAnchor(prefix: string, table: string, row: string, col: string): string {
  const key = cellKey(table, row, col);
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return `${prefix}-${h.toString(36)}`;
}

interface Span {
  text: string;
  colspan?: number;
  rowspan?: number;
}

function th(s: Span, cls = ''): Html {
  return html`<th${s.colspan && s.colspan > 1 ? html` colspan="${s.colspan}"` : ''}${s.rowspan && s.rowspan > 1 ? html` rowspan="${s.rowspan}"` : ''}${cls ? html` class="${cls}"` : ''}>${s.text}</th>`;
}

function shownValue(c: Cell): { text: string; cls: string; title: string } {
  const raw = (c.raw ?? '').trim();
  if (c.kind === 'blank') return { text: raw || '空', cls: 'blank', title: '空白（按 0 计）' };
  if (c.kind === 'text') return { text: raw, cls: 'text', title: '不是数字' };
  if (c.kind === 'derived') return { text: formatNumber(c.value), cls: 'derived', title: '未印出，由分项合计得出' };
  return { text: raw || formatNumber(c.value), cls: 'number', title: '' };
}

function td(ctx: TableContext, table: string, row: string, col: string, colspan = 1): Html {
  const key = cellKey(table, row, col);
  ctx.placed.add(key);
  const cell = ctx.cells.get(key);
  const mark = ctx.marks.get(key);
  const id = cellAnchor(ctx.anchorPrefix, table, row, col);
  const span = colspan > 1 ? html` colspan="${colspan}"` : '';
  const shown = cell ? shownValue(cell) : { text: '', cls: 'absent', title: '表中没有这一格' };
  const cls = [shown.cls, mark ? `${mark.pointed ? 'hit' : 'involved'} sev-${mark.severity}` : ''].filter(Boolean).join(' ');
  const title = [shown.title, ...(mark?.notes ?? [])].filter(Boolean).join('\n');
  let content: Html | string = shown.text;
  // "8 → 应为 9" only where the cell holds the published value the rule found wrong (a NARR
  // finding's `actual` is the prose's number, not the cell's)
  if (mark?.wording && mark.expected !== null && cell?.value === mark.actual) {
    content = mark.wording.arrow
      ? html`<span class="pub">${shown.text}</span><span class="arrow">→</span><span class="exp">${mark.wording.label} ${formatNumber(mark.expected)}</span>`
      : html`${shown.text}<span class="was">（${mark.wording.label} ${formatNumber(mark.expected)}）</span>`;
  }
  const tag = mark ? html`<sup class="tag">${mark.findingIds.join(' ')}</sup>` : '';
  return html`<td id="${id}" class="${cls}"${span}${title ? html` title="${title}"` : ''}>${content}${tag}</td>`;
}

// ---------------------------------------------------------------- T3
function splitGroupLabel(label: string): [string, string] {
  const i = label.indexOf(' ');
  return i < 0 ? [label, ''] : [label.slice(0, i), label.slice(i + 1)];
}

function renderT3(ctx: TableContext, version: TemplateVersion): Html {
  const rows = T3_ROWS.filter((r) => r.versions.includes(version));
  const has = (row: string) => T3_COLUMNS.some((c) => ctx.cells.has(cellKey('T3', row, c.key)));
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
    const subtotal = T3_GROUP_SUBTOTALS.find((s) => s.group === r.group && has(s.key));
    const groupRows = [...(subtotal ? [{ key: subtotal.key, item: '小计' }] : []), ...members.map((m) => ({ key: m.key, item: splitGroupLabel(m.label)[1] }))];
    groupRows.forEach((g, j) =>
      results.push({
        key: g.key,
        labels: j === 0 ? [{ text: splitGroupLabel(r.label)[0], rowspan: groupRows.length }, { text: g.item }] : [{ text: g.item }],
      }),
    );
  }
  if (results.length > 0) results[0].labels.unshift({ text: '三、本年度办理结果', rowspan: results.length });
  const top = (key: string) => ({ key, labels: [{ text: rows.find((r) => r.key === key)?.label ?? key, colspan: 3 }] });
  const layout = [top('new_received'), top('carried_over'), ...results, top('carried_forward')];
  const body = layout.map((r) => html`<tr>${r.labels.map((l) => th(l, 'label'))}${T3_COLUMNS.map((c) => td(ctx, 'T3', r.key, c.key))}</tr>`);
  const head = html`<tr><th colspan="3" rowspan="3" class="corner">（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）</th><th colspan="7">申请人情况</th></tr>
<tr><th rowspan="2">${T3_COLUMNS[0].label}</th><th colspan="5">法人或其他组织</th><th rowspan="2">${T3_COLUMNS[6].label}</th></tr>
<tr>${T3_COLUMNS.slice(1, 6).map((c) => th({ text: c.label }))}</tr>`;
  return html`<table class="grid t3"><thead>${head}</thead><tbody>${body}</tbody></table>`;
}

// ---------------------------------------------------------------- T4
function renderT4(ctx: TableContext): Html {
  const [review, direct, afterReview] = T4_ROWS;
  const head = html`<tr><th colspan="5">${review.label}</th><th colspan="10">行政诉讼</th></tr>
<tr>${T4_COLUMNS.map((c) => th({ text: c.label, rowspan: 2 }))}<th colspan="5">未经复议直接起诉</th><th colspan="5">复议后起诉</th></tr>
<tr>${[direct, afterReview].map(() => T4_COLUMNS.map((c) => th({ text: c.label })))}</tr>`;
  const body = html`<tr>${T4_ROWS.map((r) => T4_COLUMNS.map((c) => td(ctx, 'T4', r.key, c.key)))}</tr>`;
  return html`<table class="grid t4"><thead>${head}</thead><tbody>${body}</tbody></table>`;
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

function t2ValueCells(ctx: TableContext, row: string, cols: readonly string[]): Html[] {
  return cols.map((col, i) => td(ctx, 'T2', row, col, i === cols.length - 1 ? T2_VALUE_COLUMNS - cols.length + 1 : 1));
}

function renderT2(ctx: TableContext, version: TemplateVersion): Html {
  const defs = T2_ROWS[version];
  const colLabel = (k: string) => T2_COLUMNS[version].find((c) => c.key === k)?.label ?? k;
  const subRows = [...ctx.cells.values()]
    .filter((c) => c.table_id === 'T2' && c.row_key.startsWith(OTHER_SERVICES_PREFIX))
    .sort((a, b) => (a.grid_row ?? 0) - (b.grid_row ?? 0) || a.row_key.localeCompare(b.row_key))
    .map((c) => c.row_key)
    .filter((k, i, all) => all.indexOf(k) === i);
  const parts: Html[] = [];
  for (const section of T2_SECTIONS) {
    const rows = defs.filter((d) => section.rows.includes(d.key));
    if (rows.length === 0) continue;
    const cols = rows[0].cols ?? [];
    parts.push(html`<tr class="section"><th colspan="${2 + T2_VALUE_COLUMNS}">${section.title}</th></tr>`);
    parts.push(html`<tr><th colspan="2">信息内容</th>${cols.map((c, i) => th({ text: colLabel(c), colspan: i === cols.length - 1 ? T2_VALUE_COLUMNS - cols.length + 1 : 1 }))}</tr>`);
    for (const r of rows) {
      const rowCols = r.cols ?? cols;
      if (r.key === 'other_services' && subRows.length > 0) {
        const hasTotal = rowCols.some((c) => ctx.cells.has(cellKey('T2', r.key, c)));
        const lines = [...(hasTotal ? [{ key: r.key, label: '合计' }] : []), ...subRows.map((k) => ({ key: k, label: k.slice(OTHER_SERVICES_PREFIX.length) }))];
        lines.forEach((l, j) =>
          parts.push(html`<tr>${j === 0 ? th({ text: r.label, rowspan: lines.length }, 'label') : ''}${th({ text: l.label }, 'label')}${t2ValueCells(ctx, l.key, rowCols)}</tr>`),
        );
      } else {
        parts.push(html`<tr>${th({ text: r.label, colspan: 2 }, 'label')}${t2ValueCells(ctx, r.key, rowCols)}</tr>`);
      }
    }
  }
  return html`<table class="grid t2"><tbody>${parts}</tbody></table>`;
}

// ---------------------------------------------------------------- any table
/** Cells the layout had no place for (an unexpected key), listed so none is hidden. */
function renderUnplaced(ctx: TableContext, table: string): Html {
  const rest = [...ctx.cells.values()].filter((c) => c.table_id === table && !ctx.placed.has(cellKey(c.table_id, c.row_key, c.col_key)));
  if (rest.length === 0) return html``;
  return html`<p class="note">模板之外的单元格：</p><table class="grid extra"><tr><th>行</th><th>列</th><th>值</th></tr>${rest.map(
    (c) => html`<tr><th class="label">${c.row_key}</th><th>${c.col_key}</th>${td(ctx, table, c.row_key, c.col_key)}</tr>`,
  )}</table>`;
}

export interface TableInput {
  cells: ReadonlyMap<string, Cell>;
  marks: Marks;
  template: string | null;
  anchorPrefix: string;
}

/** One table (T2, T3 or T4) in the template's layout, or a note when the report has none of it. */
export function renderTable(table: 'T2' | 'T3' | 'T4', input: TableInput): Html {
  const ctx: TableContext = { cells: input.cells, marks: input.marks, anchorPrefix: input.anchorPrefix, placed: new Set() };
  const present = [...input.cells.values()].some((c) => c.table_id === table);
  if (!present) return html`<p class="note missing">本报告没有识别出这张表。</p>`;
  const version: TemplateVersion = input.template === '2019' ? '2019' : '2021';
  const grid = table === 'T3' ? renderT3(ctx, version) : table === 'T4' ? renderT4(ctx) : renderT2(ctx, version);
  return html`<div class="scroll">${grid}</div>${renderUnplaced(ctx, table)}`;
}

export const TABLE_ORDER = ['T3', 'T4', 'T2'] as const;

export function tableTitle(table: string): string {
  return `${table} ${TABLE_ZH[table] ?? ''}`.trim();
}

/** The legend under the tables. */
export function tableLegend(): Html {
  const sev = ['error', 'warning', 'info'].map((s) => html`<span class="hit sev-${s} swatch">${severityZh(s)}</span>`);
  return html`<p class="legend">${join(sev, ' ')} 发现所指的单元格（“8 → 应为 9”：印出 8，按规则应为 9） · <span class="involved sev-error swatch">4</span> 参与计算的单元格 · <span class="swatch blank">空</span> 空白格（按 0 计） · <span class="swatch derived">12</span> 未印出、合计得出 · <span class="swatch text">文字</span> 不是数字 · <span class="swatch absent"></span> 表中缺这一格</p>`;
}
