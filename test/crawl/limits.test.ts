/**
 * The crawler's bounds and what a run says about its fetches: links capped per listing page and
 * per source (what was cut is recorded), refused and failed fetches in the run summary and on the
 * index page, and a site that is down is not a quiet night (exit 3 and a message).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crawl } from '../../pipeline/crawl/index.js';
import { DEFAULT_MAX_LINKS_PER_LISTING } from '../../pipeline/crawl/types.js';
import { formatSummary } from '../../pipeline/outputs/summary.js';
import { readSample, runOn, tempDir } from '../helpers.js';

const FAST = { delayMs: 0, timeoutMs: 400, retries: 1, backoffMs: 10, concurrency: 8, perHost: 8 };
const TITLE = '政府信息公开工作年度报告';

interface Site {
  origin: string;
  reportHits: () => number;
  close: () => Promise<void>;
}

/**
 * /big/index.html links 10,000 reports; /paged/index_N.html 3 pages of 80; /mixed/index.html a
 * real report, one that is missing (404) and one on another host (refused).
 */
async function startSite(): Promise<Site> {
  let reportHits = 0;
  const report = readSample('2020_北京市朝阳区教育委员会.html');
  const page = (links: string[], next = '') =>
    `<html><head><meta charset="utf-8"></head><body><ul>${links.join('')}</ul>${next}</body></html>`;
  const link = (href: string, i: number) => `<li><a href="${href}">2023年某某局${TITLE}（${i}）</a></li>`;
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const send = (status: number, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
      res.end(body);
    };
    if (url === '/robots.txt') return send(404, '');
    if (url === '/big/index.html')
      return send(200, page(Array.from({ length: 10_000 }, (_, i) => link(`/r/${i}.html`, i))));
    const paged = /^\/paged\/index(?:_(\d))?\.html$/.exec(url);
    if (paged) {
      const n = Number(paged[1] ?? 0);
      return send(
        200,
        page(
          Array.from({ length: 80 }, (_, i) => link(`/p/${n}-${i}.html`, i)),
          n < 2 ? `<a href="index_${n + 1}.html">下一页</a>` : '',
        ),
      );
    }
    if (url === '/mixed/index.html') {
      return send(
        200,
        page([link('/m/report.html', 1), link('/m/missing.html', 2), link('http://elsewhere.invalid/r.html', 3)]),
      );
    }
    if (url === '/m/report.html') return send(200, report);
    if (/^\/[rp]\//.test(url)) {
      reportHits++;
      return send(200, `<html><body><h1>${TITLE}</h1></body></html>`);
    }
    send(404, 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, reportHits: () => reportHits, close: () => new Promise((r) => server.close(() => r())) };
}

let site: Site;
beforeAll(async () => {
  site = await startSite();
});
afterAll(() => site.close());

describe('crawl limits', () => {
  it('a listing with 10,000 report links: the first ones fetched, the cut recorded', async () => {
    const result = await crawl([{ agency: '甲局', url: `${site.origin}/big/index.html` }], {
      rawDir: tempDir(),
      ...FAST,
    });
    expect(site.reportHits()).toBe(DEFAULT_MAX_LINKS_PER_LISTING);
    const cut = result.fetches.filter((f) => f.reason?.startsWith('limit:'));
    expect(cut).toHaveLength(1);
    expect(cut[0]).toMatchObject({ url: `${site.origin}/big/index.html`, kind: 'listing', attempts: 0 });
    expect(cut[0].reason).toBe(
      `limit: maxLinksPerListing (${DEFAULT_MAX_LINKS_PER_LISTING}): ${10_000 - DEFAULT_MAX_LINKS_PER_LISTING} of the page's 10000 report links not fetched`,
    );
  }, 30_000);

  it('reports per source are capped across its pages', async () => {
    const before = site.reportHits();
    const result = await crawl([{ agency: '乙局', url: `${site.origin}/paged/index.html` }], {
      rawDir: tempDir(),
      ...FAST,
      maxReportsPerSource: 100,
    });
    expect(site.reportHits() - before).toBe(100);
    const cut = result.fetches
      .filter((f) => f.reason?.startsWith('limit:'))
      .map((f) => [f.url.replace(site.origin, ''), f.reason]);
    expect(cut).toEqual([
      ['/paged/index_1.html', 'limit: maxReportsPerSource (100) reached: 60 report links of this page not fetched'],
      ['/paged/index_2.html', 'limit: maxReportsPerSource (100) reached: 80 report links of this page not fetched'],
    ]);
  });
});

describe('a run that crawls', () => {
  it('lists refused and failed fetches in the summary and on the index page', async () => {
    const run = await runOn(undefined, {
      sources: [{ agency: '丙局', url: `${site.origin}/mixed/index.html` }],
      raw: tempDir(),
      crawlTuning: FAST,
      noOutputs: false,
    });
    expect(run.exitCode).toBe(0);
    const problems = run.summary.fetchProblems
      .map((p) => [p.url.replace(site.origin, ''), p.outcome, p.reason])
      .sort((a, b) => a[0].localeCompare(b[0]));
    expect(problems).toEqual([
      ['/m/missing.html', 'error', 'http: HTTP 404'],
      ['http://elsewhere.invalid/r.html', 'refused', expect.stringMatching(/^policy: host elsewhere\.invalid/)],
    ]);
    const text = formatSummary(run.summary);
    expect(text).toContain(`  error   ${site.origin}/m/missing.html: http: HTTP 404`);
    const index = readFileSync(join(run.out, 'index.html'), 'utf8');
    expect(index).toContain('id="fetches"');
    expect(index).toContain(`${site.origin}/m/missing.html`);
    expect(index).toContain('http: HTTP 404');
  });

  it('a site that is down: exit 3, not a quiet 0 with "0 documents seen", and the summary says which source', async () => {
    const down = await startSite();
    const origin = down.origin;
    await down.close();
    const run = await runOn(undefined, {
      sources: [{ agency: '丁局', url: `${origin}/big/index.html` }],
      raw: tempDir(),
      crawlTuning: FAST,
    });
    expect(run.summary.seen).toBe(0);
    expect(run.exitCode).toBe(3);
    expect(run.summary.sourcesDown).toEqual([
      { agency: '丁局', url: `${origin}/big/index.html`, reason: expect.stringMatching(/ECONNREFUSED/) },
    ]);
    expect(formatSummary(run.summary)).toMatch(/crawl: 1 of 1 sources could not be read \(no listing page fetched\)/);
  });
});
