/**
 * The summary page (index.html): the run's numbers, the reports by year and template version, the
 * findings by severity, rule and agency, every finding (filterable), every report, and every
 * document that could not be read completely, so nothing disappears silently.
 *
 * Written in pieces as the run goes (`IndexPage`): the lists are streamed to the file a chunk of
 * rows at a time, so the page may hold tens of thousands of rows without the run holding them
 * (of the reports list, only the sources of a report with more than its label, until `finish`).
 * Rows are compact (no per-cell classes; the table's CSS styles its columns).
 */
import type { RunSummary } from '../summary.js';
import {
  defaultCollator,
  zhCollator,
  type AuditData,
  type ReportDoc,
  type ReportGroup,
  type ShownFinding,
} from './audit-data.js';
import type { FileSink } from '../files.js';
import { findingRow, ruleTitle } from './finding-view.js';
import { counter, filterBar } from './filters.js';
import { escapeHtml, html, trusted, type Html } from './html.js';
import { lastCheckedHtml } from '../last-checked.js';
import { cellLabel, severityZh, statusZh, templateZh } from './labels.js';
import { pageShell, tokens } from './page.js';
import { reasonZh } from '../reasons.js';
import type { Review } from '../../rules/index.js';
import type { RunChecks } from '../run-checks.js';

export interface IndexPageInput {
  data: AuditData;
  summary: RunSummary;
  staleReviews: readonly Review[];
  reviewsFile: string;
  /** Documents not read completely (failed or partial), with their sources. */
  problems: readonly ReportDoc[];
  /** Files this run could not read that the warehouse holds (from an earlier run). */
  knownSources: ReadonlySet<string>;
  /** Every rule with what it checked, and the findings new and resolved since the previous run. */
  checks: RunChecks;
  /** The charts, agency pages and metric definitions (overview.ts). */
  overview?: Html;
}

const SEVERITIES = ['error', 'warning', 'info'];
/** Rows rendered before they are handed to the file. */
const ROWS_PER_WRITE = 500;

function card(n: number | string, label: string, cls = ''): Html {
  return html`<div class="card ${cls}"><div class="n">${n}</div><div class="k">${label}</div></div>`;
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) m.set(key(it), (m.get(key(it)) ?? 0) + 1);
  return m;
}

function runCards(
  s: RunSummary,
  data: AuditData,
  counted: readonly ShownFinding[],
  dismissed: number,
  checks: RunChecks,
): Html {
  const bySev = countBy(counted, (f) => f.finding.severity);
  return html`<div class="cards">
${card(s.seen, '本次读取的文件')}${card(s.new, '新文件')}${card(s.unchanged, '未变化（沿用）')}${s.reprocessed ? card(s.reprocessed, '重新识别') : ''}
${card(s.failed.length, '读取失败', s.failed.length ? 'error' : '')}${card(s.partial.length, '部分识别', s.partial.length ? 'warning' : '')}
</div><div class="cards">
${card(data.groups.length, `份报告（${data.documents} 个文件）`)}
${SEVERITIES.map((sev) => card(bySev.get(sev) ?? 0, `${severityZh(sev)}`, sev))}
${card(dismissed, '已排除（不计入）')}
${checks.previousRun ? html`${card(checks.newFindings.length, '新发现（与上次运行相比）')}${card(checks.resolved.length, '已消除')}` : ''}
</div>`;
}

function byYearAndTemplate(data: AuditData): Html {
  const counts = new Map<string, number>();
  const templates = new Set<string>();
  const years = new Set<string>();
  for (const g of data.groups) {
    const y = g.year === null ? '' : String(g.year);
    const t = g.template ?? '';
    templates.add(t);
    years.add(y);
    counts.set(`${y}|${t}`, (counts.get(`${y}|${t}`) ?? 0) + 1);
  }
  const ts = [...templates].sort();
  const count = (y: string, t: string) => counts.get(`${y}|${t}`) ?? 0;
  return html`<table class="list"><tr><th>统计年度</th>${ts.map((t) => html`<th>${templateZh(t || null)}</th>`)}<th>合计</th></tr>${[
    ...years,
  ]
    .sort()
    .map(
      (y) =>
        html`<tr><td>${y || '年度不明'}</td>${ts.map((t) => html`<td class="n">${count(y, t) || ''}</td>`)}<td class="n">${ts.reduce((n, t) => n + count(y, t), 0)}</td></tr>`,
    )}</table><p class="note">按报告计：同一机构、年度、数字相同的多个文件算一份。</p>`;
}

function byRule(data: AuditData, counted: readonly ShownFinding[]): Html {
  const rules = countBy(counted, (f) => f.finding.rule_id);
  const severityOf = new Map<string, string>();
  for (const f of counted)
    if (!severityOf.has(f.finding.rule_id)) severityOf.set(f.finding.rule_id, f.finding.severity);
  const rows = [...rules.entries()].sort(
    (a, b) =>
      SEVERITIES.indexOf(data.rules.get(a[0])?.severity ?? '') -
        SEVERITIES.indexOf(data.rules.get(b[0])?.severity ?? '') || b[1] - a[1],
  );
  if (rows.length === 0) return html`<p class="muted">没有发现。</p>`;
  return html`<table class="list"><tr><th>规则</th><th>说明</th><th>严重程度</th><th>发现</th></tr>${rows.map(
    ([id, n]) => {
      const sev = severityOf.get(id)!;
      return html`<tr><td><code>${id}</code></td><td>${ruleTitle(data, id)}</td><td><span class="badge ${sev}">${severityZh(sev)}</span></td><td class="n">${n}</td></tr>`;
    },
  )}</table>`;
}

/** Every rule of the run: the reports it checked, passed, failed and could not assess. */
function ruleResults(checks: RunChecks): Html {
  if (checks.rules.length === 0) return html`<p class="muted">本次没有运行规则。</p>`;
  return html`<table class="list checks"><thead><tr><th>规则</th><th>说明</th><th>严重程度</th><th>检查的报告</th><th>通过</th><th>有发现</th><th>无法判断</th><th>发现</th></tr></thead><tbody>${checks.rules.map(
    (r) =>
      html`<tr><td><code>${r.rule_id}</code></td><td>${r.title_zh ?? ''}</td><td><span class="badge ${r.severity}">${severityZh(r.severity)}</span></td><td class="n">${r.reports_checked}</td><td class="n">${r.reports_passed}</td><td class="n">${r.reports_failed}</td><td class="n">${r.reports_not_assessable}</td><td class="n">${r.findings}</td></tr>`,
  )}</tbody></table>
<p class="note">按报告计。有发现：该规则对报告有发现（含已排除的）；无法判断：文件读取失败，或缺少规则所需的表、表中有文字、没有相邻年度的报告、正文没有相应陈述、机构不在机构表中。</p>`;
}

/** Rows shown of each list of changes (the counts are complete). */
const CHANGES_SHOWN = 200;

/** Findings new and resolved since the previous run. */
function changesBlock(checks: RunChecks, data: AuditData): Html {
  if (!checks.previousRun) return html`<p class="muted">这是该数据仓库的第一次运行：全部发现都是新的。</p>`;
  const resolved = checks.resolved.slice(0, CHANGES_SHOWN);
  const more = (n: number) =>
    n > CHANGES_SHOWN ? html`<p class="muted">只列出前 ${CHANGES_SHOWN} 条，共 ${n} 条。</p>` : '';
  return html`<p class="muted">与上次运行 ${checks.previousRun} 相比。</p>
<h3 id="new">新发现（${checks.newFindings.length}）</h3>${
    checks.newFindings.length
      ? html`<table class="list wide findings"><thead><tr><th>严重程度</th><th>规则</th><th>机构</th><th>年度</th><th>位置</th><th>说明</th><th></th></tr></thead><tbody>${trusted(
          checks.newFindings
            .slice(0, CHANGES_SHOWN)
            .map((f) => findingRow(f, data, 'new'))
            .join(''),
        )}</tbody></table>${more(checks.newFindings.length)}`
      : html`<p class="muted">没有新发现。</p>`
  }
<h3 id="resolved">已消除的发现（${checks.resolved.length}）</h3>${
    resolved.length
      ? html`<table class="list wide findings"><thead><tr><th>严重程度</th><th>规则</th><th>机构</th><th>年度</th><th>位置</th><th>说明</th><th>指纹</th></tr></thead><tbody>${resolved.map(
          (f) =>
            html`<tr><td><span class="badge ${f.severity}">${severityZh(f.severity)}</span></td><td><code>${f.rule_id}</code></td><td>${f.agency ?? '（机构不明）'}</td><td>${f.year ?? ''}</td><td>${
              f.table_id ? cellLabel(f.table_id, f.row_key, f.col_key, f.template) : ''
            }</td><td>${f.message}</td><td class="fp">${f.fingerprint}</td></tr>`,
        )}</tbody></table>${more(checks.resolved.length)}`
      : html`<p class="muted">没有已消除的发现。</p>`
  }`;
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
    .sort(
      (a, b) =>
        (b[1].error ?? 0) - (a[1].error ?? 0) ||
        (b[1].warning ?? 0) - (a[1].warning ?? 0) ||
        zhCollator.compare(a[0], b[0]),
    )
    .slice(0, 15);
  if (rows.length === 0) return html`<p class="muted">没有错误或警告。</p>`;
  return html`<table class="list"><tr><th>机构</th><th>错误</th><th>警告</th><th>提示</th></tr>${rows.map(
    ([agency, r]) =>
      html`<tr><td>${agency}</td><td class="n">${r.error ?? 0}</td><td class="n">${r.warning ?? 0}</td><td class="n">${r.info ?? 0}</td></tr>`,
  )}</table>`;
}

/** A report's sources as its row lists them (from its documents, loaded with its page). */
const sourcesCell = (g: ReportGroup): string =>
  g.docs.flatMap((d) => d.sources.map((s) => escapeHtml(s.source))).join('<br>');

/** One row of the reports list: the report, its findings' counts, its sources (`sourcesCell`). */
function reportRow(g: ReportGroup, sources: string): string {
  const active = g.findings.filter((f) => !f.dismissed);
  const n = (sev: string) => active.reduce((k, f) => k + (f.finding.severity === sev ? 1 : 0), 0) || '';
  return `<tr data-row="report" data-agency="${escapeHtml(tokens([g.agency]))}" data-year="${escapeHtml(tokens([g.year]))}" data-sev="${escapeHtml(
    tokens(active.map((f) => f.finding.severity)),
  )}" data-rule="${escapeHtml(tokens(active.map((f) => f.finding.rule_id)))}"><td>${escapeHtml(g.agency ?? '（机构不明）')}</td><td>${g.year ?? ''}</td><td>${escapeHtml(
    templateZh(g.template),
  )}</td><td><span class="badge ${escapeHtml(g.status)}">${escapeHtml(statusZh(g.status))}</span></td><td>${n('error')}</td><td>${n('warning')}</td><td>${n('info')}</td><td class="src">${sources}</td><td><a href="reports/${escapeHtml(
    g.id,
  )}.html">打开</a></td></tr>\n`;
}

/**
 * The crawl's sources that could not be read and its fetches that
 * brought nothing, with the reason (none without --sources).
 */
function fetchProblems(s: RunSummary): Html {
  if (s.sourcesDown.length === 0 && s.fetchProblems.length === 0) return html``;
  const rows = [
    ...s.sourcesDown.map((d) => ({ url: d.url, agency: d.agency, what: '站点无法访问', reason: d.reason })),
    ...s.fetchProblems.map((p) => ({
      url: p.url,
      agency: p.agency,
      what: p.outcome === 'refused' ? '拒绝抓取' : p.outcome === 'skipped' ? '超出上限，未抓取' : '抓取失败',
      reason: p.reason,
    })),
  ];
  return html`<h2 id="fetches">未能抓取的网址</h2><table class="list wide"><tr><th>网址</th><th>机关</th><th>情况</th><th>原因</th></tr>${rows.map(
    (r) => html`<tr><td>${r.url}</td><td>${r.agency}</td><td>${r.what}</td><td>${r.reason}</td></tr>`,
  )}</table>`;
}

/** A document not read completely: its source, status, reason and report page (null: no report). */
export interface ProblemRow {
  source: string;
  status: string;
  error: string;
  group: string | null;
}

/**
 * Failed and partial documents, from the warehouse and from
 * this run (a file that could not even be read), failed first.
 */
export function problemRows(
  problems: readonly ReportDoc[],
  knownSources: ReadonlySet<string>,
  s: RunSummary,
): ProblemRow[] {
  const rows: ProblemRow[] = [];
  const known = new Set(knownSources);
  for (const d of problems) {
    for (const src of d.sources) {
      known.add(src.source);
      rows.push({ source: src.source, status: d.status, error: d.error ?? '', group: d.group_id });
    }
  }
  // a file this run could not read at all has no reports row (one in the warehouse is listed with its report)
  for (const f of s.failed)
    if (!known.has(f.source)) rows.push({ source: f.source, status: 'failed', error: f.error, group: null });
  rows.sort((a, b) =>
    a.status === b.status ? defaultCollator.compare(a.source, b.source) : a.status === 'failed' ? -1 : 1,
  );
  return rows;
}

function problemDocuments(rows: readonly ProblemRow[]): Html {
  if (rows.length === 0) return html`<p class="muted">所有文件都已完整识别。</p>`;
  return html`<table class="list wide"><tr><th>文件</th><th>状态</th><th>原因</th><th></th></tr>${rows.map(
    (r) =>
      html`<tr><td>${r.source}</td><td><span class="badge ${r.status}">${statusZh(r.status)}</span></td><td>${reasonZh(r.error)}</td><td>${r.group ? html`<a href="reports/${r.group}.html">打开</a>` : ''}</td></tr>`,
  )}</table>`;
}

function staleReviewsBlock(stale: readonly Review[]): Html {
  if (stale.length === 0) return html``;
  return html`<h2 id="stale">未匹配任何发现的审核记录（${stale.length}）</h2>
<p class="muted">这些审核记录的指纹与本次的任何发现都不相符，未被采用。可能是指纹抄错或来自别的仓库，也可能该发现已不存在（相关数字已变化，指纹随之改变）；请核对 reviews.csv 中的这些行。</p>
<table class="list"><tr><th>行</th><th>指纹</th><th>结论</th><th>说明</th><th>审核人</th><th>日期</th></tr>${stale.map(
    (r) =>
      html`<tr><td class="n">${r.line}</td><td class="fp">${r.fingerprint}</td><td>${r.decision === 'dismissed' ? '排除' : '确认'}</td><td>${r.note ?? ''}</td><td>${r.reviewer ?? ''}</td><td>${r.date ?? ''}</td></tr>`,
  )}</table>`;
}

/**
 * index.html written in order: `start` (summary, the findings), `reports` for each batch of
 * report pages (their documents loaded), `finish` (the reports list, problems, dismissed findings,
 * how to review).
 */
export class IndexPage {
  private readonly counted: ShownFinding[];
  private readonly dismissed: ShownFinding[];
  private tail = '';
  /**
   * The sources of each report whose row lists more than its label (most list just that one
   * file), kept as its batch of pages is written: pages go in the order their cells are stored,
   * and the list is written in page order by `finish`.
   */
  private readonly reportSources = new Map<string, string>();
  /** Reports whose pages were written (`reports`). */
  private reportsSeen = 0;

  constructor(
    private readonly sink: FileSink,
    private readonly p: IndexPageInput,
  ) {
    this.counted = p.data.findings.filter((f) => !f.dismissed);
    this.dismissed = p.data.findings.filter((f) => f.dismissed);
  }

  private findingsTable(list: readonly ShownFinding[], group: string): void {
    this.sink.write(
      `<table class="list wide findings" id="${group}-table"><thead><tr><th>严重程度</th><th>规则</th><th>机构</th><th>年度</th><th>位置</th><th>说明</th><th></th></tr></thead><tbody>\n`,
    );
    for (let i = 0; i < list.length; i += ROWS_PER_WRITE) {
      this.sink.write(
        list
          .slice(i, i + ROWS_PER_WRITE)
          .map((f) => findingRow(f, this.p.data))
          .join(''),
      );
    }
    this.sink.write('</tbody></table>');
  }

  start(): void {
    const { data, summary } = this.p;
    const { counted, dismissed } = this;
    const agencies = [...new Set(data.groups.map((g) => g.agency).filter((a): a is string => !!a))].sort(
      zhCollator.compare,
    );
    const years = [...new Set(data.groups.map((g) => g.year).filter((y): y is number => y !== null))].sort();
    const rules = [...new Set(data.findings.map((f) => f.finding.rule_id))]
      .sort()
      .map((id) => ({ id, title: ruleTitle(data, id) }));
    const when = (summary.endedAt ?? new Date()).toISOString().replace('T', ' ').slice(0, 19);
    const { head, tail } = pageShell({
      title: '政府信息公开工作年度报告 · 统计表核查',
      subtitle: html`运行 ${summary.runId} · ${when} UTC · 输入 ${summary.input} · 最近检查 ${trusted(lastCheckedHtml(summary.startedAt))} UTC`,
    });
    this.tail = tail;
    this.sink.write(head);
    this.sink.write(
      html`<nav class="toc"><a href="#summary">运行概况</a><a href="#checks">检查了什么</a><a href="#changes">与上次相比</a>${this.p.overview ? html`<a href="#overview">总览图表</a>` : ''}<a href="#findings">全部发现</a><a href="#reports">报告一览</a><a href="#problems">未完整识别的文件</a>${
        dismissed.length ? html`<a href="#dismissed">已排除</a>` : ''
      }<a href="#review">如何审核</a></nav>
<h2 id="summary">运行概况</h2>
${runCards(summary, data, counted, dismissed.length, this.p.checks)}
<div class="cols">
<div><h3>报告：按统计年度和格式版本</h3>${byYearAndTemplate(data)}</div>
<div><h3>发现：按规则</h3>${byRule(data, counted)}</div>
<div><h3>错误最多的机构</h3>${topAgencies(data, counted)}</div>
</div>
<h2 id="checks">检查了什么：每条规则的检查结果</h2>
${ruleResults(this.p.checks)}
<h2 id="changes">与上次运行相比</h2>
${changesBlock(this.p.checks, data)}
${this.p.overview ?? ''}
${filterBar({ severities: SEVERITIES.filter((s) => data.findings.some((f) => f.finding.severity === s)), rules, agencies, years })}
<h2 id="findings">全部发现（${counted.length}）${counter('finding')}</h2>
`.value,
    );
    if (counted.length) this.findingsTable(counted, 'finding');
    else this.sink.write('<p class="muted">没有发现。</p>');
    this.sink.write(
      html`
<h2 id="reports">报告一览（${data.groups.length}）${counter('report')}</h2>
<table class="list wide reports"><thead><tr><th>机构</th><th>年度</th><th>格式版本</th><th>状态</th><th>错误</th><th>警告</th><th>提示</th><th>来源文件</th><th></th></tr></thead><tbody>
`.value,
    );
  }

  /** Reports whose pages are written (their documents must be loaded), in any order. */
  reports(groups: readonly ReportGroup[]): void {
    for (const g of groups) {
      const sources = sourcesCell(g);
      if (sources !== escapeHtml(g.label)) this.reportSources.set(g.id, sources);
    }
    this.reportsSeen += groups.length;
  }

  /** The reports list, in page order. */
  private reportsList(): void {
    const { groups } = this.p.data;
    if (this.reportsSeen !== groups.length)
      throw new Error(`index.html: ${this.reportsSeen} of ${groups.length} reports written before the list`);
    for (let i = 0; i < groups.length; i += ROWS_PER_WRITE) {
      this.sink.write(
        groups
          .slice(i, i + ROWS_PER_WRITE)
          .map((g) => reportRow(g, this.reportSources.get(g.id) ?? escapeHtml(g.label)))
          .join(''),
      );
    }
    this.reportSources.clear();
  }

  finish(): void {
    const { summary } = this.p;
    const { dismissed } = this;
    this.reportsList();
    this.sink.write('</tbody></table>\n');
    this.sink.write(
      html`<h2 id="problems">未完整识别的文件</h2>
${problemDocuments(problemRows(this.p.problems, this.p.knownSources, summary))}
${fetchProblems(summary)}
`.value,
    );
    if (dismissed.length) {
      this.sink.write(
        html`<h2 id="dismissed">已排除的发现（${dismissed.length}）${counter('dismissed')}</h2><p class="muted">审核人在 reviews.csv 中排除的发现，不计入上面的统计。</p>`
          .value,
      );
      this.findingsTable(dismissed, 'dismissed');
    }
    this.sink.write(
      html`
${staleReviewsBlock(this.p.staleReviews)}
<h2 id="review">如何审核</h2>
<p>每条发现都有一个指纹（报告页上每条发现的右上角）。在 <code>${this.p.reviewsFile}</code> 中为它加一行：
<code>fingerprint,decision,note,reviewer,date</code>，decision 填 <code>confirmed</code>（确认）或 <code>dismissed</code>（排除）。
下次运行时读入：排除的发现单独列出、不计入统计；报告数字变化后，发现会得到新的指纹，旧的审核结论不再适用。</p>
<p class="muted">导出：<a href="anomalies.csv">anomalies.csv</a> · <a href="anomalies.json">anomalies.json</a> · <a href="reports.csv">reports.csv</a></p>`
        .value,
    );
    this.sink.write(this.tail);
  }
}
