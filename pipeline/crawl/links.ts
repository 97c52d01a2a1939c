/**
 * Link picking from decoded HTML: report links and next pages on listings, DOCX and PDF attachments on report pages.
 */
import { createRequire } from 'node:module';
import { isHttpUrl, resolveUrl } from './url-policy.js';

// Loaded on the first page crawled: a run that does not crawl keeps cheerio out of memory
// (its size: docs/performance.md).
let cheerioModule: typeof import('cheerio') | null = null;
const cheerio = (): typeof import('cheerio') =>
  (cheerioModule ??= createRequire(import.meta.url)('cheerio') as typeof import('cheerio'));

const REPORT_TEXT = /政府信息公开(工作)?年度报告|年报/;
const INDEX_PAGE = /^index(_\d+)?\.s?html?$/i;
// TRS-style CMS pages draw their pager with a script: createPageHTML(pageCount, current, "index", "html").
const SCRIPTED_PAGER = /createPageHTML\(\s*(\d+)\s*,\s*\d+\s*,\s*["']([\w-]+)["']\s*,\s*["'](\w+)["']/;

interface Anchor {
  /** Absolute, fragment dropped; left as written when it does not parse. */
  url: string;
  text: string;
  title: string;
}

function anchorsOf(html: string, pageUrl: string): Anchor[] {
  const $ = cheerio().load(html);
  const baseHref = $('base[href]').first().attr('href');
  const base = baseHref ? resolveUrl(baseHref, pageUrl) : pageUrl;
  return $('a[href]')
    .toArray()
    .map((a) => ({
      url: resolveUrl($(a).attr('href') ?? '', base),
      text: $(a).text().replace(/\s+/g, ' ').trim(),
      title: $(a).attr('title') ?? '',
    }));
}

function fileName(url: string): string {
  return new URL(url).pathname.split('/').pop() ?? '';
}

export interface ListingLinks {
  reports: string[];
  nextPages: string[];
}

export function findListingLinks(html: string, pageUrl: string, maxPages: number): ListingLinks {
  const reports = new Set<string>();
  const nextPages = new Set<string>();
  const pageDir = new URL('.', pageUrl).href;

  for (const a of anchorsOf(html, pageUrl)) {
    if (REPORT_TEXT.test(`${a.text} ${a.title}`)) {
      reports.add(a.url);
      continue;
    }
    // A pager's javascript: links are disabled buttons, not pages: dropped, not refused.
    if (!isHttpUrl(a.url)) continue;
    const label = a.text.replace(/\s/g, '');
    const isNextLabel = /^下一?页/.test(label) || label === '>' || label === '＞';
    const isIndexSibling = new URL('.', a.url).href === pageDir && INDEX_PAGE.test(fileName(a.url));
    if (isNextLabel || isIndexSibling) nextPages.add(a.url);
  }

  const pager = SCRIPTED_PAGER.exec(html);
  if (pager) {
    const [, count, stem, ext] = pager;
    for (let i = 1; i < Math.min(Number(count), maxPages); i++)
      nextPages.add(resolveUrl(`${stem}_${i}.${ext}`, pageUrl));
  }
  nextPages.delete(resolveUrl(pageUrl));
  return { reports: [...reports], nextPages: [...nextPages] };
}

/** Attachments on a report page: hrefs ending in .docx or .pdf, or anchors whose text ends so. */
export function findAttachmentLinks(html: string, pageUrl: string): string[] {
  const found = new Set<string>();
  for (const a of anchorsOf(html, pageUrl)) {
    const path = isHttpUrl(a.url) ? new URL(a.url).pathname : a.url;
    if (ATTACHMENT.test(path) || ATTACHMENT.test(a.text)) found.add(a.url);
  }
  return [...found];
}

const ATTACHMENT = /\.(docx|pdf)$/i;

/** Whether fetched bytes are an HTML page worth searching for attachments (not a DOCX/ZIP or a PDF). */
export function looksLikeHtml(body: Buffer, contentType: string | null): boolean {
  const magic = body.subarray(0, 4).toString('latin1');
  if (magic.startsWith('PK') || magic === '%PDF') return false;
  if (contentType) return /html|xml/i.test(contentType);
  return /^\s*</.test(body.subarray(0, 512).toString('latin1'));
}
