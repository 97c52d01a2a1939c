/** Public types of the crawler, and the options resolved with their defaults. */

export interface CrawlSource {
  agency: string;
  url: string;
}

/** What the last run learned about a URL, for conditional GET. */
export interface FetchState {
  etag: string | null;
  lastModified: string | null;
  sha256: string | null;
}

export interface CrawlEvent {
  level: 'info' | 'warn' | 'error';
  message: string;
  url?: string;
}

export interface CrawlOptions {
  rawDir: string;
  /** By URL, from the last run's ledger (see fetchStateFromLedger). */
  previous?: Map<string, FetchState>;
  concurrency?: number;
  perHost?: number;
  delayMs?: number;
  timeoutMs?: number;
  /** Attempts per request, the first one included (so 1 = no retry). */
  retries?: number;
  backoffMs?: number;
  maxBytes?: number;
  maxPagesPerSource?: number;
  /**
   * Report links followed per listing page (and attachments per report page); the rest are cut, with a `skipped` row.
   */
  maxLinksPerListing?: number;
  /** Report documents (pages and attachments) fetched per source; the rest are cut, with a `skipped` row per page. */
  maxReportsPerSource?: number;
  userAgent?: string;
  onEvent?: (e: CrawlEvent) => void;
}

export type FetchKind = 'listing' | 'report' | 'robots';
export type FetchOutcome = 'stored' | 'not_modified' | 'refused' | 'error' | 'skipped';

/** One row of the fetch ledger (DuckDB table `fetches`, without run_id). */
export interface FetchRecord {
  url: string;
  agency: string;
  kind: FetchKind;
  fetched_at: Date;
  http_status: number | null;
  outcome: FetchOutcome;
  /** `<stage>: <reason>` when refused, failed or skipped; null otherwise. */
  reason: string | null;
  etag: string | null;
  last_modified: string | null;
  sha256: string | null;
  size_bytes: number | null;
  attempts: number;
  duration_ms: number;
}

export interface CrawledDocument {
  url: string;
  agency: string;
  sha256: string;
  path: string;
  size: number;
  contentType: string | null;
  /** The bytes are those of the previous run (304, or the same sha256). */
  unchanged: boolean;
}

/** A source none of whose listing pages could be fetched: the site is down, or refuses us. */
export interface SourceDown {
  agency: string;
  url: string;
  /** The first listing page's failure. */
  reason: string;
}

export interface CrawlResult {
  fetches: FetchRecord[];
  documents: CrawledDocument[];
  sourcesDown: SourceDown[];
}

/**
 * A listing page of a government site holds 15 to 50 links; 10,000 is a page gone wrong (33 minutes at 5 requests/s).
 */
export const DEFAULT_MAX_LINKS_PER_LISTING = 100;
/**
 * An agency publishes one report a year, often with an attachment:
 * 500 covers decades and stops a runaway site at 100 s.
 */
export const DEFAULT_MAX_REPORTS_PER_SOURCE = 500;

export const DEFAULT_USER_AGENT = 'gov-open-audit/0.1 (+open-government report audit)';

export type Settings = Required<Omit<CrawlOptions, 'previous' | 'onEvent'>> & {
  previous: Map<string, FetchState>;
  onEvent: (e: CrawlEvent) => void;
};

export function resolveSettings(options: CrawlOptions): Settings {
  return {
    rawDir: options.rawDir,
    previous: options.previous ?? new Map(),
    concurrency: options.concurrency ?? 8,
    perHost: options.perHost ?? 2,
    delayMs: options.delayMs ?? 200,
    timeoutMs: options.timeoutMs ?? 30_000,
    retries: Math.max(1, options.retries ?? 3),
    backoffMs: options.backoffMs ?? 500,
    maxBytes: options.maxBytes ?? 50 * 1024 * 1024,
    maxPagesPerSource: options.maxPagesPerSource ?? 50,
    maxLinksPerListing: options.maxLinksPerListing ?? DEFAULT_MAX_LINKS_PER_LISTING,
    maxReportsPerSource: options.maxReportsPerSource ?? DEFAULT_MAX_REPORTS_PER_SOURCE,
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    onEvent: options.onEvent ?? (() => {}),
  };
}
