/**
 * A region's summary for auditors, one printable page per region and year
 * (<out>/regions/<region>-<year>.html, region from the agency CSV, 未分区 where it gives none):
 * headline figures and their change from the year before, the agencies whose reports have errors,
 * the methods (the rules and the metric definitions, from the warehouse's catalogue and the metric
 * dictionary), and an appendix of every report counted, each number linking to its cell on the
 * report's page (and from there to the document). The reports are read in one query ordered by
 * region and year, and each region's page for a year is written as its rows have passed: one
 * region and year's rows are held at a time, and of the year before only its headline figures.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { ALL, METRICS, metricByKey, NO_LEVEL, NO_REGION } from '../../../domain/index.js';
import { zhCollator } from './audit-data.js';
import { escapeHtml, html, trusted, type Html } from './html.js';
import { formatValue, severityZh } from './labels.js';
import { metricsTable } from './overview.js';
import { renderPage } from './page.js';
import { eachNamedRow, finite, queryRows, type Row } from '../query.js';
import { cellAnchor } from './tables.js';
import { writePage } from '../files.js';
import { keyedUnit, type OutputKeys } from './output-keys.js';

export const REGIONS_DIR = 'regions';

const regionPagePrefix = (region: string): string =>
  `r${createHash('sha256').update(region, 'utf8').digest('hex').slice(0, 10)}-`;
export const regionPageName = (region: string, year: number): string => `${regionPagePrefix(region)}${year}.html`;

/**
 * The published summary of `region` for `year` (default: its latest) in --out, or null when there
 * is none, with the years it has (`--summary REGION[:YEAR]`).
 */
export function findRegionPage(
  outDir: string,
  region: string,
  year?: number,
): { path: string | null; years: number[] } {
  const dir = join(outDir, REGIONS_DIR);
  const prefix = regionPagePrefix(region);
  const years = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.startsWith(prefix) && f.endsWith('.html'))
        .map((f) => Number(f.slice(prefix.length, -'.html'.length)))
        .filter(Number.isInteger)
        .sort()
    : [];
  const chosen = year ?? years[years.length - 1];
  return {
    path: chosen !== undefined && years.includes(chosen) ? join(dir, regionPageName(region, chosen)) : null,
    years,
  };
}

/** Counts of the appendix, with the T3 cell each comes from (its link). */
const APPENDIX_COUNTS: { key: string; label: string; row: string }[] = [
  { key: 'requests_received', label: '本年新收', row: 'new_received' },
  { key: 'carried_over', label: '上年结转', row: 'carried_over' },
  { key: 'total_processed', label: '办理结果合计', row: 'total_processed' },
  { key: 'granted', label: '予以公开', row: 'granted' },
  { key: 'carried_forward', label: '结转下年度', row: 'carried_forward' },
];
/** Rates of the headline figures (their P50 among the region's reports, from benchmarks). */
const HEADLINE_RATES = ['grant_rate', 'substantive_open_rate', 'completion_rate', 'review_correction_rate'];

interface RegionYear {
  region: string;
  year: number;
  bench: Row;
  reports: Row[];
}

/** What a region's page shows of a year's reports in its headline, for that year and the year after. */
interface YearFigures {
  year: number;
  bench: Row;
  reports: number;
  withErrors: number;
  /** The appendix's counts summed (null: no report gives it). */
  sums: Record<string, number | null>;
}

const sum = (rows: readonly Row[], key: string): number | null => {
  const values = rows.map((r) => r[key]).filter((v): v is number => typeof v === 'number');
  return values.length ? values.reduce((a, b) => a + b, 0) : null;
};

const reportHref = (id: unknown, anchor = '') => `../reports/${String(id)}.html${anchor}`;

function change(now: number | null, before: number | null, pct: boolean): string {
  if (now === null || before === null) return '—';
  const d = now - before;
  if (pct) return `${d >= 0 ? '+' : ''}${(d * 100).toFixed(1)} 个百分点`;
  return `${d >= 0 ? '+' : ''}${Number.isInteger(d) ? d : d.toFixed(1)}`;
}

function yearFigures(ry: RegionYear): YearFigures {
  return {
    year: ry.year,
    bench: ry.bench,
    reports: ry.reports.length,
    withErrors: ry.reports.filter((r) => Number(r.open_errors) > 0).length,
    sums: Object.fromEntries(APPENDIX_COUNTS.map((c) => [c.key, sum(ry.reports, c.key)])),
  };
}

function headline(cur: YearFigures, prev: YearFigures | undefined): Html {
  const lines: { label: string; now: number | null; before: number | null; pct: boolean; how: Html | string }[] = [
    {
      label: '报告数（每机构每年一份）',
      now: cur.reports,
      before: prev?.reports ?? null,
      pct: false,
      how: html`附录的行数`,
    },
    {
      label: '有错误的报告',
      now: cur.withErrors,
      before: prev?.withErrors ?? null,
      pct: false,
      how: html`附录“错误”列不为 0 的行`,
    },
    {
      label: '有错误的报告比例',
      now: cur.bench.error_share as number,
      before: (prev?.bench.error_share as number) ?? null,
      pct: true,
      how: 'benchmarks.error_share',
    },
    ...APPENDIX_COUNTS.filter((c) => c.key !== 'carried_forward').map((c) => ({
      label: `${c.label}（合计）`,
      now: cur.sums[c.key],
      before: prev ? prev.sums[c.key] : null,
      pct: false,
      how: html`附录“${c.label}”列之和`,
    })),
    ...HEADLINE_RATES.map((k) => ({
      label: `${metricByKey.get(k)!.name_zh}（中位数）`,
      now: cur.bench[`${k}_p50`] as number | null,
      before: (prev?.bench[`${k}_p50`] as number | null) ?? null,
      pct: true,
      how: html`benchmarks.${k}_p50：附录“${metricByKey.get(k)!.name_zh}”列的中位数`,
    })),
  ];
  return html`<table class="list headline"><thead><tr><th>指标</th><th>${cur.year} 年</th><th>${prev ? `${prev.year} 年` : '上年'}</th><th>变化</th><th>怎样得出</th></tr></thead><tbody>${lines.map(
    (l) =>
      html`<tr><td>${l.label}</td><td class="n">${formatValue(l.now, l.pct ? 'pct' : 'int')}</td><td class="n">${formatValue(l.before, l.pct ? 'pct' : 'int')}</td><td class="n">${change(l.now, l.before, l.pct)}</td><td class="muted">${l.how}</td></tr>`,
  )}</tbody></table>${prev ? '' : html`<p class="muted">没有该地区上一年度的报告，无法比较。</p>`}`;
}

function agenciesWithErrors(cur: RegionYear, errors: Map<string, Row[]>): Html {
  const rows = cur.reports.filter((r) => Number(r.open_errors) > 0);
  if (!rows.length) return html`<p>没有报告有错误级的发现。</p>`;
  return html`<table class="list"><thead><tr><th>机构</th><th>级别</th><th>错误</th><th>规则</th></tr></thead><tbody>${rows.map(
    (r) =>
      html`<tr><td><a href="${reportHref(r.report_id, '#finding')}">${r.agency}</a></td><td>${r.level ?? NO_LEVEL}</td><td class="n">${r.open_errors}</td><td>${(
        errors.get(String(r.report_id)) ?? []
      ).map((e, i) => html`${i ? '；' : ''}<code>${e.rule_id}</code> ${e.title_zh ?? ''}（${e.n}）`)}</td></tr>`,
  )}</tbody></table>`;
}

function methods(rules: readonly Row[]): Html {
  return html`<h3>规则</h3><p class="muted">每条规则是 sql/rules/ 下的一个 SQL 文件；错误：报告自身的数字互相矛盾。</p>
<table class="list"><thead><tr><th>规则</th><th>级别</th><th>说明</th></tr></thead><tbody>${rules.map(
    (r) =>
      html`<tr><td><code>${r.rule_id}</code></td><td>${severityZh(String(r.severity))}</td><td>${r.title_zh ?? ''}</td></tr>`,
  )}</tbody></table>
<h3>指标定义（指标字典）</h3>${metricsTable()}`;
}

/** A value as the `html` tag interpolates it (escaped; nothing for null, undefined or false). */
const text = (v: unknown): string => (v === null || v === undefined || v === false ? '' : escapeHtml(String(v)));

/** The headline rates, in the metrics' order. */
const APPENDIX_RATES = METRICS.filter((m) => HEADLINE_RATES.includes(m.key));

/**
 * A report's row of the appendix, made by concatenation: a year's page lists every report of the
 * region, and the `html` tag's fragment per cell took most of the pages' time. The same markup.
 */
function appendixRow(r: Row): string {
  const href = (anchor?: string) => text(reportHref(r.report_id, anchor));
  let row = `<tr data-report="${text(r.report_id)}"><td><a href="${href()}">${text(r.agency)}</a></td><td>${text(r.level ?? NO_LEVEL)}</td>`;
  for (const c of APPENDIX_COUNTS) {
    const v = r[c.key];
    row += `<td class="n" data-key="${text(c.key)}" data-value="${text(v ?? '')}">${
      v === null
        ? '—'
        : `<a href="${href(`#${cellAnchor('g', 'T3', c.row, 'total')}`)}">${text(formatValue(v, 'int'))}</a>`
    }</td>`;
  }
  for (const m of APPENDIX_RATES)
    row += `<td class="n" data-key="${text(m.key)}" data-value="${text(r[m.key] ?? '')}"><a href="${href('#standing')}">${text(formatValue(r[m.key], 'pct'))}</a></td>`;
  return `${row}<td class="n" data-key="open_errors" data-value="${text(r.open_errors)}"><a href="${href('#finding')}">${text(r.open_errors)}</a></td></tr>`;
}

function appendix(cur: RegionYear): Html {
  return html`<table class="list appendix"><thead><tr><th>机构</th><th>级别</th>${APPENDIX_COUNTS.map((c) => html`<th>${c.label}</th>`)}${APPENDIX_RATES.map((m) => html`<th>${m.name_zh}</th>`)}<th>错误</th></tr></thead><tbody>${trusted(
    cur.reports.map(appendixRow).join(''),
  )}</tbody></table>`;
}

function regionPage(
  cur: RegionYear,
  figures: YearFigures,
  prev: YearFigures | undefined,
  years: readonly number[],
  errors: Map<string, Row[]>,
  rules: readonly Row[],
): string {
  const body = html`<p class="muted">${cur.region === NO_REGION ? '机构表（--agencies）未给出地区的机构。' : ''}每机构每年计一份报告（同一年度数字不同的几个版本中最先看到的一份）。其他年度：${years.map(
    (y, i) =>
      html`${i ? ' · ' : ''}${y === cur.year ? html`<b>${y}</b>` : html`<a href="${regionPageName(cur.region, y)}">${y}</a>`}`,
  )}</p>
<h2 id="headline">主要数字及与上年相比</h2>${headline(figures, prev)}
<h2 id="errors">有错误的机构</h2>${agenciesWithErrors(cur, errors)}
<h2 id="methods">方法</h2>${methods(rules)}
<h2 id="appendix">附录：每份报告的数字</h2><p class="muted">每个数字链接到报告页上它所在的单元格（比率链接到报告的同年同级比较，错误链接到其发现）；报告页列出来源文件。</p>
<div class="scroll">${appendix(cur)}</div>`;
  return renderPage({
    title: `${cur.region} ${cur.year} 年政府信息公开工作年度报告核查摘要`,
    subtitle: html`${cur.reports.length} 份报告`,
    homeHref: '../index.html',
    body,
  });
}

/**
 * Writes every region's summary for every year into `dir` (<out>/regions, staged); returns the index's list of them.
 * With `keys`, a page whose rows are those its published file was rendered from keeps it, not rendered (output-keys.ts).
 */
export async function writeRegionPages(
  conn: DuckDBConnection,
  dir: string,
  previousDir: string | null = null,
  keys: OutputKeys | null = null,
): Promise<Html> {
  mkdirSync(dir, { recursive: true });
  const bench = await queryRows(
    conn,
    `SELECT * FROM benchmarks WHERE region <> '${ALL}' AND level = '${ALL}' ORDER BY region, year`,
  );
  const errorRows = await queryRows(
    conn,
    `SELECT f.group_id, f.rule_id, any_value(r.title_zh) AS title_zh, CAST(count(*) AS INTEGER) AS n
     FROM findings f LEFT JOIN rules r USING (rule_id) WHERE f.counted AND f.severity = 'error' AND f.group_id IS NOT NULL GROUP BY ALL ORDER BY f.rule_id`,
  );
  const rules = await queryRows(conn, 'SELECT rule_id, severity, title_zh FROM rules ORDER BY rule_id');
  const errors = new Map<string, Row[]>();
  for (const e of errorRows) errors.set(String(e.group_id), [...(errors.get(String(e.group_id)) ?? []), e]);
  const key = (region: string, year: number) => `${region}\u0001${year}`;
  // every region and year of the benchmarks (those with reports), in the order of the reports' query below
  const benchOf = new Map<string, Row>();
  const yearsOf = new Map<string, number[]>();
  for (const b of bench) {
    benchOf.set(key(String(b.region), Number(b.year)), b);
    yearsOf.set(String(b.region), [...(yearsOf.get(String(b.region)) ?? []), Number(b.year)]);
  }
  const figures = new Map<string, YearFigures>();
  const write = (ry: RegionYear) => {
    const name = regionPageName(ry.region, ry.year);
    // the year before, when the region has reports that year, has passed already (the query's order)
    const prev = figures.get(key(ry.region, ry.year - 1));
    const own = yearFigures(ry);
    figures.set(key(ry.region, ry.year), own);
    const years = yearsOf.get(ry.region)!;
    ry.reports.sort((a, b) => zhCollator.compare(String(a.agency ?? ''), String(b.agency ?? '')));
    // what the page shows: its year, the year before, the years listed, its reports' errors, the rules
    const shown = () => [
      ry,
      prev ?? null,
      years,
      ry.reports.map((r) => errors.get(String(r.report_id)) ?? null),
      rules,
    ];
    const unit = keyedUnit(keys, `region ${name}`, shown, dir, previousDir);
    if (unit?.kept) return;
    // a page equal to the one published in `previousDir` keeps it (its time unchanged)
    writePage(dir, previousDir, name, regionPage(ry, own, prev, years, errors, rules));
    unit?.made([name]);
  };
  // each region and year written once its rows have passed, then released
  let current: RegionYear | null = null;
  const finish = () => {
    if (current) write(current);
    current = null;
  };
  await eachNamedRow<Row>(
    conn,
    `SELECT report_id, agency, CAST(year AS INTEGER) AS year, coalesce(region, '${NO_REGION}') AS region, level,
            ${APPENDIX_COUNTS.map((c) => `CAST(${c.key} AS DOUBLE) AS ${c.key}`).join(', ')}, ${METRICS.map((m) => `${finite(m.key)} AS ${m.key}`).join(', ')}, CAST(open_errors AS INTEGER) AS open_errors
     FROM report_metrics WHERE is_primary AND year IS NOT NULL ORDER BY region, year, report_id`,
    (r) => {
      const k = key(String(r.region), Number(r.year));
      if (current === null || key(current.region, current.year) !== k) {
        finish();
        const b = benchOf.get(k);
        if (!b) return; // not among the benchmarks' regions and years: no page
        current = { region: String(r.region), year: Number(r.year), bench: b, reports: [] };
      }
      current.reports.push(r);
    },
  );
  finish();
  const regions = [...yearsOf.keys()].sort(zhCollator.compare);
  if (!regions.length) return html``;
  return html`<h3 id="regions">地区摘要（可打印）</h3><table class="list regions"><tbody>${regions.map(
    (r) =>
      html`<tr><td>${r}</td><td>${yearsOf.get(r)!.map((y, i) => html`${i ? ' · ' : ''}<a href="${REGIONS_DIR}/${regionPageName(r, y)}">${y}</a>`)}</td></tr>`,
  )}</tbody></table>`;
}
