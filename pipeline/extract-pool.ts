/**
 * A pool of worker threads running the extractor, so parsing uses every core while the main
 * thread alone writes to DuckDB. A worker that crashes or hangs fails only its document.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { extractDocument, type Extraction, type StageTimings } from '../extractors/index.js';
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
  job: Job | null;
}

export interface PoolOptions {
  /** Worker threads; 0 extracts in the calling thread (debugging, tiny runs). */
  workers?: number;
  /** A document taking longer than this fails with a timeout (default 120 s). */
  timeoutMs?: number;
}

export class ExtractPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private readonly timeoutMs: number;
  readonly size: number;

  constructor(options: PoolOptions = {}) {
    this.size = options.workers ?? Math.max(1, availableParallelism());
    this.timeoutMs = options.timeoutMs ?? 120_000;
    for (let i = 0; i < this.size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(join(distDir(), 'pipeline', 'extract-worker.js'), {
      // A document's model is a few MB: a small heap keeps memory flat (a bomb dies alone, as a crash).
      resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 },
    });
    const slot: Slot = { worker, job: null };
    worker.on('message', (out: ExtractOutcome) => this.finish(slot, out));
    worker.on('error', (err) => this.crash(slot, `read: worker crashed (${err.message.split('\n')[0]})`));
    worker.on('exit', (code) => {
      if (slot.job) this.crash(slot, `read: worker exited with code ${code}`);
    });
    worker.unref();
    return slot;
  }

  private finish(slot: Slot, out: ExtractOutcome): void {
    const job = slot.job;
    slot.job = null;
    if (job) {
      clearTimeout(job.timer);
      job.resolve(out);
    }
    this.pump();
  }

  /** The worker died with a document in hand: fail that document, replace the worker. */
  private crash(slot: Slot, failure: string): void {
    const job = slot.job;
    slot.job = null;
    if (job) {
      clearTimeout(job.timer);
      job.resolve({ id: job.req.id, extraction: null, failure, messages: [] });
    }
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots[i] = this.spawn();
    this.pump();
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.job || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      job.timer = setTimeout(() => this.crash(slot, `read: timed out after ${this.timeoutMs / 1000} s`), this.timeoutMs);
      slot.worker.postMessage(job.req, [job.req.bytes]);
    }
  }

  async extract(bytes: Uint8Array): Promise<ExtractOutcome> {
    const id = this.nextId++;
    if (this.size === 0) {
      try {
        const r = await extractDocument(bytes);
        return { id, extraction: r.value, failure: null, messages: r.messages, timings: r.timings };
      } catch (e) {
        return { id, extraction: null, failure: describeFailure(e), messages: [] };
      }
    }
    // Copy into a transferable buffer of its own: a Buffer may be a view into a shared pool
    // (and Buffer#slice does not copy), so its .buffer is not the document's bytes.
    const own = new Uint8Array(bytes.byteLength);
    own.set(bytes);
    const copy = own.buffer;
    return new Promise((resolve) => {
      this.queue.push({ req: { id, bytes: copy }, resolve });
      this.pump();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
