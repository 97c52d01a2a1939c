/** The crawler: fetches agencies' annual-report listing pages, their reports and DOCX and PDF attachments. */
export { crawl } from './crawler.js';
export { fetchStateFromLedger } from './ledger.js';
export { readSourcesCsv } from './sources-csv.js';
export type {
  CrawledDocument,
  CrawlEvent,
  CrawlOptions,
  CrawlResult,
  CrawlSource,
  FetchKind,
  FetchOutcome,
  FetchRecord,
  FetchState,
  SourceDown,
} from './types.js';
export { DEFAULT_MAX_LINKS_PER_LISTING, DEFAULT_MAX_REPORTS_PER_SOURCE } from './types.js';
