/**
 * The page of one report (one agency and year; several documents when the same report came in
 * several forms): its sources, its findings with their arithmetic, the tables rebuilt with the
 * cells involved highlighted, and the other year side by side for cross-year findings.
 */
import { cellsOf, otherVersionsOf, type AuditData, type ReportGroup, type ShownFinding } from './audit-data.js';
import { marksFor } from './cell-marks.js';
import { findingCard, ruleTitle } from './finding-view.js';
import { counter, filterBar } from './filters.js';
import { html, type Html } from './html.js';
import { statusZh, templateZh, yearZh } from './labels.js';
import { renderPage } from './page.js';
import { archivedName } from '../source-archive.js';
import { reasonZh } from '../reasons.js';
import { sourceLink } from './source-links.js';
import { standingBlock } from './standing.js';
import { renderTable, TABLE_ORDER, tableLegend, tableTitle } from './tables.js';

export interface ReportPageContext {
  /** Folder the page is written to (links to sources are relative to it). */
  pageDir: string;
  /** --input of this run, for sources recorded without their run's input. */
  inputDir: string;
  /** Where this run's new copies of the documents wait to be published with the pages (source-archive.ts). */
  stagedSources?: string;
}

export function reportTitle(g: ReportGroup): string {
  return `${g.agency ?? '（机构不明）'} ${yearZh(g.year)}政府信息公开工作年度报告`;
}

const TABLE_ZH: Record<string, string> = { T2: '表二', T3: '表三', T4: '表四' };

function sourcesBlock(g: ReportGroup, ctx: ReportPageContext): Html {
  const items = g.docs.flatMap((d) =>
    d.sources.map((s) => {
      const link = sourceLink(s, ctx.pageDir, ctx.inputDir, archivedName(d.report_id, d.format), ctx.stagedSources);
      // a file: its copy beside the pages when there is one; a URL: the URL and the copy
      const target = link.web ? link.href : (link.archived ?? link.href);
      const name = target ? html`<a href="${target}">${link.label}</a>` : html`${link.label}`;
      const copy = link.web && link.archived ? html` <a class="archived" href="${link.archived}">存档副本</a>` : '';
      // A PDF opens at the page a table is printed on (#page=N, as PDF viewers take it).
      const pages =
        target && d.tablePages.length
          ? html` · ${d.tablePages.map((tp, i) => html`${i ? '、' : ''}<a href="${target}#page=${tp.page}">${TABLE_ZH[tp.table_id] ?? tp.table_id} 第${tp.page}页</a>`)}`
          : '';
      return html`<li>${name}${copy} <span class="muted">${d.format ?? '格式不明'}${pages} · <span class="badge ${d.status}">${statusZh(d.status)}</span> · ${d.report_id}${
        link.missing ? ' · 文件已不在原位置' : ''
      }</span>${d.error ? html`<div class="muted">原因：${reasonZh(d.error)}</div>` : ''}</li>`;
    }),
  );
  return html`<ul class="sources">${items}</ul>`;
}

function otherVersions(g: ReportGroup, data: AuditData): Html {
  if (g.versionsInYear <= 1) return html``;
  const others = otherVersionsOf(g, data);
  return html`<dt>同年其他版本</dt><dd>数字不同的另 ${g.versionsInYear - 1} 份：${others.map((o, i) => html`${i ? '、' : ''}<a href="${o.id}.html">${o.label}</a>`)}</dd>`;
}

function metaBlock(g: ReportGroup, data: AuditData, ctx: ReportPageContext): Html {
  const titles = [...new Set(g.docs.map((d) => d.title).filter((t): t is string => !!t))];
  return html`<dl class="meta">
<dt>机构</dt><dd>${g.agency ?? '（未识别）'}</dd>
<dt>统计年度</dt><dd>${g.year ?? '（未识别）'}</dd>
<dt>格式版本</dt><dd>${templateZh(g.template)}</dd>
<dt>识别状态</dt><dd><span class="badge ${g.status}">${statusZh(g.status)}</span> ${reasonZh(g.docs[0]?.error)}</dd>
<dt>标题</dt><dd>${titles.length ? titles.map((t, i) => html`${i ? html`<br>` : ''}${t}`) : '（未识别）'}</dd>
<dt>来源文件</dt><dd>${g.docs.length > 1 ? html`<span class="muted">同一报告（机构、年度、数字相同）共 ${g.docs.length} 个文件，只列一次：</span>` : ''}${sourcesBlock(g, ctx)}</dd>
${otherVersions(g, data)}
</dl>`;
}

function findingsSection(
  title: string,
  group: string,
  list: readonly ShownFinding[],
  g: ReportGroup,
  data: AuditData,
  empty: string,
): Html {
  return html`<h2 id="${group}">${title}（${list.length}）${list.length ? counter(group) : ''}</h2>${
    list.length ? list.map((s) => findingCard(s, data, g.id, group)) : html`<p class="muted">${empty}</p>`
  }`;
}

/** Reports shown side by side on one page at most; the others are linked (XA.COPY can name hundreds). */
const MAX_SIDE_BY_SIDE = 6;

/** The other report's tables next to this one's, for findings that compare the two (cross-year). */
function sideBySide(g: ReportGroup, data: AuditData): Html {
  const pairs = new Map<string, ShownFinding[]>();
  for (const s of [...g.findings, ...g.relatedFindings]) {
    if (s.dismissed || !s.related_group_id || s.related_group_id === s.group_id) continue;
    const other = s.group_id === g.id ? s.related_group_id : s.group_id;
    pairs.set(other, [...(pairs.get(other) ?? []), s]);
  }
  const blocks: Html[] = [];
  const shown = [...pairs].slice(0, MAX_SIDE_BY_SIDE);
  const linked = [...pairs.keys()]
    .slice(MAX_SIDE_BY_SIDE)
    .map((id) => data.groupById.get(id))
    .filter((x): x is ReportGroup => !!x);
  for (const [otherId, list] of shown) {
    const other = data.groupById.get(otherId);
    if (!other) continue;
    const tables = new Set<string>();
    for (const s of list) {
      if (s.finding.table_id) tables.add(s.finding.table_id);
      for (const c of s.finding.cells) tables.add(c.table_id);
    }
    const sides = [g, other].sort((a, b) => (a.year ?? 0) - (b.year ?? 0));
    // the same year twice (two versions of one report): name them by their file
    const name = (x: ReportGroup) => (g.year === other.year ? `${yearZh(x.year)} · ${x.label}` : yearZh(x.year));
    for (const t of TABLE_ORDER.filter((x) => tables.has(x))) {
      blocks.push(html`<h3>${tableTitle(t)}：${sides.map((x, i) => html`${i ? ' ↔ ' : ''}${name(x)}`)}（${list
        .map((s) => s.finding.rule_id)
        .filter((r, i, a) => a.indexOf(r) === i)
        .join('、')}）</h3>
<div class="side">${sides.map(
        (x) =>
          html`<div><div><b>${x.agency ?? ''} ${name(x)}</b> ${x.id === g.id ? '（本报告）' : html`<a href="${x.id}.html">打开该报告</a>`}</div>${renderTable(
            t,
            {
              cells: cellsOf(x),
              marks: marksFor(x.id, list, data.groupOf, true),
              template: x.template,
              anchorPrefix: `x${x.id}`,
            },
          )}</div>`,
      )}</div>`);
    }
  }
  if (blocks.length === 0) return html``;
  const more = linked.length
    ? html`<p class="muted">另有 ${linked.length} 份相关报告未并排显示：${linked.map((x, i) => html`${i ? '、' : ''}<a href="${x.id}.html">${x.agency ?? x.id} ${yearZh(x.year)}</a>`)}</p>`
    : '';
  return html`<h2 id="compare">与相关报告对照</h2><p class="muted">比较两份报告的发现（跨年度、跨机构，或同一机构同一年度数字不同的两个版本），两份报告并排显示，相关单元格已标出。</p>${blocks}${more}`;
}

export function renderReportPage(g: ReportGroup, data: AuditData, ctx: ReportPageContext): string {
  const active = g.findings.filter((s) => !s.dismissed);
  const dismissed = g.findings.filter((s) => s.dismissed);
  const related = g.relatedFindings.filter((s) => !s.dismissed);
  const visible = [...active, ...related];
  const marks = marksFor(g.id, visible, data.groupOf);
  const rules = [...new Set(visible.map((s) => s.finding.rule_id))]
    .sort()
    .map((id) => ({ id, title: ruleTitle(data, id) }));
  const severities = ['error', 'warning', 'info'].filter((s) => visible.some((f) => f.finding.severity === s));
  const tables = TABLE_ORDER.map(
    (t) =>
      html`<h2 id="${t}">${tableTitle(t)}</h2>${renderTable(t, { cells: cellsOf(g), marks, template: g.template, anchorPrefix: 'g' })}`,
  );
  const compare = sideBySide(g, data);
  const body = html`${metaBlock(g, data, ctx)}
<nav class="toc"><a href="#finding">发现</a>${dismissed.length ? html`<a href="#dismissed">已排除</a>` : ''}${related.length ? html`<a href="#related">关联发现</a>` : ''}${compare.value ? html`<a href="#compare">对照</a>` : ''}<a href="#standing">同年同级比较</a><a href="#T3">T3 申请情况</a><a href="#T4">T4 复议诉讼</a><a href="#T2">T2 主动公开</a></nav>
${visible.length > 1 ? filterBar({ severities, rules }) : ''}
${findingsSection('发现', 'finding', active, g, data, '没有发现。')}
${related.length ? findingsSection('关联发现（其他报告的发现涉及本报告）', 'related', related, g, data, '') : ''}
${dismissed.length ? html`${findingsSection('已排除的发现', 'dismissed', dismissed, g, data, '')}<p class="muted">已排除的发现不计入汇总。</p>` : ''}
${compare}
${standingBlock(g)}
${tables}
${tableLegend()}`;
  return renderPage({
    title: reportTitle(g),
    subtitle: html`${templateZh(g.template)} · ${statusZh(g.status)} · 报告编号 ${g.id}`,
    homeHref: '../index.html',
    body,
    loadsFiles: !!g.standing,
  });
}
