/**
 * Nights of crawling a local site of real reports: new reports, a changed report, a server error
 * and a night with nothing new. The warehouse stays correct and a quiet night parses nothing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query, readSample, runOn, tempDir } from '../helpers.js';
import { join } from 'node:path';

interface Served {
  body: Buffer;
  type: string;
  status?: number;
}
const site = new Map<string, Served>();
let server: http.Server;
let origin = '';

function listing(items: [string, string][]): Served {
  const lis = items.map(([href, text]) => `<li><a href="${href}">${text}</a><span>2024-01-20</span></li>`).join('');
  return {
    body: Buffer.from(
      `<html><head><meta charset="utf-8"><title>年报</title></head><body><ul>${lis}<li><a href="/news/1.html">通知公告</a></li></ul></body></html>`,
    ),
    type: 'text/html',
  };
}
const page = (name: string): Served => ({ body: readSample(name), type: 'text/html; charset=utf-8' });
const docx = (name: string): Served => ({
  body: readSample(name),
  type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
});

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const s = site.get(req.url ?? '');
    if (!s) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(s.status ?? 200, { 'content-type': s.type }).end(s.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('nightly crawl runs', () => {
  it('keeps a correct warehouse through new, changed and failing reports', async () => {
    const work = tempDir();
    const db = join(work, 'w.duckdb');
    const raw = join(work, 'raw');
    const sources = [{ agency: '平潭综合实验区', url: `${origin}/pt/index.html` }];
    const tuning = { delayMs: 0, timeoutMs: 5000, retries: 2, backoffMs: 10 };
    const night = () => runOn(undefined, { db, raw, sources, crawlTuning: tuning, workers: 1 });

    // Night 1: two reports, the 2021 one as a page and its DOCX attachment.
    site.set(
      '/pt/index.html',
      listing([
        ['2021.html', '平潭综合实验区2021年度政府信息公开工作年度报告'],
        ['2022.html', '平潭综合实验区2022年度政府信息公开工作年度报告'],
      ]),
    );
    site.set('/pt/2021.html', {
      ...page('2021_平潭综合实验区.html'),
      body: Buffer.concat([
        readSample('2021_平潭综合实验区.html'),
        Buffer.from('<a href="/pt/2021.docx">附件：2021年报.docx</a>'),
      ]),
    });
    site.set('/pt/2021.docx', docx('2021_平潭综合实验区.docx'));
    site.set('/pt/2022.html', page('2022_平潭综合实验区.html'));
    const n1 = await night();
    expect(n1.exitCode).toBe(0);
    expect(n1.summary.new).toBe(3);
    const r1 = await query<{ source: string; year: number; status: string }>(
      db,
      'SELECT source, year, status FROM reports ORDER BY source',
    );
    expect(r1.map((r) => [r.source.replace(origin, ''), r.year, r.status])).toEqual([
      ['/pt/2021.docx', 2021, 'ok'],
      ['/pt/2021.html', 2021, 'ok'],
      ['/pt/2022.html', 2022, 'ok'],
    ]);

    // Night 2: a new report, the 2022 page changed (re-published), and the 2021 page failing with 500.
    site.set(
      '/pt/index.html',
      listing([
        ['2021.html', '平潭综合实验区2021年度政府信息公开工作年度报告'],
        ['2022.html', '平潭综合实验区2022年度政府信息公开工作年度报告'],
        ['2019.html', '平潭综合实验区2019年度政府信息公开工作年度报告'],
      ]),
    );
    site.set('/pt/2019.html', page('2019_平潭综合实验区.html'));
    site.set('/pt/2022.html', {
      ...page('2022_平潭综合实验区.html'),
      body: Buffer.from(
        readSample('2022_平潭综合实验区.html').toString('utf8').replace('</body>', '<p>（2024年1月更正）</p></body>'),
      ),
    });
    site.set('/pt/2021.html', { body: Buffer.from('oops'), type: 'text/plain', status: 500 });
    const n2 = await night();
    expect(n2.exitCode).toBe(0);
    expect(n2.summary.new).toBe(2); // 2019 and the changed 2022
    const fetches = await query<{ url: string; outcome: string; reason: string | null }>(
      db,
      "SELECT url, outcome, reason FROM fetches WHERE url LIKE '%2021.html' ORDER BY fetched_at",
    );
    expect(fetches.at(-1)!.outcome).toBe('error');
    expect(fetches.at(-1)!.reason).toMatch(/500/);
    const years = await query<{ year: number; n: bigint }>(
      db,
      'SELECT year, count(*) AS n FROM reports GROUP BY year ORDER BY year',
    );
    expect(years.map((y) => [y.year, Number(y.n)])).toEqual([
      [2019, 1],
      [2021, 2],
      [2022, 2],
    ]);

    // Night 3: the 2021 page is back; nothing new anywhere: nothing is parsed.
    site.set('/pt/2021.html', {
      ...page('2021_平潭综合实验区.html'),
      body: Buffer.concat([
        readSample('2021_平潭综合实验区.html'),
        Buffer.from('<a href="/pt/2021.docx">附件：2021年报.docx</a>'),
      ]),
    });
    const before = await query(db, 'SELECT * FROM cells ORDER BY report_id, table_id, row_key, col_key');
    const n3 = await night();
    expect(n3.summary.new + n3.summary.reprocessed).toBe(0);
    expect(await query(db, 'SELECT * FROM cells ORDER BY report_id, table_id, row_key, col_key')).toEqual(before);
  });
});
