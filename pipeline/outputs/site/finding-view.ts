/** One finding as an auditor reads it: message, arithmetic, evidence sentence, review. */
import {
  cellKey,
  cellsOf,
  type AuditData,
  type Cell,
  type Finding,
  type ReportGroup,
  type ShownFinding,
} from './audit-data.js';
import { escapeHtml, html, type Html } from './html.js';
import { cellLabel, formatNumber, severityZh, yearZh } from './labels.js';
import { tokens } from './page.js';
import { cellAnchor } from './tables.js';
import { wordingOf } from './wording.js';

interface Operand {
  table_id?: string;
  row_key?: string;
  col_key?: string;
  report_id?: string;
  value?: number | null;
  raw?: string | null;
  kind?: string;
  sentence?: string;
  [k: string]: unknown;
}

const isObject = (v: unknown): v is Operand => !!v && typeof v === 'object' && !Array.isArray(v);

function operandList(operands: unknown): Operand[] {
  if (Array.isArray(operands)) return operands.filter(isObject);
  if (isObject(operands)) {
    const nested = ['operands', 'cells', 'terms'].map((k) => operands[k]).find(Array.isArray) as unknown[] | undefined;
    return [operands, ...(nested ?? []).filter(isObject)];
  }
  return [];
}

/**
 * Every report a finding names: its own, the one it compares with, and those of its cells and
 * operands. Pushed one by one: spreading lists that are often empty (an array of another shape to
 * V8) threw its compiled code away 5 times in a run of 2,000 pages (docs/performance.md).
 */
export function reportsNamedBy(f: Finding): string[] {
  const ids: string[] = [];
  if (typeof f.report_id === 'string') ids.push(f.report_id);
  if (typeof f.related_report_id === 'string') ids.push(f.related_report_id);
  for (const c of f.cells) if (typeof c.report_id === 'string') ids.push(c.report_id);
  for (const o of operandList(f.operands)) if (typeof o.report_id === 'string') ids.push(o.report_id);
  return ids;
}

/** The prose sentence a NARR finding is about, wherever the operands JSON keeps it. */
export function evidenceSentence(f: Finding): string | null {
  for (const o of operandList(f.operands)) {
    for (const k of ['sentence', 'evidence', 'text']) if (typeof o[k] === 'string' && o[k]) return o[k] as string;
  }
  return null;
}

function templateOf(data: AuditData, reportId: string): string | null {
  return data.groupById.get(data.groupOf.get(reportId) ?? reportId)?.template ?? null;
}

/** What an operand's kind says about its value (kind 'parts': a blank 总计 counted as its applicant columns' sum). */
const OPERAND_NOTES: Readonly<Record<string, string>> = {
  blank: '（空白，按 0 计）',
  text: '（不是数字）',
  derived: '（未印出，合计得出）',
  parts: '（总计留空，按各申请人之和计）',
};

function operandItems(f: Finding, data: AuditData): Html[] {
  const ownGroup = data.groupOf.get(f.report_id) ?? f.report_id;
  return operandList(f.operands)
    .filter((o) => typeof o.table_id === 'string' && typeof o.row_key === 'string')
    .map((o) => {
      const rid = typeof o.report_id === 'string' ? o.report_id : f.report_id;
      const otherGroup = data.groupOf.get(rid) ?? rid;
      const other = otherGroup !== ownGroup ? data.groupById.get(otherGroup) : undefined;
      const value =
        typeof o.raw === 'string' && o.raw.trim() !== ''
          ? o.raw.trim()
          : formatNumber(typeof o.value === 'number' ? o.value : null);
      const note = OPERAND_NOTES[o.kind ?? ''] ?? '';
      return html`<li>${other ? `${yearZh(other.year)}：` : ''}${cellLabel(o.table_id!, o.row_key!, o.col_key ?? null, templateOf(data, rid))} = <b>${value}</b>${note}</li>`;
    });
}

/** The cell a finding points at, as its report prints it (when the report's cells are read). */
function pointedCell(f: Finding, group: ReportGroup | undefined): Cell | undefined {
  if (!group || !f.table_id || !f.row_key || !f.col_key || (!group.cells && !group.cellsJson)) return undefined;
  return cellsOf(group).get(cellKey(f.table_id, f.row_key, f.col_key));
}

function calculation(f: Finding, group: ReportGroup | undefined): Html {
  const template = group?.template ?? null;
  const where = f.table_id ? html`位置：${cellLabel(f.table_id, f.row_key, f.col_key, template)}。` : '';
  // a count or a value alone (blank cells, differing cells…) is in the message already
  const w = wordingOf(f.rule_id, f.table_id);
  if (!w || f.expected === null || f.actual === null) return where ? html`<div class="calc">${where}</div>` : html``;
  const diff = f.actual - f.expected;
  // a total the publisher left blank reads as such, not as a printed 0
  const blank = w.actual === '印为' && pointedCell(f, group)?.kind === 'blank';
  if (blank)
    return html`<div class="calc">${where}留空（按 0 计），${w.expected} <span class="exp">${formatNumber(f.expected)}${w.suffix}</span></div>`;
  return html`<div class="calc">${where}${w.actual} <span class="pub">${formatNumber(f.actual)}${w.suffix}</span>，${w.expected} <span class="exp">${formatNumber(f.expected)}${w.suffix}</span>${
    w.difference && diff !== 0 ? `（相差 ${diff > 0 ? '+' : ''}${formatNumber(diff)}）` : ''
  }</div>`;
}

function reviewLine(s: ShownFinding): Html {
  if (!s.finding.review_decision) return html``;
  const who = s.review ? [s.review.reviewer, s.review.date].filter(Boolean).join('，') : '';
  const label = s.finding.review_decision === 'dismissed' ? '已排除' : '已确认';
  return html`<div class="review"><span class="badge ${s.finding.review_decision}">${label}</span> ${s.finding.review_note ?? ''}${who ? `（${who}）` : ''}</div>`;
}

/** Where in the tables of `pageGroup` the finding's first cell is (for "在表中查看"). */
function firstCellAnchor(s: ShownFinding, data: AuditData, pageGroup: string): string | null {
  const f = s.finding;
  const refs = [
    ...(f.table_id && f.row_key && f.col_key
      ? [{ table_id: f.table_id, row_key: f.row_key, col_key: f.col_key, report_id: f.report_id }]
      : []),
    ...f.cells,
  ];
  const hit = refs.find((c) => (data.groupOf.get(c.report_id ?? f.report_id) ?? c.report_id) === pageGroup);
  return hit ? cellAnchor('g', hit.table_id, hit.row_key, hit.col_key) : null;
}

export function ruleTitle(data: AuditData, ruleId: string): string {
  return data.rules.get(ruleId)?.title_zh ?? '';
}

/** A finding as a card on a report page. */
export function findingCard(s: ShownFinding, data: AuditData, pageGroup: string, rowGroup = 'finding'): Html {
  const f = s.finding;
  const group = data.groupById.get(s.group_id);
  const related = s.related_group_id ? data.groupById.get(s.related_group_id) : undefined;
  const anchor = firstCellAnchor(s, data, pageGroup);
  const sentence = evidenceSentence(f);
  const ops = operandItems(f, data);
  const aboutOther = s.group_id !== pageGroup && group;
  const relatedLink =
    related && related.id !== pageGroup
      ? html`<div class="muted">对照：<a href="${related.id}.html">${related.agency ?? ''} ${yearZh(related.year)}报告${
          related.year === group?.year ? `（${related.label}）` : ''
        }</a></div>`
      : aboutOther
        ? html`<div class="muted">本发现属于 <a href="${group.id}.html#${s.label}">${group.agency ?? ''} ${yearZh(group.year)}报告</a></div>`
        : '';
  return html`<div class="finding ${f.severity}${s.dismissed ? ' dismissed' : ''}" id="${s.label}" data-row="${rowGroup}" data-sev="${tokens([f.severity])}" data-rule="${tokens([f.rule_id])}">
<div class="head"><span class="badge ${f.severity}">${severityZh(f.severity)}</span> <code>${f.rule_id}</code> <span>${ruleTitle(data, f.rule_id)}</span>${
    anchor ? html` <a href="#${anchor}">在表中查看</a>` : ''
  } <span class="fp" title="reviews.csv 中使用的指纹">${s.label} · ${f.fingerprint}</span></div>
<div class="msg">${f.message}</div>
${calculation(f, group)}
${sentence ? html`<blockquote class="sentence">${sentence}</blockquote>` : ''}
${ops.length ? html`<details class="ops"${ops.length <= 6 ? html` open` : ''}><summary>参与计算的单元格（${ops.length}）</summary><ul class="ops">${ops}</ul></details>` : ''}
${f.blank_involved ? html`<div class="muted">计算中有空白格（按 0 计）；空白也可能是漏填。</div>` : ''}
${relatedLink}
${group && group.nDocs > 1 ? html`<div class="muted">本报告有 ${group.nDocs} 份来源文件（数字相同），此发现只计一次。</div>` : ''}
${reviewLine(s)}
</div>`;
}

/** A finding as a row of the summary's table (compact: the table's CSS styles its columns). */
export function findingRow(s: ShownFinding, data: AuditData, rowGroup?: string): string {
  const f = s.finding;
  const g = data.groupById.get(s.group_id);
  const related = s.related_group_id ? data.groupById.get(s.related_group_id) : undefined;
  const where = f.table_id ? cellLabel(f.table_id, f.row_key, f.col_key, g?.template ?? null) : '';
  const sev = escapeHtml(f.severity);
  const note = s.dismissed && f.review_note ? `<div class="muted">排除理由：${escapeHtml(f.review_note)}</div>` : '';
  return `<tr data-row="${rowGroup ?? (s.dismissed ? 'dismissed' : 'finding')}" data-sev="${escapeHtml(tokens([f.severity]))}" data-rule="${escapeHtml(tokens([f.rule_id]))}" data-agency="${escapeHtml(
    tokens([g?.agency]),
  )}" data-year="${escapeHtml(tokens([g?.year]))}"><td><span class="badge ${sev}">${escapeHtml(severityZh(f.severity))}</span></td><td><code>${escapeHtml(
    f.rule_id,
  )}</code></td><td>${escapeHtml(g?.agency ?? '（机构不明）')}</td><td>${g?.year ?? ''}${related ? escapeHtml(` ↔ ${related.year ?? '?'}`) : ''}</td><td>${escapeHtml(
    where,
  )}</td><td>${escapeHtml(f.message)}${note}</td><td><a href="reports/${escapeHtml(s.group_id)}.html#${escapeHtml(s.label)}">查看</a></td></tr>\n`;
}
