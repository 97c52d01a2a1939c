/** The crawl itself: walk each source's listing pages, fetch the reports they link, then their DOCX and PDF attachments. */
import { decodeText } from './charset.js';
import { ContentStore } from './content-store.js';
import { Fetcher, type Fetched } from './fetcher.js';
import { Ledger } from './ledger.js';
import { findAttachmentLinks, findListingLinks, looksLikeHtml } from './links.js';
import { RequestGate } from './request-gate.js';
import { resolveSettings, type CrawledDocument, type CrawlOptions, type CrawlResult, type CrawlSource, type Settings } from './types.js';
import { resolveUrl, UrlPolicy } from './url-policy.js';

export async function crawl(sources: CrawlSource[], options: CrawlOptions): Promise<CrawlResult> {
  const settings = resolveSettings(options);
  const store = new ContentStore(settings.rawDir);
  await store.init();
  const ledger = new Ledger(settings.onEvent);
  const gate = new RequestGate(settings.concurrency, settings.perHost, settings.delayMs);
  const fetcher = new Fetcher(settings, new UrlPolicy(sources.map((s) => s.url)), gate, store, ledger);
  const run = new CrawlRun(settings, fetcher, ledger);
  await Promise.all(sources.map((source) => run.crawlSource(source)));
  return { fetches: ledger.records, documents: [...run.documentsBySha.values()] };
}

class CrawlRun {
  /** Every URL this run has fetched or queued, so each is fetched once whichever page links it. */
  private readonly claimed = new Set<string>();
  /** One document per distinct content: a report at two URLs is kept under the first URL stored. */
  readonly documentsBySha = new Map<string, CrawledDocument>();

  constructor(
    private readonly settings: Settings,
    private readonly fetcher: Fetcher,
    private readonly ledger: Ledger,
  ) {}

  async crawlSource(source: CrawlSource): Promise<void> {
    const { agency } = source;
    const maxPages = this.settings.maxPagesPerSource;
    const start = resolveUrl(source.url);
    const queue = this.claim(start) ? [start] : [];
    const reportFetches: Promise<void>[] = [];

    for (let pagesFetched = 0; queue.length > 0; pagesFetched++) {
      if (pagesFetched >= maxPages) {
        for (const url of queue) this.recordSkipped(url, agency, `limit: maxPagesPerSource (${maxPages}) reached`);
        break;
      }
      const page = await this.fetcher.fetch(queue.shift()!, 'listing', agency);
      if (!page.body) continue;
      const links = this.parse(page, (html) => findListingLinks(html, page.finalUrl, maxPages), { reports: [], nextPages: [] });
      queue.push(...links.nextPages.filter((url) => this.claim(url)));
      // Reports start as soon as they are found; the request gate keeps the pace polite.
      for (const url of links.reports.filter((u) => this.claim(u))) reportFetches.push(this.fetchReport(url, agency));
    }
    await Promise.all(reportFetches);
  }

  private async fetchReport(url: string, agency: string): Promise<void> {
    const report = await this.fetcher.fetch(url, 'report', agency);
    if (!report.body) return;
    this.addDocument(report, agency);
    if (!looksLikeHtml(report.body, report.contentType)) return;
    const attachments = this.parse(report, (html) => findAttachmentLinks(html, report.finalUrl), []);
    await Promise.all(
      attachments
        .filter((u) => this.claim(u))
        .map(async (attachmentUrl) => {
          const attachment = await this.fetcher.fetch(attachmentUrl, 'report', agency);
          if (attachment.body) this.addDocument(attachment, agency);
        }),
    );
  }

  private claim(url: string): boolean {
    if (this.claimed.has(url)) return false;
    this.claimed.add(url);
    return true;
  }

  private addDocument(fetched: Fetched, agency: string): void {
    const { record } = fetched;
    if (!record.sha256 || !fetched.path || this.documentsBySha.has(record.sha256)) return;
    this.documentsBySha.set(record.sha256, {
      url: record.url,
      agency,
      sha256: record.sha256,
      path: fetched.path,
      size: record.size_bytes ?? 0,
      contentType: fetched.contentType,
      unchanged: fetched.unchanged,
    });
  }

  /** Decodes and parses a fetched page; a page that will not parse is reported and yields `fallback`. */
  private parse<T>(fetched: Fetched, pick: (html: string) => T, fallback: T): T {
    try {
      return pick(decodeText(fetched.body!, fetched.contentType));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.settings.onEvent({ level: 'error', url: fetched.record.url, message: `parse: ${fetched.record.kind} page: ${reason}` });
      return fallback;
    }
  }

  private recordSkipped(url: string, agency: string, reason: string): void {
    this.ledger.add({
      url, agency, kind: 'listing', fetched_at: new Date(), http_status: null, outcome: 'skipped', reason,
      etag: null, last_modified: null, sha256: null, size_bytes: null, attempts: 0, duration_ms: 0,
    });
  }
}
