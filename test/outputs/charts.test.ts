/**
 * The charts (issue 23) in real headless Chromium: the index's charts and an agency's page are
 * present, carry the numbers of the data written beside them (each mark's label against the CSV,
 * the CSV against the warehouse), and nothing loads from the network nor breaks the
 * Content-Security-Policy. A report page says where the report stands among its year and level.
 * Skipped, with a notice, where no Chromium runs (REQUIRE_BROWSER=1 makes that a failure).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsvExport } from '../../pipeline/outputs/exports/exports.js';
import { browserForTests } from '../browser.js';
import { query, REPORTS, ROOT, runOn, type PipelineRun } from '../helpers.js';

let run: PipelineRun;
let browser: Browser | null;

beforeAll(async () => {
  run = await runOn(REPORTS, { noOutputs: false, agencies: join(ROOT, 'test', 'fixtures', 'agencies.csv') });
  browser = await browserForTests('charts.test (charts in Chromium)');
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

/** Opens a page, recording every request that is not a file of --out, and every CSP violation. */
async function open(file: string): Promise<{ page: Page; network: string[]; violations: string[] }> {
  const page = await browser!.newPage();
  const network: string[] = [];
  const violations: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith('file://')) network.push(r.url());
  });
  page.on('console', (m) => {
    if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text());
  });
  await page.goto(pathToFileURL(file).href);
  return { page, network, violations };
}

interface Figure {
  name: string;
  svgWidth: number;
  labels: string[];
  headers: string[];
  cells: { key: string; value: string }[][];
  links: string[];
}

/** Every chart of the page: its SVG's size and mark labels, its table's cells, its links. */
const figures = (page: Page): Promise<Figure[]> =>
  page.evaluate(() =>
    [...document.querySelectorAll('figure.chart[data-chart]')].map((f) => ({
      name: f.getAttribute('data-chart')!,
      svgWidth: f.querySelector('svg')?.getBoundingClientRect().width ?? 0,
      labels: [...f.querySelectorAll('svg [aria-label]')].map((e) => e.getAttribute('aria-label')!),
      headers: [...f.querySelectorAll('table.chart-data thead th')].map((th) => th.textContent!),
      cells: [...f.querySelectorAll('table.chart-data tbody tr')].map((tr) =>
        [...tr.querySelectorAll('td')].map((td) => ({
          key: td.getAttribute('data-key')!,
          value: td.getAttribute('data-value')!,
        })),
      ),
      links: [...f.querySelectorAll('figcaption a')].map((a) => a.getAttribute('href')!),
    })),
  );

const pct = (v: string) => `${Math.round(Number(v) * 100)}%`;

/** The CSV beside a chart, and a check that the chart's table holds the same rows. */
function dataBeside(dir: string, f: Figure): Record<string, string | null>[] {
  expect(f.links).toEqual(
    [`${f.name}.csv`, `${f.name}.svg`].map((n) => (dir.endsWith('agencies') ? `./${n}` : `charts/${n}`)),
  );
  const csv = readCsvExport(readFileSync(join(dir, `${f.name}.csv`), 'utf8'));
  expect(f.cells.map((row) => Object.fromEntries(row.map((c) => [c.key, c.value === '' ? null : c.value])))).toEqual(
    csv.rows.map((r) =>
      Object.fromEntries(
        f.cells[0].map((c) => [
          c.key,
          r[c.key] === null ? null : String(Number.isNaN(Number(r[c.key])) ? r[c.key] : Number(r[c.key])),
        ]),
      ),
    ),
  );
  // the SVG file is the chart inlined
  expect(readFileSync(join(dir, `${f.name}.svg`), 'utf8')).toMatch(/^<svg /);
  return csv.rows;
}

describe('charts in Chromium', () => {
  it('the index shows its five charts with the numbers of the data beside them, nothing from the network', async () => {
    if (!browser) return;
    const { page, network, violations } = await open(join(run.out, 'index.html'));
    const figs = await figures(page);
    expect(figs.map((f) => f.name)).toEqual([
      'totals-by-year',
      'rates-by-year',
      'rate-distribution',
      'errors-by-region',
      'quality-by-year',
    ]);
    for (const f of figs) expect(f.svgWidth, f.name).toBeGreaterThan(150);
    // the text is drawn in the pages' Chinese fonts, and the ids of the inlined SVGs are unique on the page
    const fonts = await page.evaluate(() => [
      ...new Set([...document.querySelectorAll('figure.chart svg text')].map((t) => t.getAttribute('font-family'))),
    ]);
    expect(fonts.length).toBeGreaterThan(0);
    for (const f of fonts) expect(f).toContain('Noto Sans CJK SC');
    const ids = await page.evaluate(() => [...document.querySelectorAll('[id]')].map((e) => e.id));
    expect(ids.length).toBe(new Set(ids).size);
    const chartsDir = join(run.out, 'charts');
    const at = (name: string) => figs.find((f) => f.name === name)!;

    // totals: a point per year and total, labelled with the CSV's number; the CSV is the warehouse's sum
    const totals = at('totals-by-year');
    const totalRows = dataBeside(chartsDir, totals);
    expect(totalRows.map((r) => r.year)).toEqual(['2019', '2020', '2021', '2022', '2023']);
    for (const r of totalRows) {
      for (const [i, key] of ['requests_received', 'total_processed', 'granted'].entries()) {
        expect(totals.labels).toContain(`年度: ${r.year}; 件数: ${r[key]}; 指标: ${totals.headers[2 + i]}`);
      }
    }
    const [sums] = await query<{ received: number }>(
      run.db,
      'SELECT sum(requests_received)::DOUBLE AS received FROM report_metrics WHERE is_primary AND year = 2021',
    );
    expect(Number(totalRows.find((r) => r.year === '2021')!.requests_received)).toBe(sums.received);

    // rates: the medians of benchmarks
    const rates = at('rates-by-year');
    const rateRows = dataBeside(chartsDir, rates);
    const bench = await query<{ year: number; grant_rate_p50: number }>(
      run.db,
      "SELECT year, grant_rate_p50 FROM benchmarks WHERE region = '全部' AND level = '全部' ORDER BY year",
    );
    expect(rateRows.map((r) => Number(r.grant_rate_p50))).toEqual(bench.map((b) => b.grant_rate_p50));
    for (const r of rateRows)
      expect(rates.labels).toContain(`年度: ${r.year}; 比率（中位数）: ${pct(r.grant_rate_p50!)}; 指标: 予以公开率`);

    // distribution: a box per year and rate
    const dist = at('rate-distribution');
    const distRows = dataBeside(chartsDir, dist);
    expect(distRows.filter((r) => r.metric === 'grant_rate')).toHaveLength(5);
    const pct1 = (v: string | null) => `${(Number(v) * 100).toFixed(1)}%`;
    for (const r of distRows) {
      expect(dist.labels).toContain(
        `${r.metric_zh} ${r.year} 年：中位数 ${pct1(r.p50)}，P25–P75 ${pct1(r.p25)}–${pct1(r.p75)}，${r.n} 份报告`,
      );
    }

    // heatmap: a cell per region and year, the share with errors
    const heat = at('errors-by-region');
    const heatRows = dataBeside(chartsDir, heat);
    expect(new Set(heatRows.map((r) => r.region))).toEqual(new Set(['福建省平潭', '北京市朝阳区', '未分区']));
    for (const r of heatRows)
      expect(heat.labels).toContain(`年度: ${r.year}; 地区: ${r.region}; 比例: ${pct(r.error_share!)}`);

    // quality: the documents of each year (three formats of one report) and the reports passing every rule
    const quality = at('quality-by-year');
    const qualityRows = dataBeside(chartsDir, quality);
    expect(qualityRows.map((r) => [r.year, r.documents_ok, r.reports])).toEqual(
      ['2019', '2020', '2021', '2022', '2023'].map((y) => [y, '3', '1']),
    );
    const [passing] = await query<{ n: bigint }>(
      run.db,
      'SELECT count(*) AS n FROM report_metrics m WHERE year = 2021 AND NOT EXISTS (SELECT 1 FROM findings f WHERE f.group_id = m.report_id AND f.counted)',
    );
    expect(qualityRows.find((r) => r.year === '2021')!.reports_passing).toBe(String(passing.n));
    expect(quality.labels).toContain(`年度: 2021; 个数: ${passing.n}; 指标: 通过全部规则的报告`);

    // the metric dictionary is shown
    expect(await page.locator('table.metrics tbody tr').count()).toBe(7);
    expect(network).toEqual([]);
    expect(violations).toEqual([]);
    await page.close();
  });

  it('an agency page shows its years, its rates and its carry-over chain, from the warehouse', async () => {
    if (!browser) return;
    const index = await open(join(run.out, 'index.html'));
    const href = await index.page.locator('#agencies ~ p.agency-list a').first().getAttribute('href');
    await index.page.close();
    expect(href).toMatch(/^agencies\/a[0-9a-f]{12}\.html$/);
    const { page, network, violations } = await open(join(run.out, href!));
    expect(await page.locator('header h1').textContent()).toBe('平潭综合实验区：历年情况');
    const figs = await figures(page);
    expect(figs.map((f) => f.name.replace(/^a[0-9a-f]+-/, ''))).toEqual(['rates', 'carry']);
    const dir = join(run.out, 'agencies');
    const years = await query<{
      year: number;
      report_id: string;
      grant_rate: number;
      carried_forward: number;
      carried_over: number;
    }>(
      run.db,
      "SELECT year, report_id, grant_rate, carried_forward::DOUBLE AS carried_forward, carried_over::DOUBLE AS carried_over FROM report_metrics WHERE is_primary AND agency = '平潭综合实验区' ORDER BY year",
    );
    const rates = dataBeside(dir, figs[0]);
    expect(rates.map((r) => [Number(r.year), Number(r.grant_rate)])).toEqual(years.map((y) => [y.year, y.grant_rate]));
    for (const r of rates)
      expect(figs[0].labels).toContain(`年度: ${r.year}; 比率: ${pct(r.grant_rate!)}; 指标: 予以公开率`);
    // the chain: 2021's 结转下年度 against 2022's 上年结转 (2019 → 2021 are not adjacent years)
    const chain = dataBeside(dir, figs[1]);
    const y2021 = years.find((y) => y.year === 2021)!;
    const y2022 = years.find((y) => y.year === 2022)!;
    expect(chain).toEqual([
      expect.objectContaining({
        pair: '2021→2022',
        carried_forward: String(y2021.carried_forward),
        carried_over: String(y2022.carried_over),
      }),
    ]);
    expect(figs[1].labels).toContain(`年度: 2021→2022; 件数: ${y2021.carried_forward}; 指标: 结转下年度（前一年）`);
    // every year links to its report page, which exists
    const links = await page.locator('table.years a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(years.map((y) => `../reports/${y.report_id}.html`));
    for (const l of links) expect(existsSync(join(dir, l!))).toBe(true);
    expect(network).toEqual([]);
    expect(violations).toEqual([]);
    await page.close();
  });

  it('a report page says where it stands in its year and level, and links to its agency', async () => {
    if (!browser) return;
    const [r] = await query<{ report_id: string; grant_rate: number }>(
      run.db,
      "SELECT report_id, grant_rate FROM report_metrics WHERE is_primary AND agency = '平潭综合实验区' AND year = 2022",
    );
    const { page, network } = await open(join(run.out, 'reports', `${r.report_id}.html`));
    const row = await page.locator('table.standing tr[data-metric="grant_rate"] td').allTextContents();
    // alone in 2022 at level 市级 in this sample
    expect(row.slice(0, 3)).toEqual(['予以公开率', `${(r.grant_rate * 100).toFixed(1)}%`, '同组只有本报告']);
    expect(await page.locator('#standing ~ p a[href^="../agencies/"]').count()).toBe(1);
    expect(network).toEqual([]);
    await page.close();
  });
});
