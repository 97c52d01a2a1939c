import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeText, detectCharset } from '../../pipeline/crawl/charset.js';
import { sha256Of } from '../../pipeline/common/hash.js';
import { ContentStore } from '../../pipeline/crawl/content-store.js';
import { fetchStateFromLedger } from '../../pipeline/crawl/ledger.js';
import { findAttachmentLinks, findListingLinks, looksLikeHtml } from '../../pipeline/crawl/links.js';
import { RequestGate } from '../../pipeline/crawl/request-gate.js';
import { matchRobots, parseRobots } from '../../pipeline/crawl/robots.js';
import { sleep } from '../../pipeline/crawl/sleep.js';
import { UrlPolicy } from '../../pipeline/crawl/url-policy.js';
import { listingHtml } from './fixture-site.js';

describe('charset', () => {
  const text = '<html><body>某某局2023年政府信息公开工作年度报告</body></html>';

  it('trusts a GBK declaration in the header or in <meta>', () => {
    const bytes = iconv.encode(text, 'gbk');
    expect(detectCharset(bytes, 'text/html; charset=GBK')).toBe('gb18030');
    const withMeta = iconv.encode(`<meta charset="gb2312">${text}`, 'gbk');
    expect(decodeText(withMeta, 'text/html')).toContain('政府信息公开工作年度报告');
  });

  it('sniffs undeclared GBK, and GBK mislabelled as UTF-8 or ISO-8859-1', () => {
    const bytes = iconv.encode(text, 'gbk');
    expect(decodeText(bytes, null)).toBe(text);
    expect(decodeText(bytes, 'text/html; charset=utf-8')).toBe(text);
    expect(decodeText(bytes, 'text/html;charset=ISO-8859-1')).toBe(text);
  });

  it('reads UTF-8, with or without a BOM', () => {
    expect(decodeText(Buffer.from(text), null)).toBe(text);
    expect(decodeText(Buffer.from(`\uFEFF${text}`), 'text/html; charset=utf-8')).toBe(text);
  });
});

describe('links', () => {
  const page = 'http://gov.test/col/nb/index.html';

  it('picks report links by text or title, resolves them, and ignores news', () => {
    const html = listingHtml(
      '年报',
      [
        '<a href="./202401/t1.html">某某局2023年政府信息公开工作年度报告</a>',
        '<a href="/art/2.html" title="某某局2022年政府信息公开年度报告">某某局2022年...</a>',
        '<a href="../x/3.html#top">某某局2021年年报</a>',
        '<a href="/art/4.html">某某局召开年度工作会议</a>',
      ],
      '',
    );
    expect(findListingLinks(html, page, 50).reports).toEqual([
      'http://gov.test/col/nb/202401/t1.html',
      'http://gov.test/art/2.html',
      'http://gov.test/col/x/3.html',
    ]);
  });

  it('finds next pages: 下一页, 下页, ">", index_N.html siblings, and createPageHTML', () => {
    const pager = (p: string) => listingHtml('年报', [], p);
    expect(findListingLinks(pager('<a href="index_1.html">下一页</a>'), page, 50).nextPages).toEqual([
      'http://gov.test/col/nb/index_1.html',
    ]);
    expect(findListingLinks(pager('<a href="list?p=2">下页</a>'), page, 50).nextPages).toEqual([
      'http://gov.test/col/nb/list?p=2',
    ]);
    expect(findListingLinks(pager('<a href="p2.html">&gt;</a>'), page, 50).nextPages).toEqual([
      'http://gov.test/col/nb/p2.html',
    ]);
    expect(
      findListingLinks(pager('<a href="index_4.html">5</a><a href="/other/index_1.html">x</a>'), page, 50).nextPages,
    ).toEqual(['http://gov.test/col/nb/index_4.html']);
    expect(
      findListingLinks(pager('<script>createPageHTML(4, 0, "index", "html");</script>'), page, 3).nextPages,
    ).toEqual(['http://gov.test/col/nb/index_1.html', 'http://gov.test/col/nb/index_2.html']);
    expect(
      findListingLinks(pager('<a href="javascript:void(0)">下一页</a><a href="index.html">首页</a>'), page, 50)
        .nextPages,
    ).toEqual([]);
  });

  it('finds DOCX and PDF attachments by href or by anchor text, honouring <base>', () => {
    const html =
      '<base href="http://gov.test/files/"><a href="P0201.docx">附件1</a><a href="get?id=9">报告.docx</a><a href="a.pdf">PDF</a><a href="f?id=3">年报.PDF</a><a href="b.xls">表</a>';
    expect(findAttachmentLinks(html, 'http://gov.test/art/1.html')).toEqual([
      'http://gov.test/files/P0201.docx',
      'http://gov.test/files/get?id=9',
      'http://gov.test/files/a.pdf',
      'http://gov.test/files/f?id=3',
    ]);
  });

  it('tells HTML from DOCX bytes', () => {
    expect(looksLikeHtml(Buffer.from('PK\x03\x04...'), 'application/octet-stream')).toBe(false);
    expect(looksLikeHtml(Buffer.from('PK\x03\x04...'), 'text/html')).toBe(false);
    expect(looksLikeHtml(Buffer.from('  <html>'), null)).toBe(true);
  });
});

describe('robots.txt', () => {
  const text = [
    'User-agent: *',
    'Disallow: /',
    '',
    'User-agent: Gov-Open-Audit',
    'User-agent: other',
    'Disallow: /private/',
    'Allow: /private/open/',
    'Disallow: /*.pdf$',
    'Disallow:',
    '# comment',
  ].join('\n');

  it('uses our own group in place of *, the longest rule deciding', () => {
    const rules = parseRobots(text, ['gov-open-audit']);
    expect(matchRobots(rules, '/private/a.html')).toMatchObject({ allow: false, pattern: '/private/' });
    expect(matchRobots(rules, '/private/open/a.html')).toMatchObject({ allow: true });
    expect(matchRobots(rules, '/files/x.pdf')).toMatchObject({ allow: false });
    expect(matchRobots(rules, '/files/x.pdf?download=1')).toBeNull();
    expect(matchRobots(rules, '/index.html')).toBeNull();
  });

  it('falls back to the * group when none names us', () => {
    expect(matchRobots(parseRobots(text, ['someone-else']), '/index.html')).toMatchObject({
      allow: false,
      pattern: '/',
    });
    expect(parseRobots('', ['gov-open-audit'])).toEqual([]);
  });
});

describe('url policy', () => {
  const policy = new UrlPolicy(['http://www.gov.test/nb/index.html', 'https://b.gov.test/']);
  it('allows http(s) on listed hosts only', () => {
    expect(policy.refusal('https://www.gov.test/x.docx')).toBeNull();
    expect(policy.refusal('http://B.gov.test:8080/x')).toBeNull();
    expect(policy.refusal('http://evil.test/x')).toBe('host evil.test is not a listed source host');
    expect(policy.refusal('file:///etc/passwd')).toBe('scheme file: is not allowed (only http: and https:)');
    expect(policy.refusal('javascript:void(0)')).toMatch(/^scheme javascript:/);
  });
});

describe('request gate', () => {
  it('caps requests per host and spaces their starts by delayMs', async () => {
    const gate = new RequestGate(8, 2, 20);
    const starts: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const task = async () => {
      starts.push(Date.now());
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await sleep(30);
      inFlight--;
    };
    await Promise.all(Array.from({ length: 5 }, () => gate.run('a.test', task)));
    expect(maxInFlight).toBe(2);
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(18);
  });

  it('caps the overall concurrency across hosts', async () => {
    const gate = new RequestGate(3, 2, 0);
    let inFlight = 0;
    let maxInFlight = 0;
    const task = async () => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await sleep(10);
      inFlight--;
    };
    await Promise.all(['a', 'b', 'c', 'd', 'a', 'b', 'c', 'd'].map((h) => gate.run(h, task)));
    expect(maxInFlight).toBe(3);
  });
});

describe('content store', () => {
  it('stores bytes once under their sha256, leaving no temp file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'store-test-'));
    try {
      const store = new ContentStore(join(dir, 'raw'));
      await store.init();
      const bytes = Buffer.from('某某局2023年政府信息公开工作年度报告');
      const [a, b] = await Promise.all([store.put(bytes), store.put(Buffer.from(bytes))]);
      expect(a).toEqual(b);
      expect(a.sha256).toBe(sha256Of(bytes));
      expect(await readdir(join(dir, 'raw'))).toEqual([a.sha256]);
      expect(await readFile(a.path)).toEqual(bytes);
      expect(await store.sizeOf('0'.repeat(64))).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('fetchStateFromLedger', () => {
  it('keeps the latest record with bytes per URL', () => {
    const states = fetchStateFromLedger([
      { url: 'u', etag: '"1"', last_modified: null, sha256: 'a' },
      { url: 'u', etag: '"2"', last_modified: 'x', sha256: 'b' },
      { url: 'u', etag: null, last_modified: null, sha256: null },
      { url: 'v', etag: null, last_modified: null, sha256: null },
    ]);
    expect([...states]).toEqual([['u', { etag: '"2"', lastModified: 'x', sha256: 'b' }]]);
  });
});
