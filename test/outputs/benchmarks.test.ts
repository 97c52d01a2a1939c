/**
 * The metric dictionary (`metrics`, domain/metrics.ts) and the `benchmarks` view: every rate of
 * report_metrics is defined in the dictionary, and a researcher gets "the P50 grant rate of
 * county-level agencies in 2024" in one query on a warehouse run with an agency CSV.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../domain/metrics.js';
import { browserForTests } from '../browser.js';
import { makeInput, query, ROOT, runOn, tempDir, type PipelineRun } from '../helpers.js';
import { SEED, SEED_AGENCY, variant } from '../rules/cases.js';

/** Agencies of the fixture: name, level, region, granted (of 9 answered), year. */
const AGENCIES: [string, string, string, string, string][] = [
  ['甲县教育局', '县级', '甲市', '1', '2024'],
  ['乙县教育局', '县级', '甲市', '3', '2024'],
  ['丙县教育局', '县级', '乙市', '4', '2024'],
  ['丁县教育局', '县级', '乙市', '8', '2024'],
  ['甲市教育局', '市级', '甲市', '6', '2024'],
  ['甲县教育局', '县级', '甲市', '4', '2023'],
  ['未列机构', '', '', '4', '2024'],
];

let run: PipelineRun;
let agenciesCsv: string;

beforeAll(async () => {
  const files: Record<string, string | Uint8Array> = {};
  for (const [name, , , granted, year] of AGENCIES) {
    files[`${year}_${name}.html`] = await variant(`${SEED}.html`, { 'T3|granted|total': granted }, [
      [SEED_AGENCY, name],
      ['2020年', `${year}年`],
    ]);
  }
  const csv = join(tempDir('goa-agencies-'), 'agencies.csv');
  agenciesCsv = csv;
  writeFileSync(
    csv,
    [
      'agency,parent,region,level',
      ...AGENCIES.filter(([n]) => n !== '未列机构').map(([n, level, region]) => `${n},,${region},${level}`),
    ]
      .filter((l, i, a) => a.indexOf(l) === i)
      .join('\n') + '\n',
  );
  run = await runOn(makeInput(files), { agencies: csv, noOutputs: false });
}, 120_000);

describe('the metric dictionary', () => {
  it('defines every rate column of report_metrics, and the warehouse holds it', async () => {
    const rates = await query<{ column_name: string }>(
      run.db,
      `SELECT column_name FROM duckdb_columns() WHERE table_name = 'report_metrics' AND column_name LIKE '%\\_rate' ESCAPE '\\' ORDER BY column_index`,
    );
    const metrics = await query<{
      key: string;
      name_zh: string;
      formula: string;
      denominator_rule: string;
      unit: string;
      version: number;
    }>(run.db, 'SELECT * FROM metrics ORDER BY key');
    expect(rates.length).toBeGreaterThanOrEqual(7);
    expect(rates.map((r) => r.column_name).sort()).toEqual(metrics.map((m) => m.key));
    expect(metrics.map((m) => m.key)).toEqual(METRICS.map((m) => m.key).sort());
    for (const m of metrics) {
      expect(m.name_zh && m.formula && m.unit && m.version, m.key).toBeTruthy();
      expect(m.denominator_rule, m.key).toContain('NULL');
    }
    // the column's comment names the dictionary's formula
    const [grant] = await query<{ comment: string }>(
      run.db,
      `SELECT comment FROM duckdb_columns() WHERE table_name = 'report_metrics' AND column_name = 'grant_rate'`,
    );
    expect(grant.comment).toContain('予以公开率 = granted ÷ total_processed');
  });
});

describe('benchmarks', () => {
  it('answers "P50 grant rate of county-level agencies in 2024" in one query', async () => {
    const [row] = await query<{ grant_rate_p50: number; reports: number }>(
      run.db,
      `SELECT grant_rate_p50, reports FROM benchmarks WHERE year = 2024 AND region = '全部' AND level = '县级'`,
    );
    // four county agencies in 2024 granting 1, 3, 4, 8 of 9: the median of 1/9, 3/9, 4/9, 8/9
    expect(row.reports).toBe(4);
    expect(row.grant_rate_p50).toBeCloseTo(3.5 / 9, 10);
  });

  it('has a row per year, region and level, 未分区 where the CSV gives none, and the share with errors', async () => {
    const rows = await query<{
      year: number;
      region: string;
      level: string;
      reports: number;
      error_share: number;
      grant_rate_p25: number;
      grant_rate_p75: number;
    }>(run.db, 'SELECT * FROM benchmarks ORDER BY year, region, level');
    const at = (year: number, region: string, level: string) =>
      rows.find((r) => r.year === year && r.region === region && r.level === level);
    expect(at(2024, '全部', '全部')?.reports).toBe(6);
    expect(at(2024, '未分区', '未分级')?.reports).toBe(1);
    expect(at(2024, '甲市', '县级')?.reports).toBe(2);
    expect(at(2024, '乙市', '全部')?.reports).toBe(2);
    expect(at(2023, '甲市', '县级')?.reports).toBe(1);
    // every report whose granted was changed disagrees with its own sums (an error), the one at 4 of 9 does not
    const errors = await query<{ year: number; region: string | null; level: string | null; open_errors: bigint }>(
      run.db,
      `SELECT year, region, level, open_errors FROM report_metrics WHERE is_primary AND year = 2024`,
    );
    const share = errors.filter((e) => Number(e.open_errors) > 0).length / errors.length;
    expect(at(2024, '全部', '全部')?.error_share).toBeCloseTo(share, 10);
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThan(1);
    const county = at(2024, '全部', '县级')!;
    // quantile_cont: 1 + 0.75 × (3 − 1) and 4 + 0.25 × (8 − 4)
    expect(county.grant_rate_p25).toBeCloseTo(2.5 / 9, 10);
    expect(county.grant_rate_p75).toBeCloseTo(5 / 9, 10);
  });
});

/** Chromium for the pages as an auditor sees them (a report's standing, a region's summary printed). */
let browser: Browser | null = null;
beforeAll(async () => {
  browser = await browserForTests(
    "benchmarks.test (a report's standing filled in from its peers' file; a region's summary printed on A4)",
  );
}, 60_000);
afterAll(async () => {
  await browser?.close();
});

describe('a report page', () => {
  it('says where the report stands among the reports of its year and level', async () => {
    const [r] = await query<{ report_id: string }>(
      run.db,
      "SELECT report_id FROM report_metrics WHERE agency = '乙县教育局' AND year = 2024",
    );
    const file = join(run.out, 'reports', `${r.report_id}.html`);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain('与 2024 年级别为“县级”的报告');
    // the page carries its own value; the position and the quartiles come from its peers' file, filled in by its script
    expect(html).toMatch(
      /<tr data-metric="grant_rate" data-value="0\.333333\d*"><td>予以公开率<\/td><td class="n">33\.3%<\/td><td>—<\/td>/,
    );
    if (!browser) return;
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(pathToFileURL(file).href);
    const cells = await page.locator('table.standing tr[data-metric="grant_rate"] td').allTextContents();
    // 3 of 9 among 1, 3, 4 and 8 of 9: above one of the three others; P25/P50/P75 of the four
    expect(cells).toEqual(['予以公开率', '33.3%', '第 33 百分位（高于 1 份，共 4 份）', '27.8%', '38.9%', '55.6%']);
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe("a region's summary", () => {
  const regionPage = () => {
    const index = readFileSync(join(run.out, 'index.html'), 'utf8');
    const row = index.match(/<tr><td>甲市<\/td><td>(.*?)<\/td><\/tr>/)?.[1] ?? '';
    const href = row.match(/href="(regions\/[^"]+-2024\.html)"/)?.[1];
    expect(href).toBeTruthy();
    return join(run.out, href!);
  };

  it('gives the headline figures and their change, the agencies with errors, the methods, and an appendix linked to the cells', async () => {
    const file = regionPage();
    const page = readFileSync(file, 'utf8');
    // 甲市 in 2024: 甲县, 乙县 and 甲市教育局; in 2023: 甲县 alone
    const reports = await query<{
      report_id: string;
      agency: string;
      requests_received: number;
      granted: number;
      open_errors: number;
    }>(
      run.db,
      "SELECT report_id, agency, requests_received::DOUBLE AS requests_received, granted::DOUBLE AS granted, open_errors::INTEGER AS open_errors FROM report_metrics WHERE region = '甲市' AND year = 2024 AND is_primary",
    );
    expect(reports).toHaveLength(3);
    const headline = (label: string) => {
      const m = page.match(
        new RegExp(
          `<tr><td>${label}</td><td class="n">([^<]*)</td><td class="n">([^<]*)</td><td class="n">([^<]*)</td>`,
        ),
      );
      return m ? m.slice(1) : null;
    };
    expect(headline('报告数（每机构每年一份）')).toEqual(['3', '1', '+2']);
    const granted = reports.reduce((a, r) => a + r.granted, 0);
    expect(headline('予以公开（合计）')).toEqual([String(granted), '4', `+${granted - 4}`]);
    // agencies with errors: every report whose granted was changed
    const withErrors = reports.filter((r) => r.open_errors > 0).map((r) => r.agency);
    expect(withErrors.length).toBeGreaterThan(0);
    const errorsSection = page.slice(page.indexOf('id="errors"'), page.indexOf('id="methods"'));
    for (const a of withErrors) expect(errorsSection).toContain(`>${a}</a>`);
    expect(errorsSection).toContain('<code>T3.RESULT_TOTAL</code> （七）总计等于各项办理结果之和');
    // methods: the rules and the metric dictionary
    expect(page).toContain('予以公开率');
    expect(page).toContain('granted ÷ total_processed');
    // appendix: every number links to its cell on the report page, and that cell exists there
    const links = [
      ...page.slice(page.indexOf('id="appendix"')).matchAll(/href="\.\.\/reports\/(r[0-9a-f]+)\.html#(g-[^"]+)"/g),
    ];
    expect(links.length).toBe(3 * 5);
    for (const [, id, anchor] of links) {
      expect(readFileSync(join(run.out, 'reports', `${id}.html`), 'utf8'), `${id}#${anchor}`).toContain(
        `id="${anchor}"`,
      );
    }
    for (const r of reports) expect(page).toContain(`data-key="requests_received" data-value="${r.requests_received}"`);
  });

  it('prints on A4, nothing wider than the page, nothing from the network', async () => {
    if (!browser) return;
    const page = await browser.newPage({ viewport: { width: 718, height: 1000 } }); // A4 less the print margins, at 96 dpi
    const network: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file://')) network.push(r.url());
    });
    await page.goto(pathToFileURL(regionPage()).href);
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const widths = await page.evaluate(() => ({
      page: document.documentElement.clientWidth,
      content: document.documentElement.scrollWidth,
      title: document.title,
    }));
    expect(widths.content).toBeLessThanOrEqual(widths.page);
    expect(widths.title).toBe('甲市 2024 年政府信息公开工作年度报告核查摘要');
    expect(network).toEqual([]);
    await page.close();
  });
});

describe('--summary REGION[:YEAR]', () => {
  const cli = (args: string[]) =>
    spawnSync(
      process.execPath,
      [
        join(ROOT, 'dist', 'pipeline', 'cli.js'),
        '--input',
        run.input!,
        '--db',
        run.db,
        '--out',
        run.out,
        '--agencies',
        agenciesCsv,
        ...args,
      ],
      { encoding: 'utf8' },
    );

  it("names the region's summary for the year (its latest without one) after the run", () => {
    const latest = cli(['--summary', '甲市']);
    expect(latest.status).toBe(0);
    expect(latest.stdout).toMatch(/^region summary: .*\/regions\/r[0-9a-f]{10}-2024\.html$/m);
    const path = latest.stdout.match(/^region summary: (.*)$/m)![1];
    expect(readFileSync(path, 'utf8')).toContain('<title>甲市 2024 年政府信息公开工作年度报告核查摘要</title>');
    const earlier = cli(['--summary', '甲市:2023', '--quiet']);
    expect(earlier.stdout).toMatch(/^region summary: .*-2023\.html$/m);
  });

  it('says which years a region has, or that it has none, on stderr', () => {
    const missingYear = cli(['--summary', '甲市:2019']);
    expect(missingYear.status).toBe(0);
    expect(missingYear.stderr).toContain('pipeline: no summary of 甲市 for 2019 in');
    expect(missingYear.stderr).toContain('it has 2023, 2024');
    expect(cli(['--summary', '丙市']).stderr).toContain('no report of the run is in that region');
  });
});
