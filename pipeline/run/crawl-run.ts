/**
 * Crawling as the first stage of a run: the previous fetch state comes from the warehouse's
 * `fetches` ledger, this run's fetches are appended to it, and the crawled reports become the
 * run's input documents (their URL as `source`).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { crawl, fetchStateFromLedger, type CrawlSource, type FetchRecord, type SourceDown } from '../crawl/index.js';
import type { FetchProblem } from '../outputs/index.js';
import type { InputFile } from '../ingest/index.js';
import type { Logger } from '../common/index.js';
import { timestampOf } from '../warehouse/index.js';

async function previousFetches(
  conn: DuckDBConnection,
): Promise<Pick<FetchRecord, 'url' | 'etag' | 'last_modified' | 'sha256'>[]> {
  const r = await conn.runAndReadAll(
    `SELECT url, etag, last_modified, sha256 FROM fetches WHERE outcome IN ('stored', 'not_modified') ORDER BY fetched_at`,
  );
  return r.getRowObjectsJS() as Pick<FetchRecord, 'url' | 'etag' | 'last_modified' | 'sha256'>[];
}

async function appendFetches(conn: DuckDBConnection, runId: string, records: readonly FetchRecord[]): Promise<void> {
  if (records.length === 0) return;
  const ap = await conn.createAppender('fetches');
  const s = (v: string | null) => (v === null ? ap.appendNull() : ap.appendVarchar(v));
  const n = (v: number | null) => (v === null ? ap.appendNull() : ap.appendInteger(Math.round(v)));
  for (const f of records) {
    s(runId);
    s(f.url);
    s(f.agency);
    s(f.kind);
    ap.appendTimestamp(timestampOf(f.fetched_at));
    n(f.http_status);
    s(f.outcome);
    s(f.reason);
    s(f.etag);
    s(f.last_modified);
    s(f.sha256);
    if (f.size_bytes === null) ap.appendNull();
    else ap.appendBigInt(BigInt(f.size_bytes));
    n(f.attempts);
    n(f.duration_ms);
    ap.endRow();
  }
  ap.closeSync();
}

export interface CrawlStageOptions {
  sources: CrawlSource[];
  rawDir: string;
  runId: string;
  log: Logger;
  /** Crawler settings for tests (timeouts, delays). */
  tuning?: Record<string, number>;
}

/** What a crawl gives the run: the documents to read, and what it could not fetch. */
export interface CrawlStageResult {
  files: InputFile[];
  /** Fetches refused or failed, and links cut by a limit, with the reason. */
  problems: FetchProblem[];
  sourcesDown: SourceDown[];
}

export async function crawlStage(conn: DuckDBConnection, opts: CrawlStageOptions): Promise<CrawlStageResult> {
  const previous = fetchStateFromLedger(await previousFetches(conn));
  const started = Date.now();
  const result = await crawl(opts.sources, {
    rawDir: opts.rawDir,
    previous,
    ...opts.tuning,
    onEvent: (e) =>
      opts.log.log(e.level === 'info' ? 'debug' : e.level, e.message, { document: e.url, stage: 'crawl' }),
  });
  await appendFetches(conn, opts.runId, result.fetches);
  const problems = result.fetches
    .filter(
      (f) =>
        f.outcome === 'refused' || f.outcome === 'error' || (f.outcome === 'skipped' && f.reason?.startsWith('limit:')),
    )
    .map((f) => ({ url: f.url, agency: f.agency, kind: f.kind, outcome: f.outcome, reason: f.reason ?? '' }));
  opts.log.info(
    `crawl: ${result.fetches.length} fetches, ${result.documents.length} report documents, ${problems.length} refused, failed or cut`,
    {
      stage: 'crawl',
      duration_ms: Date.now() - started,
    },
  );
  for (const d of result.sourcesDown)
    opts.log.error(`crawl: no listing page of ${d.agency} could be fetched: ${d.reason}`, {
      document: d.url,
      stage: 'crawl',
    });
  return {
    files: result.documents.map((d) => ({ path: d.path, source: d.url })),
    problems,
    sourcesDown: result.sourcesDown,
  };
}
