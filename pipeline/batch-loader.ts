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

  constructor(
    private readonly conn: DuckDBConnection,
    private readonly maxBatch = 64,
  ) {}

  /** Queues a report; resolves with its cell count and its share of the batch's load time. */
  load(rec: ReportRecord, replace: boolean): Promise<{ cells: number; ms: number }> {
    return new Promise((resolve, reject) => {
      this.pending.push({ rec, replace, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.flushing) return;
    this.flushing = this.drain().finally(() => {
      this.flushing = null;
      if (this.pending.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    await new Promise((r) => setImmediate(r)); // let the reports arriving together share a batch
    while (this.pending.length > 0) {
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
  }

  /** Waits while the backlog is long, so extracted reports do not pile up in memory. */
  async room(limit = 256): Promise<void> {
    while (this.pending.length >= limit && this.flushing) await this.flushing;
  }

  /** Resolves when everything queued is loaded. */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }
}
