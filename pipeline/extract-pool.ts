/**
 * A pool of worker threads running the extractor, so parsing uses every core while the main
 * thread alone writes to DuckDB. A worker that crashes or hangs fails only its document.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { StageTimings } from '../extractors/index.js';
import type { Message } from '../extractors/model.js';
import type { PackedExtraction } from './packed-cells.js';
import { distDir } from './paths.js';

export interface ExtractRequest {
  id: number;
  bytes: ArrayBuffer;
}

export interface ExtractOutcome {
  id: number;
  extraction: PackedExtraction | null;
  /** stage: reason, when the document could not be read. */
  failure: string | null;
  messages: readonly Message[];
  timings?: StageTimings;
}

interface Job {
  req: ExtractRequest;
  resolve: (o: ExtractOutcome) => void;
  /** The bytes again, for a job whose bytes went to a worker that died before reading them. */
  reload?: () => Uint8Array;
  timer?: NodeJS.Timeout;
}

/** An ArrayBuffer holding exactly these bytes, to hand over: the Buffer's own, or a copy (a small Buffer is a view into a shared pool). */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  return whole ? (bytes.buffer as ArrayBuffer) : new Uint8Array(bytes).buffer;
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
  /** A worker's heap (default 256 MB): a document needing more kills its worker and fails alone. */
  heapMb?: number;
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
  private readonly heapMb: number;
  readonly size: number;

  constructor(options: PoolOptions = {}) {
    this.size = options.workers ?? Math.max(1, availableParallelism());
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.heapMb = options.heapMb ?? 256;
  }

  /** Workers start with the first document to read: a run with nothing new starts none. */
  private start(): void {
    while (this.slots.length < this.size) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(join(distDir(), 'pipeline', 'extract-worker.js'), {
      // A document's model is a few MB: a small heap keeps memory flat (a bomb dies alone, as a crash).
      // A young generation of 32 MB: a page's text (up to a few hundred KB) dies young, not in the old space.
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: 32 },
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
    // The documents queued behind it went with the worker: read them again, or fail them too.
    const again: Job[] = [];
    for (const w of waiting) {
      if (w.reload) again.push({ ...w, req: { id: w.req.id, bytes: ownBuffer(w.reload()) } });
      else w.resolve({ id: w.req.id, extraction: null, failure: `${failure}, while it was queued behind another document`, messages: [] });
    }
    this.queue.unshift(...again);
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
        // Transferred, not copied (for a page of 200 KB the copies were 7% of a run's time).
        slot.worker.postMessage(job.req, [job.req.bytes]);
      }
      this.startClock(slot);
    }
  }

  /**
   * Extracts a document on a worker. Its bytes are handed over (the caller must not use them
   * again); `reload` gives them again should the worker die with the document still queued.
   */
  async extract(bytes: Uint8Array, reload?: () => Uint8Array): Promise<ExtractOutcome> {
    const id = this.nextId++;
    if (this.size === 0) {
      // The extractors are loaded in this thread only when it extracts (workers load their own).
      const { extractOutcome } = await import('./extract-outcome.js');
      return extractOutcome(id, bytes);
    }
    this.start();
    return new Promise((resolve) => {
      this.queue.push({ req: { id, bytes: ownBuffer(bytes) }, resolve, reload });
      this.pump();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
