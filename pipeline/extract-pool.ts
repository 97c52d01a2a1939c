/**
 * A pool of worker threads running the extractor, so parsing uses every core while the main
 * thread alone writes to DuckDB. A worker that crashes or hangs fails only its document.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Extraction, StageTimings } from '../extractors/index.js';
import { StageError, type Message } from '../extractors/model.js';
import { distDir } from './paths.js';

export interface ExtractRequest {
  id: number;
  bytes: ArrayBuffer;
}

export interface ExtractOutcome {
  id: number;
  extraction: Extraction | null;
  /** stage: reason, when the document could not be read. */
  failure: string | null;
  messages: readonly Message[];
  timings?: StageTimings;
}

export function describeFailure(e: unknown): string {
  if (e instanceof StageError) return e.message;
  const msg = e instanceof Error ? e.message : String(e);
  return `read: ${msg.split('\n')[0]}`;
}

interface Job {
  req: ExtractRequest;
  resolve: (o: ExtractOutcome) => void;
  timer?: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  /** Sent to this worker, in the order it works through them: the first is the one in hand. */
  jobs: Job[];
}

export interface PoolOptions {
  /** Worker threads; 0 extracts in the calling thread (debugging, tiny runs). */
  workers?: number;
  /** A document taking longer than this fails with a timeout (default 120 s). */
  timeoutMs?: number;
}

/**
 * Documents sent to a worker ahead of the one it is reading: the next is already in its queue
 * when it finishes, so it never waits for the main thread (busy appending to DuckDB).
 */
const IN_FLIGHT_PER_WORKER = 2;

export class ExtractPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private readonly timeoutMs: number;
  readonly size: number;

  constructor(options: PoolOptions = {}) {
    this.size = options.workers ?? Math.max(1, availableParallelism());
    this.timeoutMs = options.timeoutMs ?? 120_000;
  }

  /** Workers start with the first document to read: a run with nothing new starts none. */
  private start(): void {
    while (this.slots.length < this.size) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(join(distDir(), 'pipeline', 'extract-worker.js'), {
      // A document's model is a few MB: a small heap keeps memory flat (a bomb dies alone, as a crash).
      // A young generation of 32 MB: a page's text (up to a few hundred KB) dies young, not in the old space.
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 },
    });
    const slot: Slot = { worker, jobs: [] };
    worker.on('message', (out: ExtractOutcome) => this.finish(slot, out));
    worker.on('error', (err) => this.crash(slot, `read: worker crashed (${err.message.split('\n')[0]})`));
    worker.on('exit', (code) => {
      if (slot.jobs.length > 0) this.crash(slot, `read: worker exited with code ${code}`);
    });
    worker.unref();
    return slot;
  }

  /** The job a worker is reading now runs against the clock. */
  private startClock(slot: Slot): void {
    const job = slot.jobs[0];
    if (job && !job.timer) job.timer = setTimeout(() => this.crash(slot, `read: timed out after ${this.timeoutMs / 1000} s`), this.timeoutMs);
  }

  private finish(slot: Slot, out: ExtractOutcome): void {
    const job = slot.jobs.shift();
    if (job) {
      clearTimeout(job.timer);
      job.resolve(out);
    }
    this.startClock(slot);
    this.pump();
  }

  /** The worker died with a document in hand: fail that document, send the ones queued behind it elsewhere, replace the worker. */
  private crash(slot: Slot, failure: string): void {
    const [job, ...waiting] = slot.jobs;
    slot.jobs = [];
    if (job) {
      clearTimeout(job.timer);
      job.resolve({ id: job.req.id, extraction: null, failure, messages: [] });
    }
    this.queue.unshift(...waiting);
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots[i] = this.spawn();
    this.pump();
  }

  private pump(): void {
    for (const slot of this.slots) {
      while (slot.jobs.length < IN_FLIGHT_PER_WORKER && this.queue.length > 0) {
        const job = this.queue.shift()!;
        slot.jobs.push(job);
        // Copied, not transferred: a job queued behind one that crashes the worker is sent again.
        slot.worker.postMessage(job.req);
      }
      this.startClock(slot);
    }
  }

  async extract(bytes: Uint8Array): Promise<ExtractOutcome> {
    const id = this.nextId++;
    if (this.size === 0) {
      try {
        // The extractors are loaded in this thread only when it extracts (workers load their own).
        const { extractDocument } = await import('../extractors/index.js');
        const r = await extractDocument(bytes);
        return { id, extraction: r.value, failure: null, messages: r.messages, timings: r.timings };
      } catch (e) {
        return { id, extraction: null, failure: describeFailure(e), messages: [] };
      }
    }
    // A buffer of its own: a Buffer may be a view into a shared pool (and Buffer#slice does not
    // copy), and a message copies the whole buffer under a view.
    const own = new Uint8Array(bytes.byteLength);
    own.set(bytes);
    this.start();
    return new Promise((resolve) => {
      this.queue.push({ req: { id, bytes: own.buffer }, resolve });
      this.pump();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
