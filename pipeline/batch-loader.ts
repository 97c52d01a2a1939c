/**
 * The single writer: reports arriving from the workers are loaded in batches, one transaction
 * per batch (each report whole or not at all), which is what keeps loading off the critical path.
 * A batch that fails is retried report by report, so one bad report fails alone.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { loadReport, loadReports, type ReportRecord } from './warehouse.js';

interface Pending {
  rec: ReportRecord;
  replace: boolean;
  resolve: (r: { cells: number; ms: number }) => void;
  reject: (e: unknown) => void;
}

export class BatchLoader {
  private pending: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  /**
   * A batch is loaded when `maxBatch` reports wait, or `maxWaitMs` after the first arrived:
   * few large transactions (each commit syncs the WAL) instead of one per report.
   */
  constructor(
    private readonly conn: DuckDBConnection,
    private readonly maxBatch = 64,
    private readonly maxWaitMs = 100,
  ) {}

  /** Queues a report; resolves with its cell count and its share of the batch's load time. */
  load(rec: ReportRecord, replace: boolean): Promise<{ cells: number; ms: number }> {
    return new Promise((resolve, reject) => {
      this.pending.push({ rec, replace, resolve, reject });
      if (this.pending.length >= this.maxBatch) this.kick(false);
      else this.timer ??= setTimeout(() => this.kick(true), this.maxWaitMs);
    });
  }

  /** Loads full batches, and with `all` whatever waits; a remainder waits for more or for the timer. */
  private kick(all: boolean): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.flushing) {
      if (all) this.flushAll = true;
      return;
    }
    this.flushAll ||= all;
    this.flushing = this.drain().finally(() => {
      this.flushing = null;
      if (this.pending.length >= this.maxBatch || (this.flushAll && this.pending.length > 0)) this.kick(false);
      else if (this.pending.length > 0) this.timer ??= setTimeout(() => this.kick(true), this.maxWaitMs);
    });
  }

  private flushAll = false;

  private async drain(): Promise<void> {
    while (this.pending.length >= this.maxBatch || (this.flushAll && this.pending.length > 0)) {
      const batch = this.pending.splice(0, this.maxBatch);
      const t0 = performance.now();
      try {
        const counts = await loadReports(this.conn, batch.map((b) => b.rec), batch.map((b) => b.replace));
        const ms = (performance.now() - t0) / batch.length;
        batch.forEach((b, i) => b.resolve({ cells: counts[i], ms }));
      } catch {
        for (const b of batch) {
          const t1 = performance.now();
          try {
            b.resolve({ cells: await loadReport(this.conn, b.rec, b.replace), ms: performance.now() - t1 });
          } catch (e) {
            b.reject(e);
          }
        }
      }
    }
    this.flushAll = false;
  }

  /** Waits while the backlog is long, so extracted reports do not pile up in memory. */
  async room(limit = 256): Promise<void> {
    while (this.pending.length >= limit) {
      this.kick(false);
      await this.flushing;
    }
  }

  /** Loads what is queued now and resolves when everything is loaded. */
  async idle(): Promise<void> {
    if (this.pending.length > 0) this.kick(true);
    while (this.flushing) await this.flushing;
  }
}
