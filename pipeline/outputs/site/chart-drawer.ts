/**
 * Charts drawn on a worker thread while the main thread goes on: the index's charts are asked for
 * before the exports are written and awaited after (drawing them, Vega's loading included, took
 * 0.4-0.6 s of the main thread's time per run, during which the second core had little to do).
 * The thread starts with the first chart asked for: a run whose charts are all kept starts none.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { distDir } from '../../common/index.js';

/** A chart to draw (as `renderSvg` takes it). */
export interface ChartToDraw {
  id: number;
  spec: Record<string, unknown>;
  rows: readonly Record<string, unknown>[];
  idPrefix: string;
}

/** A chart drawn, or why not. */
export interface ChartDrawn {
  id: number;
  svg?: string;
  error?: string;
}

export class ChartDrawer {
  private worker: Worker | null = null;
  private next = 0;
  private readonly pending = new Map<
    number,
    { resolve: (svg: string) => void; reject: (e: Error) => void; name: string }
  >();

  /** The drawings asked for, settled or not (`finish` waits for them). */
  private readonly asked: Promise<string>[] = [];

  /** Draws a chart on the worker thread; rejects naming the chart when it cannot be drawn. */
  draw(spec: Record<string, unknown>, rows: readonly Record<string, unknown>[], idPrefix: string): Promise<string> {
    const worker = this.start();
    const id = this.next++;
    const drawn = new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, name: idPrefix });
      worker.postMessage({ id, spec, rows, idPrefix } satisfies ChartToDraw);
    });
    this.asked.push(drawn);
    return drawn;
  }

  /**
   * Waits until every chart asked for is drawn (or has failed: the caller's promise says so), then
   * stops the thread, so its memory is gone before what the run does next.
   */
  async finish(): Promise<void> {
    await Promise.allSettled(this.asked);
    await this.close();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(join(distDir(), 'pipeline', 'outputs', 'site', 'chart-worker.js'));
    worker.on('message', (done: ChartDrawn) => {
      const job = this.pending.get(done.id);
      if (!job) return;
      this.pending.delete(done.id);
      if (done.svg !== undefined) job.resolve(done.svg);
      else job.reject(new Error(`chart ${job.name}: ${done.error}`));
    });
    const failAll = (why: string) => {
      for (const job of this.pending.values()) job.reject(new Error(`chart ${job.name}: ${why}`));
      this.pending.clear();
      this.worker = null;
    };
    worker.on('error', (e) => failAll(`the chart worker failed (${e.message.split('\n')[0]})`));
    worker.on('exit', (code) => failAll(`the chart worker exited with code ${code}`));
    // kept referenced: a run awaiting only its charts must not end for want of work (`close` stops it)
    this.worker = worker;
    return worker;
  }

  /** Stops the thread (the charts asked for are drawn by then, or their promises rejected). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }
}
