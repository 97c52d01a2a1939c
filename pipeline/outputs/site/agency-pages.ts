/**
 * One page per agency with reports of two years or more (<out>/agencies/<id>.html): its rates year
 * by year, its carry-over chain (结转下年度 of one year against 上年结转 of the next, which should be
 * equal) and a table of its figures linking to each year's report page. Agencies with one year
 * have no trend to draw and get no page (their report page says where they stand).
 * Read in one query (one row per agency and year); each page draws two charts.
 */
import { mkdirSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { METRICS, NO_LEVEL, NO_REGION } from '../../../domain/index.js';
import { type Chart, chartFigure, chartFiles, formatValue, type ChartColumn } from './charts.js';
import { keyedUnit, type OutputKeys } from './output-keys.js';
import { html, type Html } from './html.js';
import { countColumns, groupedBars, linesByYear } from './overview.js';
import { renderPage } from './page.js';
import { queryRows, type Row } from '../query.js';
import { zhCollator } from './audit-data.js';
import { AGENCIES_DIR, agencyPageId, MULTI_YEAR_AGENCIES } from './agency-ids.js';
import { writePage } from '../files.js';

export { AGENCIES_DIR };

export interface AgencyYears {
  id: string;
  agency: string;
  agencyNorm: string;
  region: string | null;
  level: string | null;
  years: Row[];
}

const COUNTS = countColumns(
  'requests_received',
  'carried_over',
  'total_processed',
  'granted',
  'carried_forward',
  'open_errors',
);
const RATES: ChartColumn[] = METRICS.map((m) => ({ key: m.key, label: m.name_zh, format: 'pct' }));

/** The agencies with reports of two years or more, their years in order (one report per year: is_primary). */
export async function loadAgencyYears(conn: DuckDBConnection): Promise<AgencyYears[]> {
  const rows = await queryRows(
    conn,
    `SELECT agency_norm, agency, report_id, CAST(year AS INTEGER) AS year, region, level,
            ${[...COUNTS, ...RATES].map((c) => (c.format === 'int' ? `CAST(${c.key} AS DOUBLE) AS ${c.key}` : c.key)).join(', ')}
     FROM report_metrics
     WHERE is_primary AND year IS NOT NULL AND agency_norm IN (${MULTI_YEAR_AGENCIES})
     ORDER BY agency_norm, year`,
  );
  const byAgency = new Map<string, AgencyYears>();
  for (const r of rows) {
    const norm = String(r.agency_norm);
    let a = byAgency.get(norm);
    if (!a) {
      a = {
        id: agencyPageId(norm),
        agency: String(r.agency ?? norm),
        agencyNorm: norm,
        region: r.region as string | null,
        level: r.level as string | null,
        years: [],
      };
      byAgency.set(norm, a);
    }
    a.agency = String(r.agency ?? a.agency); // the latest year's name
    a.years.push(r);
  }
  return [...byAgency.values()].sort((x, y) => zhCollator.compare(x.agency, y.agency));
}

/** 结转下年度 of each year beside 上年结转 of the next year the agency reported. */
export function carryChain(years: readonly Row[]): Row[] {
  const chain: Row[] = [];
  for (let i = 0; i + 1 < years.length; i++) {
    const a = years[i];
    const b = years[i + 1];
    if (Number(b.year) !== Number(a.year) + 1) continue;
    const forward = a.carried_forward as number | null;
    const over = b.carried_over as number | null;
    chain.push({
      pair: `${a.year}→${b.year}`,
      year: a.year,
      carried_forward: forward,
      next_year: b.year,
      carried_over: over,
      difference: forward === null || over === null ? null : over - forward,
      report: a.report_id,
      next_report: b.report_id,
    });
  }
  return chain;
}

const reportHref = (id: unknown) => (id ? `../reports/${String(id)}.html` : null);

/** An agency's page, and the files of its charts. */
async function agencyPage(
  a: AgencyYears,
  dir: string,
  previousDir: string | null,
): Promise<{ html: string; files: string[] }> {
  // every metric, drawn or not (a metric NULL every year draws no line): the same spec for every agency
  const rates = RATES;
  const rateChart: Chart = {
    name: `${a.id}-rates`,
    title: '比率的年度变化',
    note: '定义见汇总页的“指标定义”',
    spec: linesByYear(rates, '比率', true),
    rows: a.years.map((y) => ({
      year: y.year,
      ...Object.fromEntries(rates.map((c) => [c.key, y[c.key]])),
      report: y.report_id,
    })),
    columns: [{ key: 'year', label: '年度', href: (r) => reportHref(r.report) }, ...rates],
  };
  const rateFigure = await chartFigure(rateChart, dir, '.', previousDir);
  const chain = carryChain(a.years);
  const chainColumns: ChartColumn[] = [
    { key: 'carried_forward', label: '结转下年度（前一年）', format: 'int' },
    { key: 'carried_over', label: '上年结转（后一年）', format: 'int' },
  ];
  const chainChart: Chart = {
    name: `${a.id}-carry`,
    title: '结转链：前一年“结转下年度继续办理”与后一年“上年结转”',
    note: '两者应相等',
    spec: groupedBars(chainColumns, 'pair', '件数', 120 + 60 * chain.length),
    rows: chain,
    columns: [
      { key: 'pair', label: '年度' },
      { ...chainColumns[0], href: (r) => reportHref(r.report) },
      { ...chainColumns[1], href: (r) => reportHref(r.next_report) },
      { key: 'difference', label: '差（后 − 前）', format: 'int' },
    ],
  };
  const chainFigure = await chartFigure(chainChart, dir, '.', previousDir);
  const table = html`<table class="list years"><thead><tr><th>年度</th>${[...COUNTS, ...RATES].map((c) => html`<th>${c.label}</th>`)}</tr></thead><tbody>${a.years.map(
    (y) =>
      html`<tr><td><a href="${reportHref(y.report_id)}">${y.year}</a></td>${[...COUNTS, ...RATES].map((c) => html`<td class="n">${formatValue(y[c.key], c.format)}</td>`)}</tr>`,
  )}</tbody></table>`;
  const body = html`<dl class="meta"><dt>机构</dt><dd>${a.agency}</dd><dt>地区</dt><dd>${a.region ?? NO_REGION}</dd><dt>级别</dt><dd>${a.level ?? NO_LEVEL}</dd>
<dt>年度</dt><dd>${a.years.map((y, i) => html`${i ? '、' : ''}<a href="${reportHref(y.report_id)}">${y.year}</a>`)}</dd></dl>
<h2 id="trends">年度变化</h2>${rateFigure}
<h2 id="carry">结转链</h2>${chain.length ? chainFigure : html`<p class="muted">没有相邻的两个年度。</p>`}
<h2 id="years">各年度的数字</h2><div class="scroll">${table}</div>
<p class="muted">每年一份报告（同一年度数字不同的几个版本中最先看到的一份）。数字来自各年度的报告页，点击年度打开。</p>`;
  const page = renderPage({
    title: `${a.agency}：历年情况`,
    subtitle: html`${a.years.length} 个年度 · ${a.region ?? NO_REGION} · ${a.level ?? NO_LEVEL}`,
    homeHref: '../index.html',
    body,
  });
  return { html: page, files: [...chartFiles(rateChart), ...chartFiles(chainChart)] };
}

/**
 * Writes the agencies' pages and their charts into `dir` (<out>/agencies, staged); a file equal to
 * the one published in `previousDir` keeps it. With `keys`, an agency whose years are those its
 * published page was rendered from keeps its page and charts, neither rendered nor drawn.
 */
export async function writeAgencyPages(
  agencies: readonly AgencyYears[],
  dir: string,
  previousDir: string | null = null,
  keys: OutputKeys | null = null,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const a of agencies) {
    const unit = keyedUnit(keys, `agency ${a.id}`, () => a, dir, previousDir);
    if (unit?.kept) continue;
    const page = await agencyPage(a, dir, previousDir);
    writePage(dir, previousDir, `${a.id}.html`, page.html);
    unit?.made([`${a.id}.html`, ...page.files]);
  }
}

/** The index's list of agency pages. */
export function agencyList(agencies: readonly AgencyYears[]): Html {
  if (!agencies.length) return html`<h3 id="agencies">机构历年页</h3><p class="muted">没有两个年度以上报告的机构。</p>`;
  return html`<h3 id="agencies">机构历年页（${agencies.length} 个机构有两个年度以上的报告）</h3><p class="agency-list">${agencies.map(
    (a, i) =>
      html`${i ? ' · ' : ''}<a href="${AGENCIES_DIR}/${a.id}.html">${a.agency}</a> <span class="muted">${a.years[0].year}–${a.years[a.years.length - 1].year}</span>`,
  )}</p>`;
}
