/**
 * The anomaly report in real headless Chromium (found by test/browser.ts, driven by
 * playwright-core; skipped with a notice where none starts, a failure with REQUIRE_BROWSER=1),
 * from file://, after the real pipeline ran on the sample reports plus a copy with one T3 number
 * changed and a copy carrying script injections.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserForTests } from '../browser.js';
import { query, ROOT, runOn, type PipelineRun } from '../helpers.js';
import { AGENCY, auditInput, BROKEN_DOCX, INJECTED_FILE, MUTATED_FILE, partialHtml, SCRIPT } from './fixture.js';

const ARTIFACTS = join(ROOT, 'test', 'artifacts');

let run: PipelineRun;
const found = await browserForTests('the HTML report in Chromium');
const browser = found as Browser;
let mutatedPage: string;
let injectedPage: string;

async function groupOf(source: string): Promise<string> {
  const rows = await query<{ group_id: string }>(
    run.db,
    'SELECT g.group_id FROM reports r JOIN report_documents g USING (report_id) WHERE r.source = $1',
    [source],
  );
  return rows[0].group_id;
}

/** Opens a page, collecting console errors, page errors and failed requests. */
async function open(file: string, width = 1400): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 1000 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`requestfailed: ${r.url()}`));
  await page.goto(pathToFileURL(file).href);
  return { page, problems };
}

beforeAll(async () => {
  if (!found) return;
  const input = auditInput();
  writeFileSync(join(input, '2021_北京市朝阳区教育委员会_缺表四.html'), partialHtml());
  writeFileSync(join(input, '2021_损坏的附件.docx'), BROKEN_DOCX);
  run = await runOn(input, { noOutputs: false });
  mutatedPage = join(run.out, 'reports', `${await groupOf(MUTATED_FILE)}.html`);
  injectedPage = join(run.out, 'reports', `${await groupOf(INJECTED_FILE)}.html`);
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!found)('the HTML report in Chromium', () => {
  it('loads the summary from file:// with no console error and keeps a screenshot', async () => {
    const { page, problems } = await open(join(run.out, 'index.html'));
    expect(await page.title()).toContain('统计表核查');
    expect(await page.locator('#finding-table tbody tr').count()).toBeGreaterThan(0);
    // nothing disappears silently: the failed and the partial document are listed with their reasons, in Chinese
    const listed = await page.locator('#problems + table').innerText();
    expect(listed).toMatch(/2021_损坏的附件\.docx\s+失败\s+判断文件类型：无法读取的 zip 压缩包/);
    expect(listed).toMatch(/2021_北京市朝阳区教育委员会_缺表四\.html\s+部分识别\s+识别统计表：未找到表四/);
    expect(listed).not.toMatch(/sniff|recognise|not found/);
    expect(run.exitCode).toBe(3);
    await page.screenshot({ path: join(ARTIFACTS, 'report-index.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('highlights the cells of the changed number with published and expected values', async () => {
    const { page, problems } = await open(mutatedPage);
    const rowTotal = await query<{ fingerprint: string }>(
      run.db,
      `SELECT a.fingerprint FROM anomalies a JOIN reports r USING (report_id)
       WHERE r.source = $1 AND a.rule_id = 'T3.ROW_TOTAL' AND a.row_key = 'granted'`,
      [MUTATED_FILE],
    );
    expect(rowTotal).toHaveLength(1);
    // the finding is listed with its fingerprint, message and arithmetic
    const card = page.locator('.finding', { hasText: rowTotal[0].fingerprint });
    await expect(card.count()).resolves.toBe(1);
    expect(await card.innerText()).toMatch(/印为 4，各项之和为 5/);
    expect(await card.innerText()).not.toMatch(/应为|报告为/);
    // the T3 总计 cell of （一）予以公开 shows "4（各项之和 5）" (the total or a part may be wrong); the changed 自然人 cell is
    // highlighted too
    const hits = page.locator('#T3 + .scroll td.hit, #T3 + .scroll td.involved');
    const texts = await hits.allInnerTexts();
    expect(texts.some((t) => /^4\s*（各项之和 5）/.test(t))).toBe(true);
    expect(texts.some((t) => /^5(?!\d)/.test(t))).toBe(true);
    expect(await page.locator('td.hit.sev-error').count()).toBeGreaterThanOrEqual(2);
    // the source document is linked, relative to the page, and the link resolves to the input file
    const href = await page.locator('ul.sources a', { hasText: MUTATED_FILE }).getAttribute('href');
    expect(href).not.toMatch(/^file:/);
    expect(existsSync(new URL(href!, pathToFileURL(mutatedPage)))).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'report-page.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('filters the findings by severity, agency, rule and text', async () => {
    const { page, problems } = await open(join(run.out, 'index.html'));
    const rows = page.locator('#finding-table tbody tr');
    const visible = async (attr: string) =>
      rows.evaluateAll(
        (trs, a) => trs.filter((tr) => !(tr as HTMLElement).hidden).map((tr) => tr.getAttribute(a) ?? ''),
        attr,
      );
    const all = await rows.count();
    expect((await visible('data-sev')).some((s) => s !== '|error|')).toBe(true);

    await page.selectOption('select[data-filter="sev"]', 'error');
    const errors = await visible('data-sev');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.length).toBeLessThan(all);
    expect(new Set(errors)).toEqual(new Set(['|error|']));
    expect(await page.locator('[data-count-of="finding"]').innerText()).toBe(`显示 ${errors.length} / ${all}`);

    await page.selectOption('select[data-filter="sev"]', '');
    await page.selectOption('select[data-filter="agency"]', AGENCY);
    expect(new Set(await visible('data-agency'))).toEqual(new Set([`|${AGENCY}|`]));
    await page.selectOption('select[data-filter="rule"]', 'T3.ROW_TOTAL');
    expect(new Set(await visible('data-rule'))).toEqual(new Set(['|T3.ROW_TOTAL|']));

    await page.selectOption('select[data-filter="agency"]', '');
    await page.selectOption('select[data-filter="rule"]', '');
    await page.fill('input[data-filter="q"]', '平潭');
    const texts = await rows.evaluateAll((trs) =>
      trs.filter((tr) => !(tr as HTMLElement).hidden).map((tr) => tr.textContent ?? ''),
    );
    expect(texts.length).toBeGreaterThan(0);
    expect(texts.every((t) => t.includes('平潭'))).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows injected markup from a document as text and never runs it', async () => {
    for (const file of [injectedPage, join(run.out, 'index.html')]) {
      const { page, problems } = await open(file);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      // the page's own script, and on a report page the file of its peers beside it (standing.ts)
      const scripts = await page.evaluate(() => Array.from(document.scripts).map((s) => s.getAttribute('src')));
      expect(scripts.filter((src) => src === null)).toHaveLength(1);
      expect(
        scripts.filter((src) => src !== null).every((src) => /^\.\.\/peers\/\d{4}-[0-9a-f]{10}\.js$/.test(src!)),
      ).toBe(true);
      expect(await page.locator('img').count()).toBe(0);
      if (file === injectedPage) {
        const text = await page.locator('main').innerText();
        expect(text).toContain(`2020年政府信息公开工作年度报告${SCRIPT}`); // the title as printed
        expect(text).toContain('onerror="window.__pwned=1"'); // the prose sentence of a NARR finding
        expect(await page.locator('td.text', { hasText: SCRIPT }).count()).toBeGreaterThan(0); // the T3 cell
        await page.screenshot({ path: join(ARTIFACTS, 'report-injected.png'), fullPage: true });
      }
      expect(problems).toEqual([]);
      await page.close();
    }
    const raw = readFileSync(injectedPage, 'utf8');
    expect(raw).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(raw.match(/<script>/g)).toHaveLength(1);
    expect(raw.match(/<script src="/g)?.length ?? 0).toBeLessThanOrEqual(1);
  });
});
