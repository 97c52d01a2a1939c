/** Chinese wording of the pages: severities, statuses, cell positions, numbers. */
import { colLabel, rowLabel, type TableId, type TemplateVersion } from '../../../domain/index.js';

export const SEVERITY_ZH: Record<string, string> = { error: '错误', warning: '警告', info: '提示' };
export const STATUS_ZH: Record<string, string> = { ok: '完整', partial: '部分识别', failed: '失败' };
export const TABLE_ZH: Record<string, string> = {
  T2: '主动公开政府信息情况',
  T3: '收到和处理政府信息公开申请情况',
  T4: '政府信息公开行政复议、行政诉讼情况',
};
export const TEMPLATE_ZH: Record<string, string> = { '2019': '2019 版格式', '2021': '2021 版格式' };

export const severityZh = (s: string): string => SEVERITY_ZH[s] ?? s;
export const statusZh = (s: string): string => STATUS_ZH[s] ?? s;
export const templateZh = (t: string | null): string => (t ? (TEMPLATE_ZH[t] ?? t) : '格式未识别');
export const yearZh = (y: number | null): string => (y === null ? '年度不明' : `${y} 年`);

/** A number as an auditor reads it: integers plain, money to at most 4 decimals. */
export function formatNumber(n: number | null): string {
  if (n === null || !Number.isFinite(n)) return '—';
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(4)));
}

function asTable(t: string): TableId | null {
  return t === 'T2' || t === 'T3' || t === 'T4' ? t : null;
}

function asVersion(t: string | null): TemplateVersion {
  return t === '2019' ? '2019' : '2021';
}

/** "T3 （一）予以公开 · 自然人" */
export function cellLabel(
  table: string | null,
  row: string | null,
  col: string | null,
  template: string | null,
): string {
  const t = table ? asTable(table) : null;
  if (!t) return [table, row, col].filter(Boolean).join(' · ');
  const v = asVersion(template);
  const parts: string[] = [t];
  if (row) parts.push(rowLabel(t, row, v));
  if (col) parts.push(colLabel(t, col, v));
  return parts.join(' · ');
}

/**
 * A figure of a chart's table or a metric: a ratio as a percentage
 * ('pct'), an integer plain, else 3 decimals; '—' when absent.
 */
export function formatValue(v: unknown, format?: 'pct' | 'int'): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v !== 'number') return String(v);
  if (format === 'pct') return `${(v * 100).toFixed(1)}%`;
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}
