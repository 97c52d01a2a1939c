import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  crawl,
  fetchStateFromLedger,
  type CrawlOptions,
  type CrawlResult,
  type CrawlSource,
  type FetchRecord,
} from '../../pipeline/crawl/index.js';
import { startFixtureSite, type FixtureSite } from './fixture-site.js';

const tempDirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'crawl-test-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(tempDirs.map((d) => rm(d, { recursive: true, force: true })));
});

// Short limits so the failure cases cost milliseconds, not the 30 s defaults.
const FAST: Omit<CrawlOptions, 'rawDir'> = { delayMs: 2, timeoutMs: 400, retries: 2, backoffMs: 10, maxBytes: 4096 };

/** A port nothing listens on (fetch itself blocks some low ports such as 1, so take a real one and free it). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function recordOf(result: CrawlResult, url: string): FetchRecord {
  const matches = result.fetches.filter((f) => f.url === url);
  expect(matches, `one ledger record for ${url}`).toHaveLength(1);
  return matches[0];
}

describe('crawl of a government-style site', () => {
  let site: FixtureSite;
  let rawDir: string;
  let first: CrawlResult;
  let hitsAfterFirst: Map<string, number>;
  let second: CrawlResult;
  const events: string[] = [];
  const u = (path: string) => `${site.origin}${path}`;

  beforeAll(async () => {
    site = await startFixtureSite();
    rawDir = await tempDir();
    const sources: CrawlSource[] = [
      { agency: '甲局', url: u('/jia/index.html') },
      { agency: '乙局', url: u('/yi/index.html') },
      { agency: '丙局', url: u('/bing/index.html') },
      { agency: '丁局', url: u('/ding/index.html') },
    ];
    first = await crawl(sources, { rawDir, ...FAST, onEvent: (e) => events.push(`${e.level} ${e.url} ${e.message}`) });
    hitsAfterFirst = new Map(site.hits);
    second = await crawl(sources, { rawDir, ...FAST, previous: fetchStateFromLedger(first.fetches) });
  });
  afterAll(() => site.close());

  it('follows pagination: 下一页, ">", index_N.html next to index.html, and a createPageHTML script', () => {
    const listings = first.fetches
      .filter((f) => f.kind === 'listing')
      .map((f) => f.url.replace(site.origin, ''))
      .sort();
    expect(listings).toEqual([
      '/bing/index.html',
      '/bing/index_1.html',
      '/ding/index.html',
      '/jia/index.html',
      '/jia/index_1.html',
      '/jia/index_2.html',
      '/yi/index.html',
      '/yi/index_1.html',
    ]);
    expect(first.fetches.filter((f) => f.kind === 'listing').every((f) => f.outcome === 'stored')).toBe(true);
  });

  it('picks report links (by text or title) and DOCX and PDF attachments, never the news links', () => {
    const stored = first.fetches
      .filter((f) => f.kind === 'report' && f.outcome === 'stored')
      .map((f) => f.url.replace(site.origin, ''));
    expect(stored.sort()).toEqual([
      '/bing/2022.html',
      '/bing/2023.html',
      '/ding/2023.html',
      '/download?id=7',
      '/files/jia-2022.docx',
      '/files/jia-2022.pdf',
      '/jia/2022.html',
      '/jia/2023.html',
      '/jia/flaky.html',
      '/jia/old-2012.html',
      '/jia/reset.html',
      '/mirror/jia-2023.html',
      '/yi/2022.html',
      '/yi/2023.html',
    ]);
    for (const path of ['/news/1.html', '/news/2.html', '/news/3.html', '/news/4.html', '/']) {
      expect(hitsAfterFirst.get(path) ?? 0, path).toBe(0);
    }
  });

  it('decodes GBK pages declared in the header, in <meta>, or nowhere, and stores their bytes unchanged', async () => {
    for (const path of ['/yi/2023.html', '/yi/2022.html', '/bing/2023.html', '/bing/2022.html', '/ding/2023.html']) {
      expect(recordOf(first, u(path)).outcome, path).toBe('stored');
    }
    const listing = recordOf(first, u('/yi/index.html'));
    expect(await readFile(join(rawDir, listing.sha256!))).toEqual(site.bytesOf('/yi/index.html'));
  });

  it('stores content once, by sha256, with no temp files left', async () => {
    const files = await readdir(rawDir);
    expect(files.filter((f) => f.startsWith('.tmp'))).toEqual([]);
    const storedShas = new Set(first.fetches.filter((f) => f.outcome === 'stored').map((f) => f.sha256));
    expect(new Set(files)).toEqual(storedShas);
    for (const file of files) {
      expect(
        createHash('sha256')
          .update(await readFile(join(rawDir, file)))
          .digest('hex'),
      ).toBe(file);
    }
  });

  it('keeps one document for the same report at two URLs', () => {
    const original = recordOf(first, u('/jia/2023.html'));
    const mirror = recordOf(first, u('/mirror/jia-2023.html'));
    expect(mirror.sha256).toBe(original.sha256);
    expect(first.documents.filter((d) => d.sha256 === original.sha256)).toHaveLength(1);
    expect(first.documents).toHaveLength(13);
    expect(new Set(first.documents.map((d) => d.sha256)).size).toBe(13);
    const docx = first.documents.find((d) => d.url === u('/files/jia-2022.docx'))!;
    expect(docx).toMatchObject({ agency: '甲局', size: site.bytesOf('/files/jia-2022.docx').length, unchanged: false });
    expect(docx.contentType).toContain('wordprocessingml');
    expect(docx.path).toBe(join(rawDir, docx.sha256));
    const pdf = first.documents.find((d) => d.url === u('/files/jia-2022.pdf'))!;
    expect(pdf).toMatchObject({
      agency: '甲局',
      size: site.bytesOf('/files/jia-2022.pdf').length,
      contentType: 'application/pdf',
    });
  });

  it('honours robots.txt: fetched once, the forbidden report never requested', () => {
    expect(hitsAfterFirst.get('/robots.txt')).toBe(1);
    expect(first.fetches.filter((f) => f.kind === 'robots')).toHaveLength(1);
    expect(hitsAfterFirst.get('/private/2021.html') ?? 0).toBe(0);
    const forbidden = recordOf(first, u('/private/2021.html'));
    expect(forbidden).toMatchObject({ outcome: 'refused', http_status: null, attempts: 0, sha256: null });
    expect(forbidden.reason).toMatch(/^robots: disallowed by robots\.txt \(Disallow: \/private\/\)/);
  });

  it('refuses redirects to other hosts and non-http links, follows same-host redirects', () => {
    const moved = recordOf(first, u('/jia/moved.html'));
    expect(moved).toMatchObject({ outcome: 'refused', http_status: 302, attempts: 1 });
    expect(moved.reason).toContain(
      `redirect: to http://127.0.0.2:${site.port}/jia/2014.html refused: host 127.0.0.2 is not a listed source host`,
    );
    expect(recordOf(first, u('/jia/away.html')).reason).toContain(
      'host reports.example.org is not a listed source host',
    );
    expect(hitsAfterFirst.get('/jia/moved.html')).toBe(1);
    expect(recordOf(first, 'javascript:openReport(2011)')).toMatchObject({
      outcome: 'refused',
      reason: 'policy: scheme javascript: is not allowed (only http: and https:)',
    });
    expect(recordOf(first, 'ftp://127.0.0.1/jia-2010.docx').reason).toMatch(/^policy: scheme ftp:/);
    const followed = recordOf(first, u('/jia/old-2012.html'));
    expect(followed).toMatchObject({ outcome: 'stored', http_status: 200, attempts: 2 });
    expect(hitsAfterFirst.get('/jia/2012.html')).toBe(1);
  });

  it('records a 404 without retrying, and retries a 500 and a connection reset', () => {
    expect(recordOf(first, u('/jia/missing.html'))).toMatchObject({
      outcome: 'error',
      http_status: 404,
      reason: 'http: HTTP 404',
      attempts: 1,
    });
    expect(recordOf(first, u('/jia/flaky.html'))).toMatchObject({ outcome: 'stored', http_status: 200, attempts: 2 });
    expect(recordOf(first, u('/jia/reset.html'))).toMatchObject({ outcome: 'stored', http_status: 200, attempts: 2 });
    expect(
      events.some((e) => e.startsWith('warn') && e.includes('/jia/flaky.html') && e.includes('after HTTP 500')),
    ).toBe(true);
  });

  it('gives up on a response slower than the timeout, after the configured attempts', () => {
    const slow = recordOf(first, u('/jia/slow.html'));
    expect(slow).toMatchObject({
      outcome: 'error',
      http_status: null,
      attempts: 2,
      reason: 'timeout: no complete response within 400 ms',
    });
    expect(slow.duration_ms).toBeGreaterThanOrEqual(800);
  });

  it('refuses bodies past maxBytes, declared or streamed', () => {
    for (const path of ['/jia/big.html', '/jia/big-stream.html']) {
      expect(recordOf(first, u(path)), path).toMatchObject({
        outcome: 'refused',
        http_status: 200,
        sha256: null,
        reason: 'size: body larger than maxBytes (4096 bytes)',
      });
    }
  });

  it('fills every ledger field with the declared types', () => {
    for (const f of first.fetches) {
      expect(Object.keys(f).sort()).toEqual([
        'agency',
        'attempts',
        'duration_ms',
        'etag',
        'fetched_at',
        'http_status',
        'kind',
        'last_modified',
        'outcome',
        'reason',
        'sha256',
        'size_bytes',
        'url',
      ]);
      expect(f.fetched_at).toBeInstanceOf(Date);
      expect(f.reason === null).toBe(f.outcome === 'stored' || f.outcome === 'not_modified');
      expect(f.sha256 !== null).toBe(f.outcome === 'stored' || f.outcome === 'not_modified');
    }
    expect(recordOf(first, u('/jia/2023.html'))).toMatchObject({
      agency: '甲局',
      kind: 'report',
      etag: expect.stringMatching(/^"/),
      last_modified: null,
    });
    expect(recordOf(first, u('/files/jia-2022.docx'))).toMatchObject({
      etag: null,
      last_modified: 'Sat, 20 Jan 2024 08:00:00 GMT',
    });
    expect(site.lastHeaders.get('/jia/index.html')?.['user-agent']).toBe(
      'gov-open-audit/0.1 (+open-government report audit)',
    );
  });

  it('second crawl asks conditionally (ETag and Last-Modified) and reuses the stored bytes on 304', () => {
    expect(site.lastHeaders.get('/jia/2023.html')?.['if-none-match']).toBe(recordOf(first, u('/jia/2023.html')).etag);
    expect(site.lastHeaders.get('/files/jia-2022.docx')?.['if-modified-since']).toBe('Sat, 20 Jan 2024 08:00:00 GMT');
    for (const path of [
      '/robots.txt',
      '/jia/index.html',
      '/yi/index.html',
      '/jia/2023.html',
      '/files/jia-2022.docx',
      '/download?id=7',
      '/jia/old-2012.html',
    ]) {
      const again = recordOf(second, u(path));
      expect(again, path).toMatchObject({
        outcome: 'not_modified',
        http_status: 304,
        sha256: recordOf(first, u(path)).sha256,
      });
    }
    // Pagination and attachments are still found from the stored copies of 304 pages.
    expect(second.fetches.filter((f) => f.kind === 'listing' && f.outcome === 'not_modified')).toHaveLength(8);
    expect(second.documents).toHaveLength(13);
    expect(second.documents.every((d) => d.unchanged)).toBe(true);
    expect(recordOf(second, u('/private/2021.html')).outcome).toBe('refused');
  });
});

describe('crawl bounds and politeness', () => {
  let site: FixtureSite;
  beforeAll(async () => {
    site = await startFixtureSite();
  });
  afterAll(() => site.close());

  it('stops at maxPagesPerSource and records the pages it skipped', async () => {
    const result = await crawl([{ agency: '甲局', url: `${site.origin}/jia/index.html` }], {
      rawDir: await tempDir(),
      ...FAST,
      maxPagesPerSource: 2,
    });
    expect(recordOf(result, `${site.origin}/jia/index_2.html`)).toMatchObject({
      outcome: 'skipped',
      kind: 'listing',
      attempts: 0,
      reason: 'limit: maxPagesPerSource (2) reached',
    });
    expect(site.hits.get('/jia/index_2.html') ?? 0).toBe(0);
  });

  it('keeps at most perHost requests in flight on one host', async () => {
    const result = await crawl([{ agency: '戊局', url: `${site.origin}/wu/index.html` }], {
      rawDir: await tempDir(),
      ...FAST,
      concurrency: 8,
      perHost: 2,
    });
    expect(result.documents).toHaveLength(6);
    expect(site.maxInFlightWu()).toBe(2);
  });

  it('never throws for bad sources: invalid, non-http, or unreachable', async () => {
    const closed = `http://127.0.0.1:${await closedPort()}`;
    const result = await crawl(
      [
        { agency: '坏', url: 'not a url' },
        { agency: '坏', url: 'file:///etc/passwd' },
        { agency: '关', url: `${closed}/index.html` },
      ],
      { rawDir: await tempDir(), ...FAST },
    );
    expect(recordOf(result, 'not a url')).toMatchObject({
      outcome: 'refused',
      reason: 'policy: not a valid URL: not a url',
    });
    expect(recordOf(result, 'file:///etc/passwd').reason).toMatch(/^policy: scheme file:/);
    // robots.txt unreachable: RFC 9309 says treat the site as disallowed.
    expect(recordOf(result, `${closed}/robots.txt`)).toMatchObject({ outcome: 'error', attempts: 1 });
    expect(recordOf(result, `${closed}/robots.txt`).reason).toMatch(/^network: .*ECONNREFUSED/);
    expect(recordOf(result, `${closed}/index.html`).reason).toMatch(/^robots: robots\.txt unavailable \(network: /);
    expect(result.documents).toEqual([]);
  });
});

describe('robots.txt absent or failing', () => {
  it('a 404 robots.txt allows everything', async () => {
    const site = await startFixtureSite('missing');
    try {
      const result = await crawl([{ agency: '甲局', url: `${site.origin}/jia/index_1.html` }], {
        rawDir: await tempDir(),
        ...FAST,
        maxPagesPerSource: 1,
      });
      expect(recordOf(result, `${site.origin}/robots.txt`)).toMatchObject({ outcome: 'skipped', http_status: 404 });
      expect(recordOf(result, `${site.origin}/private/2021.html`).outcome).toBe('stored');
    } finally {
      await site.close();
    }
  });

  it('a 500 robots.txt (after retries) refuses the whole site', async () => {
    const site = await startFixtureSite('error');
    try {
      const result = await crawl([{ agency: '甲局', url: `${site.origin}/jia/index.html` }], {
        rawDir: await tempDir(),
        ...FAST,
      });
      expect(recordOf(result, `${site.origin}/robots.txt`)).toMatchObject({
        outcome: 'error',
        http_status: 500,
        attempts: 2,
      });
      expect(recordOf(result, `${site.origin}/jia/index.html`)).toMatchObject({
        outcome: 'refused',
        reason: 'robots: robots.txt unavailable (http: HTTP 500), so the whole site is treated as disallowed',
      });
      expect(site.hits.get('/jia/index.html') ?? 0).toBe(0);
    } finally {
      await site.close();
    }
  });
});
