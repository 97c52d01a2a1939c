/**
 * The crawl itself: walk each source's listing pages, fetch the reports they link, then their DOCX and PDF attachments.
 */
import { decodeText } from './charset.js';
import { ContentStore } from './content-store.js';
import { Fetcher, type Fetched } from './fetcher.js';
import { Ledger } from './ledger.js';
import { findAttachmentLinks, findListingLinks, looksLikeHtml } from './links.js';
import { RequestGate } from './request-gate.js';
import {
  resolveSettings,
  type CrawledDocument,
  type CrawlOptions,
  type CrawlResult,
  type CrawlSource,
  type FetchKind,
  type Settings,
  type SourceDown,
} from './types.js';
import { resolveUrl, UrlPolicy } from './url-policy.js';

export async function crawl(sources: CrawlSource[], options: CrawlOptions): Promise<CrawlResult> {
  const settings = resolveSettings(options);
  const store = new ContentStore(settings.rawDir);
  await store.init();
  const ledger = new Ledger(settings.onEvent);
  const gate = new RequestGate(settings.concurrency, settings.perHost, settings.delayMs);
  const fetcher = new Fetcher(settings, new UrlPolicy(sources.map((s) => s.url)), gate, store, ledger);
  const run = new CrawlRun(settings, fetcher, ledger);
  const down = await Promise.all(sources.map((source) => run.crawlSource(source)));
  return {
    fetches: ledger.records,
    documents: [...run.documentsBySha.values()],
    sourcesDown: down.filter((d): d is SourceDown => d !== null),
  };
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

  /** Crawls one source; the source when none of its listing pages could be fetched, else null. */
  async crawlSource(source: CrawlSource): Promise<SourceDown | null> {
    const { agency } = source;
    const maxPages = this.settings.maxPagesPerSource;
    const start = resolveUrl(source.url);
    const queue = this.claim(start) ? [start] : [];
    const reportFetches: Promise<void>[] = [];
    const budget = { reports: this.settings.maxReportsPerSource };
    let listed = 0;
    let firstFailure: string | null = null;

    for (let pagesFetched = 0; queue.length > 0; pagesFetched++) {
      if (pagesFetched >= maxPages) {
        for (const url of queue) this.recordSkipped(url, agency, `limit: maxPagesPerSource (${maxPages}) reached`);
        break;
      }
      const page = await this.fetcher.fetch(queue.shift()!, 'listing', agency);
      if (!page.body) {
        firstFailure ??= page.record.reason ?? page.record.outcome;
        continue;
      }
      listed++;
      const links = this.parse(page, (html) => findListingLinks(html, page.finalUrl, maxPages), {
        reports: [],
        nextPages: [],
      });
      queue.push(...links.nextPages.filter((url) => this.claim(url)));
      // Reports start as soon as they are found; the request gate keeps the pace polite.
      for (const url of this.withinLimits(links.reports, page, agency, budget))
        reportFetches.push(this.fetchReport(url, agency, budget));
    }
    await Promise.all(reportFetches);
    // A start URL another source claimed first is not this source's failure.
    return listed === 0 && firstFailure !== null ? { agency, url: source.url, reason: firstFailure } : null;
  }

  /**
   * The links of a page to fetch: at most maxLinksPerListing of them, and no more than the
   * source's budget of reports has left; what is cut is recorded on the page (one `skipped` row).
   */
  private withinLimits(found: readonly string[], page: Fetched, agency: string, budget: { reports: number }): string[] {
    const perPage = this.settings.maxLinksPerListing;
    const fresh = found.filter((u) => !this.claimed.has(u));
    const kept = fresh.slice(0, perPage);
    if (fresh.length > perPage) {
      this.recordSkipped(
        page.record.url,
        agency,
        `limit: maxLinksPerListing (${perPage}): ${fresh.length - perPage} of the page's ${fresh.length} report links not fetched`,
        page.record.kind,
      );
    }
    const allowed = kept.slice(0, Math.max(0, budget.reports));
    budget.reports -= allowed.length;
    if (allowed.length < kept.length) {
      const max = this.settings.maxReportsPerSource;
      this.recordSkipped(
        page.record.url,
        agency,
        `limit: maxReportsPerSource (${max}) reached: ${kept.length - allowed.length} report links of this page not fetched`,
        page.record.kind,
      );
    }
    return allowed.filter((u) => this.claim(u));
  }

  private async fetchReport(url: string, agency: string, budget: { reports: number }): Promise<void> {
    const report = await this.fetcher.fetch(url, 'report', agency);
    if (!report.body) return;
    this.addDocument(report, agency);
    if (!looksLikeHtml(report.body, report.contentType)) return;
    const attachments = this.parse(report, (html) => findAttachmentLinks(html, report.finalUrl), []);
    await Promise.all(
      this.withinLimits(attachments, report, agency, budget).map(async (attachmentUrl) => {
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
      this.settings.onEvent({
        level: 'error',
        url: fetched.record.url,
        message: `parse: ${fetched.record.kind} page: ${reason}`,
      });
      return fallback;
    }
  }

  private recordSkipped(url: string, agency: string, reason: string, kind: FetchKind = 'listing'): void {
    this.ledger.add({
      url,
      agency,
      kind,
      fetched_at: new Date(),
      http_status: null,
      outcome: 'skipped',
      reason,
      etag: null,
      last_modified: null,
      sha256: null,
      size_bytes: null,
      attempts: 0,
      duration_ms: 0,
    });
  }
}
