/**
 * The single writer: reports arriving from the workers are loaded in batches, one transaction
 * per batch (each report whole or not at all), which is what keeps loading off the critical path.
 * A batch that fails is retried report by report, so one bad report fails alone.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { isOutputError } from '../common/index.js';
import { loadReport, loadReports, returnFreedMemory, type ReportRecord } from '../warehouse/index.js';

interface Pending {
  rec: ReportRecord;
  replace: boolean;
  since: number;
  resolve: (r: { cells: number; ms: number }) => void;
  reject: (e: unknown) => void;
}

export class BatchLoader {
  private pending: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Set by idle(): load whatever waits, however few. */
  private finishing = false;

  /**
   * A batch is loaded when `maxBatch` reports wait, or when the oldest has waited `maxWaitMs`:
   * few large transactions (each append and commit has a fixed cost of milliseconds) instead of
   * one per report, and a slow trickle of reports still reaches the warehouse. 64 rather than 128:
   * the reports waiting (up to three batches: `room`) are held in the main thread's heap, and at 64
   * the reading's memory was lower at the same CPU (measured: docs/performance.md).
   */
  constructor(
    private readonly conn: DuckDBConnection,
    private readonly maxBatch = 64,
    private readonly maxWaitMs = 250,
  ) {}

  /** Queues a report; resolves with its cell count and its share of the batch's load time. */
  load(rec: ReportRecord, replace: boolean): Promise<{ cells: number; ms: number }> {
    return new Promise((resolve, reject) => {
      this.pending.push({ rec, replace, since: performance.now(), resolve, reject });
      this.schedule();
    });
  }

  private due(): boolean {
    if (this.pending.length === 0) return false;
    return (
      this.finishing ||
      this.pending.length >= this.maxBatch ||
      performance.now() - this.pending[0].since >= this.maxWaitMs
    );
  }

  /** Starts a drain when a batch is due, or sets a timer for when the oldest report will be. */
  private schedule(): void {
    if (this.flushing) return;
    if (this.due()) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.flushing = this.drain().finally(() => {
        this.flushing = null;
        this.schedule();
      });
    } else if (this.pending.length > 0 && !this.timer) {
      const wait = Math.max(0, this.maxWaitMs - (performance.now() - this.pending[0].since));
      this.timer = setTimeout(() => {
        this.timer = null;
        this.schedule();
      }, wait);
    }
  }

  private async drain(): Promise<void> {
    while (this.due()) {
      const batch = this.pending.splice(0, this.maxBatch);
      const t0 = performance.now();
      try {
        const counts = await loadReports(
          this.conn,
          batch.map((b) => b.rec),
          batch.map((b) => b.replace),
        );
        await returnFreedMemory(this.conn);
        const ms = (performance.now() - t0) / batch.length;
        batch.forEach((b, i) => b.resolve({ cells: counts[i], ms }));
      } catch (e) {
        // A full disk is no report's fault: every report waiting gets that error, none is tried alone.
        if (isOutputError(e)) {
          for (const b of [...batch, ...this.pending.splice(0)]) b.reject(e);
          return;
        }
        for (const [i, b] of batch.entries()) {
          const t1 = performance.now();
          try {
            b.resolve({ cells: await loadReport(this.conn, b.rec, b.replace), ms: performance.now() - t1 });
          } catch (e) {
            if (isOutputError(e)) {
              for (const rest of [...batch.slice(i), ...this.pending.splice(0)]) rest.reject(e);
              return;
            }
            b.reject(e);
          }
        }
      }
    }
  }

  /** Waits while the backlog is long, so extracted reports do not pile up in memory. */
  async room(limit = 2 * this.maxBatch): Promise<void> {
    while (this.pending.length >= limit) {
      this.schedule();
      await this.flushing;
    }
  }

  /** Loads what is queued now and resolves when everything is loaded. */
  async idle(): Promise<void> {
    this.finishing = true;
    try {
      this.schedule();
      while (this.flushing) await this.flushing;
    } finally {
      this.finishing = false;
    }
  }
}
