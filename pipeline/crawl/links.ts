/** Link picking from decoded HTML: report links and next pages on listings, DOCX attachments on report pages. */
import * as cheerio from 'cheerio';
import { isHttpUrl, resolveUrl } from './url-policy.js';

const REPORT_TEXT = /政府信息公开(工作)?年度报告|年报/;
const INDEX_PAGE = /^index(_\d+)?\.s?html?$/i;
// TRS-style CMS pages draw their pager with a script: createPageHTML(pageCount, current, "index", "html").
const SCRIPTED_PAGER = /createPageHTML\(\s*(\d+)\s*,\s*\d+\s*,\s*["']([\w-]+)["']\s*,\s*["'](\w+)["']/;

export interface ListingLinks {
  reports: string[];
  nextPages: string[];
}

function load(html: string, pageUrl: string): { $: cheerio.CheerioAPI; base: string } {
  const $ = cheerio.load(html);
  const baseHref = $('base[href]').first().attr('href');
  return { $, base: baseHref ? resolveUrl(baseHref, pageUrl) : pageUrl };
}

function anchorText($: cheerio.CheerioAPI, a: Parameters<cheerio.CheerioAPI>[0]): string {
  return $(a).text().replace(/\s+/g, ' ').trim();
}

export function findListingLinks(html: string, pageUrl: string, maxPages: number): ListingLinks {
  const { $, base } = load(html, pageUrl);
  const reports = new Set<string>();
  const nextPages = new Set<string>();
  const pageDir = new URL('.', pageUrl).href;

  $('a[href]').each((_, a) => {
    const href = $(a).attr('href') ?? '';
    const text = anchorText($, a);
    const url = resolveUrl(href, base);
    if (REPORT_TEXT.test(`${text} ${$(a).attr('title') ?? ''}`)) {
      reports.add(url);
      return;
    }
    // A pager's javascript: links are disabled buttons, not pages; they are dropped, not refused.
    if (!isHttpUrl(url)) return;
    const compact = text.replace(/\s/g, '');
    const isNextText = /^下一?页/.test(compact) || compact === '>' || compact === '＞';
    const isIndexSibling = new URL('.', url).href === pageDir && INDEX_PAGE.test(new URL(url).pathname.split('/').pop() ?? '');
    if (isNextText || isIndexSibling) nextPages.add(url);
  });

  const pager = SCRIPTED_PAGER.exec(html);
  if (pager) {
    const [, count, stem, ext] = pager;
    for (let i = 1; i < Math.min(Number(count), maxPages); i++) nextPages.add(resolveUrl(`${stem}_${i}.${ext}`, pageUrl));
  }
  nextPages.delete(resolveUrl(pageUrl));
  return { reports: [...reports], nextPages: [...nextPages] };
}

/** Attachments on a report page: hrefs ending in .docx, or anchors whose text ends in .docx. */
export function findDocxLinks(html: string, pageUrl: string): string[] {
  const { $, base } = load(html, pageUrl);
  const found = new Set<string>();
  $('a[href]').each((_, a) => {
    const url = resolveUrl($(a).attr('href') ?? '', base);
    const path = isHttpUrl(url) ? new URL(url).pathname : url;
    if (/\.docx$/i.test(path) || /\.docx$/i.test(anchorText($, a))) found.add(url);
  });
  return [...found];
}

/** Whether fetched bytes are an HTML page worth searching for attachments (not a DOCX/ZIP or PDF). */
export function looksLikeHtml(body: Buffer, contentType: string | null): boolean {
  const magic = body.subarray(0, 4).toString('latin1');
  if (magic.startsWith('PK') || magic === '%PDF') return false;
  if (contentType) return /html|xml/i.test(contentType);
  return /^\s*</.test(body.subarray(0, 512).toString('latin1'));
}
