/**
 * A small government-style site on 127.0.0.1 for the crawler tests: report listings with pagination,
 * GBK pages, redirects, failures, a robots.txt, ETag / Last-Modified handling.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import iconv from 'iconv-lite';

export interface FixtureSite {
  origin: string;
  port: number;
  /** Requests per path (with query), in arrival order of paths. */
  hits: Map<string, number>;
  /** Request headers per path, last request wins. */
  lastHeaders: Map<string, http.IncomingHttpHeaders>;
  /** Highest number of requests in flight at once under /wu/. */
  maxInFlightWu: () => number;
  /** The exact bytes served at a path. */
  bytesOf: (path: string) => Buffer;
  close: () => Promise<void>;
}

type Route = (req: http.IncomingMessage, res: http.ServerResponse, hit: number) => void;

const HTML = 'text/html; charset=utf-8';
const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const LAST_MODIFIED = 'Sat, 20 Jan 2024 08:00:00 GMT';

/** A listing page shaped like real ones: a <ul> of dated links, then a pager. */
export function listingHtml(title: string, items: string[], pager: string, head = '<meta charset="utf-8">'): string {
  const lis = items.map((a) => `    <li>${a}<span>2024-01-20</span></li>`).join('\n');
  return `<!DOCTYPE html>\n<html><head>${head}<title>${title}</title></head>\n<body>\n<div class="nav"><a href="/">首页</a><a href="/news/">新闻动态</a></div>\n  <ul class="list">\n${lis}\n  </ul>\n  <div class="page">${pager}</div>\n</body></html>\n`;
}

export function reportHtml(title: string, extra = '', head = '<meta charset="utf-8">'): string {
  return `<html><head>${head}<title>${title}</title></head><body><h1>${title}</h1><p>一、总体情况</p>${extra}</body></html>\n`;
}

const a = (href: string, text: string, attrs = '') => `<a href="${href}"${attrs}>${text}</a>`;
const gbk = (text: string) => iconv.encode(text, 'gbk');

/** `robots`: the default file, none (404), or a server error (500). */
export async function startFixtureSite(robots: 'default' | 'missing' | 'error' = 'default'): Promise<FixtureSite> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  const bodies = new Map<string, { bytes: Buffer; type: string; validator: 'etag' | 'last-modified' | 'none' }>();
  const page = (
    path: string,
    content: string | Buffer,
    type = HTML,
    validator: 'etag' | 'last-modified' | 'none' = 'etag',
  ) => bodies.set(path, { bytes: typeof content === 'string' ? Buffer.from(content) : content, type, validator });

  if (robots === 'default') {
    page(
      '/robots.txt',
      'User-agent: *\nDisallow: /admin/\n\nUser-agent: gov-open-audit\nDisallow: /private/\n',
      'text/plain',
    );
  }

  // 甲局: UTF-8, three listing pages (下一页, then ">"), the failure cases on the last one.
  page(
    '/jia/index.html',
    listingHtml(
      '甲局政府信息公开年报',
      [
        a('2023.html', '甲局2023年政府信息公开工作年度报告'),
        a('/news/1.html', '甲局召开2024年工作会议'),
        a('/news/2.html', '关于印发《2024年政务公开工作要点》的通知'),
      ],
      `${a('index.html', '首页')} ${a('index_1.html', '下一页')}`,
    ),
  );
  page(
    '/jia/index_1.html',
    listingHtml(
      '甲局政府信息公开年报',
      [
        a('2022.html', '甲局2022年政府信息公...', ' title="甲局2022年政府信息公开工作年度报告"'),
        a('/private/2021.html', '甲局2021年政府信息公开年度报告'),
        a('/news/3.html', '甲局开展安全生产检查'),
      ],
      `${a('index.html', '上一页')} ${a('index_2.html', '&gt;')}`,
    ),
  );
  page(
    '/jia/index_2.html',
    listingHtml(
      '甲局政府信息公开年报',
      [
        a('/mirror/jia-2023.html', '甲局2023年政府信息公开工作年度报告（镜像）'),
        a('missing.html', '甲局2020年政府信息公开工作年度报告'),
        a('flaky.html', '甲局2019年政府信息公开工作年度报告'),
        a('reset.html', '甲局2018年政府信息公开工作年度报告'),
        a('slow.html', '甲局2017年政府信息公开工作年度报告'),
        a('big.html', '甲局2016年政府信息公开工作年度报告'),
        a('big-stream.html', '甲局2015年政府信息公开工作年度报告'),
        a('moved.html', '甲局2014年政府信息公开工作年度报告'),
        a('away.html', '甲局2013年政府信息公开工作年度报告'),
        a('old-2012.html', '甲局2012年政府信息公开工作年度报告'),
        a('javascript:openReport(2011)', '甲局2011年年报'),
        a('ftp://127.0.0.1/jia-2010.docx', '甲局2010年年报'),
      ],
      `${a('index_1.html', '上一页')} ${a('javascript:void(0)', '下一页')}`,
    ),
  );

  const report2023 = reportHtml('甲局2023年政府信息公开工作年度报告');
  page('/jia/2023.html', report2023);
  page('/mirror/jia-2023.html', report2023);
  page(
    '/jia/2022.html',
    reportHtml(
      '甲局2022年政府信息公开工作年度报告',
      `<p>附件：${a('/files/jia-2022.docx', '统计表')} ${a('/download?id=7', '甲局2022年报告全文.docx')} ${a('/files/jia-2022.pdf', '甲局2022年报告（PDF版）')} ${a('/news/4.html', '相关新闻')}</p>`,
    ),
  );
  page('/private/2021.html', reportHtml('甲局2021年政府信息公开年度报告'));
  page('/jia/flaky.html', reportHtml('甲局2019年政府信息公开工作年度报告'));
  page('/jia/reset.html', reportHtml('甲局2018年政府信息公开工作年度报告'));
  page('/jia/2012.html', reportHtml('甲局2012年政府信息公开工作年度报告'));
  page(
    '/files/jia-2022.docx',
    Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from('docx 甲局2022 统计表')]),
    DOCX,
    'last-modified',
  );
  page('/download?id=7', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.from('docx 甲局2022 全文')]), DOCX);
  page('/files/jia-2022.pdf', Buffer.from('%PDF-1.7\n% 甲局2022 PDF\n%%EOF\n'), 'application/pdf');
  for (const n of [1, 2, 3, 4]) page(`/news/${n}.html`, reportHtml(`新闻${n}`));

  // 乙局: GBK declared in the Content-Type header; a numeric pager (index_1.html next to index.html).
  const gbkHeader = 'text/html; charset=GBK';
  page(
    '/yi/index.html',
    gbk(
      listingHtml('乙局年报', [a('2023.html', '乙局2023年政府信息公开工作年度报告')], `${a('index_1.html', '2')}`, ''),
    ),
    gbkHeader,
  );
  page(
    '/yi/index_1.html',
    gbk(listingHtml('乙局年报', [a('2022.html', '乙局2022年政府信息公开工作年度报告')], '', '')),
    gbkHeader,
  );
  page('/yi/2023.html', gbk(reportHtml('乙局2023年政府信息公开工作年度报告', '', '')), gbkHeader);
  page('/yi/2022.html', gbk(reportHtml('乙局2022年政府信息公开工作年度报告', '', '')), gbkHeader);

  // 丙局: GBK declared only in <meta>; pager drawn by a TRS createPageHTML script.
  const metaGb2312 = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">';
  const trsPager = '<script>createPageHTML(2, 0, "index", "html");</script>';
  page(
    '/bing/index.html',
    gbk(listingHtml('丙局年报', [a('2023.html', '丙局2023年政府信息公开工作年度报告')], trsPager, metaGb2312)),
    'text/html',
  );
  page(
    '/bing/index_1.html',
    gbk(listingHtml('丙局年报', [a('2022.html', '丙局2022年政府信息公开年度报告')], trsPager, metaGb2312)),
    'text/html',
  );
  page('/bing/2023.html', gbk(reportHtml('丙局2023年政府信息公开工作年度报告', '', metaGb2312)), 'text/html');
  page('/bing/2022.html', gbk(reportHtml('丙局2022年政府信息公开年度报告', '', metaGb2312)), 'text/html');

  // 丁局: GBK declared nowhere.
  page(
    '/ding/index.html',
    gbk(listingHtml('丁局年报', [a('2023.html', '丁局2023年政府信息公开工作年度报告')], '', '')),
    'text/html',
  );
  page('/ding/2023.html', gbk(reportHtml('丁局2023年政府信息公开工作年度报告', '', '')), 'text/html');

  // 戊局: six slow-ish reports, to watch the per-host cap.
  page(
    '/wu/index.html',
    listingHtml(
      '戊局年报',
      [1, 2, 3, 4, 5, 6].map((n) => a(`r${n}.html`, `戊局20${10 + n}年报`)),
      '',
    ),
  );
  for (const n of [1, 2, 3, 4, 5, 6]) page(`/wu/r${n}.html`, reportHtml(`戊局20${10 + n}年政府信息公开工作年度报告`));

  const serve: Route = (req, res) => {
    const body = bodies.get(req.url ?? '');
    if (!body) {
      res.writeHead(404, { 'content-type': HTML }).end('<h1>404</h1>');
      return;
    }
    const etag = `"${createHash('sha1').update(body.bytes).digest('hex').slice(0, 16)}"`;
    const validators: Record<string, string> =
      body.validator === 'etag'
        ? { etag }
        : body.validator === 'last-modified'
          ? { 'last-modified': LAST_MODIFIED }
          : {};
    const fresh =
      (body.validator === 'etag' && req.headers['if-none-match'] === etag) ||
      (body.validator === 'last-modified' && req.headers['if-modified-since'] === LAST_MODIFIED);
    if (fresh) {
      res.writeHead(304, validators).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': body.type, 'content-length': body.bytes.length, ...validators })
      .end(body.bytes);
  };

  const special = new Map<string, Route>([
    ...(robots === 'error' ? [['/robots.txt', (_req, res) => res.writeHead(500).end()] as [string, Route]] : []),
    ['/jia/flaky.html', (req, res, hit) => (hit === 1 ? res.writeHead(500).end('busy') : serve(req, res, hit))],
    ['/jia/reset.html', (req, res, hit) => (hit === 1 ? req.socket.destroy() : serve(req, res, hit))],
    ['/jia/slow.html', () => {}], // never answers; closeAllConnections ends it
    ['/jia/big.html', (_req, res) => res.writeHead(200, { 'content-type': HTML }).end(Buffer.alloc(10_000, 'x'))],
    [
      '/jia/big-stream.html',
      (_req, res) => {
        res.writeHead(200, { 'content-type': HTML });
        for (let i = 0; i < 5; i++) res.write(Buffer.alloc(2000, 'y'));
        res.end();
      },
    ],
    [
      '/jia/moved.html',
      (_req, res) => res.writeHead(302, { location: `http://127.0.0.2:${port}/jia/2014.html` }).end(),
    ],
    ['/jia/away.html', (_req, res) => res.writeHead(301, { location: 'http://reports.example.org/2013.html' }).end()],
    ['/jia/old-2012.html', (_req, res) => res.writeHead(301, { location: '/jia/2012.html' }).end()],
    ...[1, 2, 3, 4, 5, 6].map((n): [string, Route] => [
      `/wu/r${n}.html`,
      (req, res, hit) => setTimeout(() => serve(req, res, hit), 30),
    ]),
  ]);

  const hits = new Map<string, number>();
  const lastHeaders = new Map<string, http.IncomingHttpHeaders>();
  let inFlightWu = 0;
  let maxInFlightWu = 0;
  server.on('request', (req, res) => {
    const path = req.url ?? '';
    const hit = (hits.get(path) ?? 0) + 1;
    hits.set(path, hit);
    lastHeaders.set(path, req.headers);
    if (path.startsWith('/wu/')) {
      maxInFlightWu = Math.max(maxInFlightWu, ++inFlightWu);
      res.on('close', () => inFlightWu--);
    }
    (special.get(path) ?? serve)(req, res, hit);
  });

  return {
    origin,
    port,
    hits,
    lastHeaders,
    maxInFlightWu: () => maxInFlightWu,
    bytesOf: (path) => bodies.get(path)!.bytes,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
