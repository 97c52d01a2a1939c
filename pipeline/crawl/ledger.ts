/** The fetch ledger: one record per fetch outcome, and the conditional-GET state the next run reads from it. */
import type { CrawlEvent, FetchRecord, FetchState } from './types.js';

const LEVEL_OF: Record<FetchRecord['outcome'], CrawlEvent['level']> = {
  stored: 'info',
  not_modified: 'info',
  skipped: 'info',
  refused: 'warn',
  error: 'error',
};

export class Ledger {
  readonly records: FetchRecord[] = [];

  constructor(private readonly onEvent: (e: CrawlEvent) => void) {}

  add(record: FetchRecord): void {
    this.records.push(record);
    const detail = record.reason ?? `${record.size_bytes ?? 0} bytes, sha256 ${record.sha256?.slice(0, 12)}`;
    this.onEvent({
      level: LEVEL_OF[record.outcome],
      url: record.url,
      message: `${record.kind} ${record.outcome}: ${detail}`,
    });
  }
}

/** The `previous` map for the next crawl: per URL, the validators and bytes of its latest stored fetch. */
export function fetchStateFromLedger(
  records: Iterable<Pick<FetchRecord, 'url' | 'etag' | 'last_modified' | 'sha256'>>,
): Map<string, FetchState> {
  const states = new Map<string, FetchState>();
  for (const r of records) {
    if (r.sha256) states.set(r.url, { etag: r.etag, lastModified: r.last_modified, sha256: r.sha256 });
  }
  return states;
}
