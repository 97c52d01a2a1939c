/**
 * Printing the anomaly report on A4 (issue 21): real headless Chromium prints the index and a
 * report page with a cross-year comparison to PDF. The print stylesheet hides the filters, keeps
 * table rows and finding cards whole, repeats table headers, and keeps the two compared tables
 * side by side. Skipped, with a notice, where no Chromium is installed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserForTests } from '../browser.js';
import { query, REPORTS, ROOT, runOn, type PipelineRun } from '../helpers.js';

const ARTIFACTS = join(ROOT, 'test', 'artifacts');

let run: PipelineRun;
let browser: Browser | null;

/** Pages of a PDF (its page objects). */
const pdfPages = (pdf: Buffer): number => (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;

describe('printing on A4', () => {
  beforeAll(async () => {
    run = await runOn(REPORTS, { noOutputs: false });
    browser = await browserForTests('print.test (printing on A4 in Chromium)');
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function printed(file: string) {
    const page = await browser!.newPage();
    await page.goto(pathToFileURL(file).href);
    await page.emulateMedia({ media: 'print' });
    const pdf = await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
    return { page, pdf };
  }

  it('prints the index without its filters, rows whole and headers repeated', async () => {
    if (!browser) return;
    const { page, pdf } = await printed(join(run.out, 'index.html'));
    writeFileSync(join(ARTIFACTS, 'index-print.pdf'), pdf);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdfPages(pdf)).toBeGreaterThan(1);
    const style = await page.evaluate(() => ({
      filters: getComputedStyle(document.querySelector('.filters')!).display,
      toc: getComputedStyle(document.querySelector('nav.toc')!).display,
      row: getComputedStyle(document.querySelector('table.findings tbody tr')!).breakInside,
      head: getComputedStyle(document.querySelector('table.findings thead')!).display,
      checks: document.querySelectorAll('table.checks tbody tr').length,
    }));
    expect(style).toEqual({
      filters: 'none',
      toc: 'none',
      row: 'avoid',
      head: 'table-header-group',
      checks: expect.any(Number),
    });
    expect(style.checks).toBeGreaterThan(20);
    await page.close();
  });

  it('prints a report page with its findings whole and the compared tables side by side', async () => {
    if (!browser) return;
    // XY.JUMP compares 平潭 2022 with 2021: its page shows both tables
    const [{ group_id }] = await query<{ group_id: string }>(
      run.db,
      "SELECT group_id FROM findings WHERE rule_id = 'XY.JUMP' LIMIT 1",
    );
    const { page, pdf } = await printed(join(run.out, 'reports', `${group_id}.html`));
    writeFileSync(join(ARTIFACTS, 'report-print.pdf'), pdf);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const layout = await page.evaluate(() => {
      const sides = [...document.querySelectorAll('.side > div')].slice(0, 2).map((d) => d.getBoundingClientRect());
      return {
        sides: sides.map((r) => Math.round(r.top)),
        lefts: sides.map((r) => Math.round(r.left)),
        card: getComputedStyle(document.querySelector('.finding')!).breakInside,
        gridRow: getComputedStyle(document.querySelector('table.grid tr')!).breakInside,
      };
    });
    expect(layout.sides).toHaveLength(2);
    expect(layout.sides[0]).toBe(layout.sides[1]); // beside each other, not one under the other
    expect(layout.lefts[0]).toBeLessThan(layout.lefts[1]);
    expect([layout.card, layout.gridRow]).toEqual(['avoid', 'avoid']);
    await page.close();
  });
});
