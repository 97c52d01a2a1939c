/**
 * One logical fetch of a URL: URL policy and robots.txt checked at every redirect hop, retries with
 * backoff, conditional GET, the size cap, the raw store, and exactly one ledger record.
 */
import type { ContentStore } from './content-store.js';
import { httpGet, type Exchange } from './http-exchange.js';
import type { Ledger } from './ledger.js';
import type { RequestGate } from './request-gate.js';
import { RobotsGuard, type RobotsFile } from './robots.js';
import { sleep } from './sleep.js';
import type { FetchKind, FetchOutcome, FetchRecord, FetchState, Settings } from './types.js';
import { resolveUrl, type UrlPolicy } from './url-policy.js';

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const MAX_RETRY_AFTER_MS = 60_000;

export interface Fetched {
  record: FetchRecord;
  /** The bytes: fresh, or read back from the store on a 304. Null when nothing usable came back. */
  body: Buffer | null;
  contentType: string | null;
  /** The URL after redirects, against which relative links resolve. */
  finalUrl: string;
  path: string | null;
  unchanged: boolean;
}

/** What `follow` found; `fetch` turns it into a ledger record. */
interface Result {
  outcome: FetchOutcome;
  reason?: string;
  status?: number;
  etag?: string | null;
  lastModified?: string | null;
  contentType?: string | null;
  sha256?: string;
  size?: number;
  path?: string;
  body?: Buffer;
  unchanged?: boolean;
}

interface Trace {
  attempts: number;
  finalUrl: string;
}

type UsablePrevious = FetchState & { sha256: string };

export class Fetcher {
  private readonly robots: RobotsGuard;

  constructor(
    private readonly settings: Settings,
    private readonly policy: UrlPolicy,
    private readonly gate: RequestGate,
    private readonly store: ContentStore,
    private readonly ledger: Ledger,
  ) {
    const productToken = settings.userAgent.split('/')[0].trim().toLowerCase();
    this.robots = new RobotsGuard(['gov-open-audit', productToken], (url, agency) => this.loadRobots(url, agency));
  }

  /** Never throws: every failure ends up as a ledger record with `<stage>: <reason>`. */
  async fetch(url: string, kind: FetchKind, agency: string): Promise<Fetched> {
    const fetchedAt = new Date();
    const trace: Trace = { attempts: 0, finalUrl: url };
    let result: Result;
    try {
      result = await this.follow(url, kind, agency, trace);
    } catch (err) {
      result = { outcome: 'error', reason: `internal: ${err instanceof Error ? err.message : String(err)}` };
    }
    const record: FetchRecord = {
      url,
      agency,
      kind,
      fetched_at: fetchedAt,
      http_status: result.status ?? null,
      outcome: result.outcome,
      reason: result.reason ?? null,
      etag: result.etag ?? null,
      last_modified: result.lastModified ?? null,
      sha256: result.sha256 ?? null,
      size_bytes: result.size ?? null,
      attempts: trace.attempts,
      duration_ms: Date.now() - fetchedAt.getTime(),
    };
    this.ledger.add(record);
    return {
      record,
      body: result.body ?? null,
      contentType: result.contentType ?? null,
      finalUrl: trace.finalUrl,
      path: result.path ?? null,
      unchanged: result.unchanged ?? false,
    };
  }

  private async follow(url: string, kind: FetchKind, agency: string, trace: Trace): Promise<Result> {
    const previous = await this.usablePrevious(url);
    const headers = this.requestHeaders(previous);
    // On a refused hop, the status of the redirect that led there (null on the first hop: no response yet).
    let redirectStatus: number | undefined;
    for (let hop = 0; ; hop++) {
      const current = trace.finalUrl;
      const policyRefusal = this.policy.refusal(current);
      if (policyRefusal) {
        const reason = hop === 0 ? `policy: ${policyRefusal}` : `redirect: to ${current} refused: ${policyRefusal}`;
        return { outcome: 'refused', reason, status: redirectStatus };
      }
      if (kind !== 'robots') {
        const robotsRefusal = await this.robots.refusal(current, agency);
        if (robotsRefusal) {
          return {
            outcome: 'refused',
            reason: `robots: ${robotsRefusal}${hop ? ` (at ${current})` : ''}`,
            status: redirectStatus,
          };
        }
      }

      const exchange = await this.requestWithRetries(current, headers, trace);
      if (exchange.kind === 'failure') return { outcome: 'error', reason: exchange.reason };
      const { status, headers: h } = exchange;
      const response = {
        status,
        etag: h.get('etag'),
        lastModified: h.get('last-modified'),
        contentType: h.get('content-type'),
      };

      if (REDIRECT_STATUSES.has(status)) {
        const location = h.get('location');
        if (!location)
          return { ...response, outcome: 'error', reason: `redirect: HTTP ${status} without a Location header` };
        if (hop === MAX_REDIRECTS)
          return { ...response, outcome: 'error', reason: `redirect: more than ${MAX_REDIRECTS} redirects` };
        trace.finalUrl = resolveUrl(location, current);
        redirectStatus = status;
        continue;
      }
      if (status === 304 && previous) return this.notModified(previous, response);
      if (kind === 'robots' && status >= 400 && status < 500) {
        return {
          ...response,
          outcome: 'skipped',
          reason: `robots: no robots.txt (HTTP ${status}), everything allowed`,
        };
      }
      if (status < 200 || status >= 300) return { ...response, outcome: 'error', reason: `http: HTTP ${status}` };
      if (exchange.tooLarge || !exchange.body) {
        return {
          ...response,
          outcome: 'refused',
          reason: `size: body larger than maxBytes (${this.settings.maxBytes} bytes)`,
        };
      }

      let blob;
      try {
        blob = await this.store.put(exchange.body);
      } catch (err) {
        return { ...response, outcome: 'error', reason: `store: ${err instanceof Error ? err.message : String(err)}` };
      }
      const unchanged = blob.sha256 === this.settings.previous.get(url)?.sha256;
      return { ...response, outcome: 'stored', ...blob, body: exchange.body, unchanged };
    }
  }

  private async notModified(previous: UsablePrevious, response: Omit<Result, 'outcome'>): Promise<Result> {
    const body = await this.store.read(previous.sha256);
    return {
      ...response,
      outcome: 'not_modified',
      // A 304 may omit the validators; keep the previous ones so the next run can still ask conditionally.
      etag: response.etag ?? previous.etag,
      lastModified: response.lastModified ?? previous.lastModified,
      sha256: previous.sha256,
      size: body.byteLength,
      path: this.store.pathOf(previous.sha256),
      body,
      unchanged: true,
    };
  }

  private async requestWithRetries(url: string, headers: Record<string, string>, trace: Trace): Promise<Exchange> {
    const { retries, timeoutMs, maxBytes, backoffMs } = this.settings;
    const host = new URL(url).hostname;
    for (let attempt = 1; ; attempt++) {
      trace.attempts++;
      const exchange = await this.gate.run(host, () => httpGet(url, headers, timeoutMs, maxBytes));
      const why = retryReason(exchange);
      if (!why || attempt >= retries) return exchange;
      const retryAfterMs = exchange.kind === 'response' ? Number(exchange.headers.get('retry-after')) * 1000 : NaN;
      const wait = Math.max(
        backoffMs * 2 ** (attempt - 1),
        Number.isFinite(retryAfterMs) ? Math.min(retryAfterMs, MAX_RETRY_AFTER_MS) : 0,
      );
      this.settings.onEvent({
        level: 'warn',
        url,
        message: `retry ${attempt + 1}/${retries} in ${wait} ms after ${why}`,
      });
      await sleep(wait);
    }
  }

  /** The previous state, if it has validators and its bytes are still in the store (a 304 needs them). */
  private async usablePrevious(url: string): Promise<UsablePrevious | null> {
    const state = this.settings.previous.get(url);
    if (!state?.sha256 || (!state.etag && !state.lastModified)) return null;
    if ((await this.store.sizeOf(state.sha256)) === null) return null;
    return { ...state, sha256: state.sha256 };
  }

  private requestHeaders(previous: UsablePrevious | null): Record<string, string> {
    const headers: Record<string, string> = {
      'user-agent': this.settings.userAgent,
      accept:
        'text/html,application/xhtml+xml,application/vnd.openxmlformats-officedocument.wordprocessingml.document,*/*;q=0.8',
      'accept-language': 'zh-CN,zh;q=0.9',
    };
    if (previous?.etag) headers['if-none-match'] = previous.etag;
    if (previous?.lastModified) headers['if-modified-since'] = previous.lastModified;
    return headers;
  }

  private async loadRobots(robotsUrl: string, agency: string): Promise<RobotsFile> {
    const fetched = await this.fetch(robotsUrl, 'robots', agency);
    const { http_status: status, reason, outcome } = fetched.record;
    return { status, body: fetched.body, reason: outcome === 'skipped' ? null : reason };
  }
}

function retryReason(exchange: Exchange): string | null {
  if (exchange.kind === 'failure') return exchange.retryable ? exchange.reason : null;
  return exchange.status >= 500 || exchange.status === 429 ? `HTTP ${exchange.status}` : null;
}
