/**
 * The summary page: what the run read, the reports by year and format version, the findings by
 * severity, rule and agency, every finding (filterable), every report, and every document that
 * could not be read completely, so nothing disappears silently.
 */
import type { RunSummary } from '../summary.js';
import type { AuditData, ShownFinding } from './audit-data.js';
import { findingRow, ruleTitle } from './finding-view.js';
import { counter, filterBar } from './filters.js';
import { html, type Html } from './html.js';
import { severityZh, statusZh, templateZh } from './labels.js';
import { renderPage, tokens } from './page.js';
import type { Review } from './reviews.js';

export interface IndexPageInput {
  data: AuditData;
  summary: RunSummary;
  staleReviews: readonly Review[];
  reviewsFile: string;
}

const SEVERITIES = ['error', 'warning', 'info'];

function card(n: number | string, label: string, cls = ''): Html {
  return html`<div class="card ${cls}"><div class="n">${n}</div><div class="k">${label}</div></div>`;
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) m.set(key(it), (m.get(key(it)) ?? 0) + 1);
  return m;
}

function runCards(s: RunSummary, data: AuditData, counted: readonly ShownFinding[], dismissed: number): Html {
  const bySev = countBy(counted, (f) => f.finding.severity);
  const docs = data.groups.reduce((n, g) => n + g.docs.length, 0);
  return html`<div class="cards">
${card(s.seen, '本次读取的文件')}${card(s.new, '新文件')}${card(s.unchanged, '未变化（沿用）')}${s.reprocessed ? card(s.reprocessed, '重新识别') : ''}
${card(s.failed.length, '读取失败', s.failed.length ? 'error' : '')}${card(s.partial.length, '部分识别', s.partial.length ? 'warning' : '')}
</div><div class="cards">
${card(data.groups.length, `份报告（${docs} 个文件）`)}
${SEVERITIES.map((sev) => card(bySev.get(sev) ?? 0, `${severityZh(sev)}`, sev))}
${card(dismissed, '已排除（不计入）')}
</div>`;
}

function byYearAndTemplate(data: AuditData): Html {
  const templates = [...new Set(data.groups.map((g) => g.template ?? ''))].sort();
  const years = [...new Set(data.groups.map((g) => (g.year === null ? '' : String(g.year))))].sort();
  const count = (y: string, t: string) => data.groups.filter((g) => (g.year === null ? '' : String(g.year)) === y && (g.template ?? '') === t).length;
  return html`<table class="list"><tr><th>统计年度</th>${templates.map((t) => html`<th>${templateZh(t || null)}</th>`)}<th>合计</th></tr>${years.map(
    (y) => html`<tr><td>${y || '年度不明'}</td>${templates.map((t) => html`<td class="n">${count(y, t) || ''}</td>`)}<td class="n">${templates.reduce((n, t) => n + count(y, t), 0)}</td></tr>`,
  )}</table><p class="note">按报告计：同一机构、年度、数字相同的多个文件算一份。</p>`;
}

function byRule(data: AuditData, counted: readonly ShownFinding[]): Html {
  const rules = countBy(counted, (f) => f.finding.rule_id);
  const rows = [...rules.entries()].sort(
    (a, b) => SEVERITIES.indexOf(data.rules.get(a[0])?.severity ?? '') - SEVERITIES.indexOf(data.rules.get(b[0])?.severity ?? '') || b[1] - a[1],
  );
  if (rows.length === 0) return html`<p class="muted">没有发现。</p>`;
  return html`<table class="list"><tr><th>规则</th><th>说明</th><th>严重程度</th><th>发现</th></tr>${rows.map(([id, n]) => {
    const sev = counted.find((f) => f.finding.rule_id === id)!.finding.severity;
    return html`<tr><td><code>${id}</code></td><td>${ruleTitle(data, id)}</td><td><span class="badge ${sev}">${severityZh(sev)}</span></td><td class="n">${n}</td></tr>`;
  })}</table>`;
}

function topAgencies(data: AuditData, counted: readonly ShownFinding[]): Html {
  const per = new Map<string, Record<string, number>>();
  for (const f of counted) {
    const agency = data.groupById.get(f.group_id)?.agency ?? '（机构不明）';
    const row = per.get(agency) ?? {};
    row[f.finding.severity] = (row[f.finding.severity] ?? 0) + 1;
    per.set(agency, row);
  }
  const rows = [...per.entries()]
    .filter(([, r]) => (r.error ?? 0) + (r.warning ?? 0) > 0)
    .sort((a, b) => (b[1].error ?? 0) - (a[1].error ?? 0) || (b[1].warning ?? 0) - (a[1].warning ?? 0) || a[0].localeCompare(b[0], 'zh'))
    .slice(0, 15);
  if (rows.length === 0) return html`<p class="muted">没有错误或警告。</p>`;
  return html`<table class="list"><tr><th>机构</th><th>错误</th><th>警告</th><th>提示</th></tr>${rows.map(
    ([agency, r]) => html`<tr><td>${agency}</td><td class="n">${r.error ?? 0}</td><td class="n">${r.warning ?? 0}</td><td class="n">${r.info ?? 0}</td></tr>`,
  )}</table>`;
}

function findingsTable(list: readonly ShownFinding[], data: AuditData, group: string): Html {
  return html`<table class="list wide" id="${group}-table"><thead><tr><th>严重程度</th><th>规则</th><th>机构</th><th>年度</th><th>位置</th><th>说明</th><th></th></tr></thead><tbody>${list.map(
    (f) => findingRow(f, data),
  )}</tbody></table>`;
}

function reportsTable(data: AuditData): Html {
  return html`<table class="list wide"><thead><tr><th>机构</th><th>年度</th><th>格式版本</th><th>状态</th><th>错误</th><th>警告</th><th>提示</th><th>来源文件</th><th></th></tr></thead><tbody>${data.groups.map((g) => {
    const active = g.findings.filter((f) => !f.dismissed);
    const n = (sev: string) => active.filter((f) => f.finding.severity === sev).length;
    const sources = g.docs.flatMap((d) => d.sources.map((s) => s.source));
    return html`<tr data-row="report" data-agency="${tokens([g.agency])}" data-year="${tokens([g.year])}" data-sev="${tokens(active.map((f) => f.finding.severity))}" data-rule="${tokens(active.map((f) => f.finding.rule_id))}">
<td>${g.agency ?? '（机构不明）'}</td><td class="n">${g.year ?? ''}</td><td>${templateZh(g.template)}</td><td><span class="badge ${g.status}">${statusZh(g.status)}</span></td>
<td class="n">${n('error') || ''}</td><td class="n">${n('warning') || ''}</td><td class="n">${n('info') || ''}</td>
<td>${sources.map((s, i) => html`${i ? html`<br>` : ''}<span class="muted">${s}</span>`)}</td><td><a href="reports/${g.id}.html">打开</a></td></tr>`;
  })}</tbody></table>`;
}

/** Failed and partial documents, from the warehouse and from this run (a file that could not even be read). */
function problemDocuments(data: AuditData, s: RunSummary): Html {
  const rows: { source: string; status: string; error: string; group: string | null }[] = [];
  const known = new Set<string>();
  for (const g of data.groups) {
    for (const d of g.docs) {
      for (const src of d.sources) known.add(src.source);
      if (d.status === 'ok') continue;
      for (const src of d.sources) rows.push({ source: src.source, status: d.status, error: d.error ?? '', group: g.id });
    }
  }
  for (const f of s.failed) if (!known.has(f.source)) rows.push({ source: f.source, status: 'failed', error: f.error, group: null });
  if (rows.length === 0) return html`<p class="muted">所有文件都已完整识别。</p>`;
  rows.sort((a, b) => (a.status === b.status ? a.source.localeCompare(b.source) : a.status === 'failed' ? -1 : 1));
  return html`<table class="list wide"><tr><th>文件</th><th>状态</th><th>原因</th><th></th></tr>${rows.map(
    (r) => html`<tr><td>${r.source}</td><td><span class="badge ${r.status}">${statusZh(r.status)}</span></td><td>${r.error}</td><td>${r.group ? html`<a href="reports/${r.group}.html">打开</a>` : ''}</td></tr>`,
  )}</table>`;
}

function staleReviewsBlock(stale: readonly Review[]): Html {
  if (stale.length === 0) return html``;
  return html`<h2 id="stale">不再适用的审核记录（${stale.length}）</h2>
<p class="muted">这些审核记录对应的发现本次已不存在：报告已更正，或相关数字已变化（发现的指纹随数字变化），需要重新审核。</p>
<table class="list"><tr><th>行</th><th>指纹</th><th>结论</th><th>说明</th><th>审核人</th><th>日期</th></tr>${stale.map(
    (r) => html`<tr><td class="n">${r.line}</td><td class="fp">${r.fingerprint}</td><td>${r.decision === 'dismissed' ? '排除' : '确认'}</td><td>${r.note ?? ''}</td><td>${r.reviewer ?? ''}</td><td>${r.date ?? ''}</td></tr>`,
  )}</table>`;
}

export function renderIndexPage(p: IndexPageInput): string {
  const { data, summary } = p;
  const counted = data.findings.filter((f) => !f.dismissed);
  const dismissed = data.findings.filter((f) => f.dismissed);
  const agencies = [...new Set(data.groups.map((g) => g.agency).filter((a): a is string => !!a))].sort((a, b) => a.localeCompare(b, 'zh'));
  const years = [...new Set(data.groups.map((g) => g.year).filter((y): y is number => y !== null))].sort();
  const rules = [...new Set(data.findings.map((f) => f.finding.rule_id))].sort().map((id) => ({ id, title: ruleTitle(data, id) }));
  const when = (summary.endedAt ?? new Date()).toISOString().replace('T', ' ').slice(0, 19);
  const body = html`<nav class="toc"><a href="#summary">运行概况</a><a href="#findings">全部发现</a><a href="#reports">报告一览</a><a href="#problems">未完整识别的文件</a>${
    dismissed.length ? html`<a href="#dismissed">已排除</a>` : ''
  }<a href="#review">如何审核</a></nav>
<h2 id="summary">运行概况</h2>
${runCards(summary, data, counted, dismissed.length)}
<div class="cols">
<div><h3>报告：按统计年度和格式版本</h3>${byYearAndTemplate(data)}</div>
<div><h3>发现：按规则</h3>${byRule(data, counted)}</div>
<div><h3>错误最多的机构</h3>${topAgencies(data, counted)}</div>
</div>
${filterBar({ severities: SEVERITIES.filter((s) => data.findings.some((f) => f.finding.severity === s)), rules, agencies, years })}
<h2 id="findings">全部发现（${counted.length}）${counter('finding')}</h2>
${counted.length ? findingsTable(counted, data, 'finding') : html`<p class="muted">没有发现。</p>`}
<h2 id="reports">报告一览（${data.groups.length}）${counter('report')}</h2>
${reportsTable(data)}
<h2 id="problems">未完整识别的文件</h2>
${problemDocuments(data, summary)}
${dismissed.length ? html`<h2 id="dismissed">已排除的发现（${dismissed.length}）${counter('dismissed')}</h2><p class="muted">审核人在 reviews.csv 中排除的发现，不计入上面的统计。</p>${findingsTable(dismissed, data, 'dismissed')}` : ''}
${staleReviewsBlock(p.staleReviews)}
<h2 id="review">如何审核</h2>
<p>每条发现都有一个指纹（报告页上每条发现的右上角）。在 <code>${p.reviewsFile}</code> 中为它加一行：
<code>fingerprint,decision,note,reviewer,date</code>，decision 填 <code>confirmed</code>（确认）或 <code>dismissed</code>（排除）。
下次运行时读入：排除的发现单独列出、不计入统计；报告数字变化后，发现会得到新的指纹，旧的审核结论不再适用。</p>
<p class="muted">导出：<a href="anomalies.csv">anomalies.csv</a> · <a href="anomalies.json">anomalies.json</a> · <a href="reports.csv">reports.csv</a></p>`;
  return renderPage({
    title: '政府信息公开工作年度报告 · 统计表核查',
    subtitle: html`运行 ${summary.runId} · ${when} UTC · 输入 ${summary.input}`,
    body,
  });
}
