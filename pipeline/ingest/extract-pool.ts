/**
 * A pool of worker threads running the extractor, so parsing uses every core while the main
 * thread alone writes to DuckDB. A worker that crashes or hangs fails only its document.
 *
 * A result is matched to its job by id, never by arrival order, and carries the sha256 of the
 * bytes the worker parsed: a result whose hash is not the job's fails that document (a
 * result never lands on another document, nor bytes under another document's hash).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { distDir, sha256Of } from '../common/index.js';
import type { ExtractOutcome } from './extract-outcome.js';

export interface ExtractRequest {
  id: number;
  /** The sha256 the bytes were hashed to by the caller (the worker checks its own against it). */
  sha256: string;
  bytes: ArrayBuffer;
}

interface Job {
  req: ExtractRequest;
  resolve: (o: ExtractOutcome) => void;
  /** The bytes again, for a job whose bytes went to a worker that died before reading them. */
  reload?: () => Uint8Array;
  timer?: NodeJS.Timeout;
  /** When the worker started on it (performance.now()). */
  startedAt?: number;
}

export type { ExtractOutcome };

/** A document that could not be read: `failure` is "stage: reason". */
export function failedOutcome(id: number, failure: string, sha256: string | null = null): ExtractOutcome {
  return { id, sha256, extraction: null, failure, messages: [] };
}

/** The outcome as the job's: its hash checked, so that it can only land on the document whose bytes were parsed. */
export function checkedOutcome(req: Pick<ExtractRequest, 'id' | 'sha256'>, out: ExtractOutcome): ExtractOutcome {
  if (out.id !== req.id)
    return failedOutcome(req.id, `read: the extractor answered document #${out.id} for document #${req.id}`);
  if (out.sha256 !== req.sha256) {
    return failedOutcome(
      req.id,
      `read: the bytes parsed (sha256 ${out.sha256?.slice(0, 12)}…) are not the bytes hashed (${req.sha256.slice(0, 12)}…)`,
      out.sha256,
    );
  }
  return out;
}

/**
 * An ArrayBuffer holding exactly these bytes, to hand over: the Buffer's
 * own, or a copy (a small Buffer is a view into a shared pool).
 */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  const whole =
    bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
  return whole ? (bytes.buffer as ArrayBuffer) : new Uint8Array(bytes).buffer;
}

/**
 * A queued job's bytes read again (after its worker died), or
 * why they cannot be: gone, unreadable, or changed since hashed.
 */
function reread(job: Job, crash: string): { bytes: Uint8Array } | ExtractOutcome {
  let bytes: Uint8Array;
  try {
    bytes = job.reload!();
  } catch (e) {
    return failedOutcome(
      job.req.id,
      `read: could not be read again after its worker died (${crash}): ${(e as Error).message}`,
    );
  }
  const now = sha256Of(bytes);
  if (now !== job.req.sha256) {
    return failedOutcome(
      job.req.id,
      `read: the file changed while it was queued (sha256 ${job.req.sha256.slice(0, 12)}… when hashed, ${now.slice(0, 12)}… when read again after its worker died)`,
    );
  }
  return { bytes };
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
  /**
   * Memory a worker may take as a whole (default 512 MB): its heap, and what lies outside it
   * (inflated zip entries, buffers, native memory), which no V8 limit covers. The process's
   * resident memory is watched while documents are read; past what it held when the workers
   * started plus this much per worker, the document in hand the longest (over a second: a
   * report takes milliseconds) fails and its worker is replaced.
   */
  memoryMb?: number;
}

/**
 * A reader's young generation: a page's text (up to a few hundred KB) dies young, not in the old
 * space. 16 MB instead of 32 holds each worker 16–18 MB lower (its new space is most of its heap:
 * 20–30 MB of a 50–60 MB heap at 32) for about twice the scavenges; 8 MB doubles them again and
 * cost CPU (measured: docs/performance.md).
 */
export const WORKER_YOUNG_GENERATION_MB = 16;

/** How often resident memory is looked at while documents are read. */
const MEMORY_WATCH_MS = 100;
/** A document read for less than this is never the one stopped for memory. */
const MEMORY_SUSPECT_AFTER_MS = 1000;

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
  private readonly memoryMb: number;
  private memoryWatch: NodeJS.Timeout | null = null;
  /** Resident memory the process may reach while documents are read (set when the workers start). */
  private memoryBudget = Infinity;
  /** No second stop before the memory of the first has gone back (performance.now()). */
  private memoryQuietUntil = 0;
  readonly size: number;
  /** Workers to run: the pool's size unless `prestart` asked for fewer (until closed). */
  private wanted: number;

  constructor(options: PoolOptions = {}) {
    this.size = options.workers ?? Math.max(1, availableParallelism());
    this.wanted = this.size;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.heapMb = options.heapMb ?? 256;
    this.memoryMb = options.memoryMb ?? 512;
  }

  /**
   * Starts the workers now, before any document is handed over: for a run that will read documents
   * (a fresh warehouse), so that their start-up (a thread, the extractor's modules) overlaps the
   * caller's (opening the warehouse, finding the files) instead of following it (measured:
   * docs/performance.md). Otherwise workers start with the first document to read. `workers`:
   * start only that many (at least one, at most the pool's size), and read with those until the
   * pool is closed: a run with a handful of documents to read needs no second worker (about 130 ms
   * of CPU to start, the extractor's modules).
   */
  prestart(workers = this.size): void {
    if (this.size === 0) return;
    this.wanted = Math.max(this.slots.length, Math.min(this.size, Math.max(1, workers)));
    this.start();
  }

  /** Worker threads started (0 until the first document, or `prestart`). */
  get started(): number {
    return this.slots.length;
  }

  /** Workers start with the first document to read: a run with nothing new starts none. */
  private start(): void {
    if (this.slots.length === 0) this.memoryBudget = process.memoryUsage.rss() + this.size * this.memoryMb * 1048576;
    while (this.slots.length < this.wanted) this.slots.push(this.spawn());
    if (!this.memoryWatch) {
      this.memoryWatch = setInterval(() => this.watchMemory(), MEMORY_WATCH_MS);
      this.memoryWatch.unref();
    }
  }

  /** Over the budget: the document in hand the longest is the one using the memory (the others take milliseconds). */
  private watchMemory(): void {
    const now = performance.now();
    if (now < this.memoryQuietUntil) return;
    const rss = process.memoryUsage.rss();
    if (rss <= this.memoryBudget) return;
    let worst: Slot | null = null;
    for (const slot of this.slots) {
      const started = slot.jobs[0]?.startedAt;
      if (
        started !== undefined &&
        now - started >= MEMORY_SUSPECT_AFTER_MS &&
        (!worst || started < worst.jobs[0].startedAt!)
      )
        worst = slot;
    }
    if (worst) {
      this.memoryQuietUntil = now + 2 * MEMORY_SUSPECT_AFTER_MS;
      const mb = (n: number) => Math.round(n / 1048576);
      this.crash(
        worst,
        `read: over the memory budget (${mb(rss)} MB resident, over the ${mb(this.memoryBudget)} MB allowed with ${this.memoryMb} MB per worker) while reading it for ${((now - worst.jobs[0].startedAt!) / 1000).toFixed(1)} s; worker stopped`,
      );
    }
  }

  private spawn(): Slot {
    const worker = new Worker(join(distDir(), 'pipeline', 'ingest', 'extract-worker.js'), {
      // A document's model is a few MB: a small heap keeps memory flat (a bomb dies alone, as a crash).
      resourceLimits: { maxOldGenerationSizeMb: this.heapMb, maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
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

  /** The job a worker is reading now runs against the clock (and, for memory, is timed from now). */
  private startClock(slot: Slot): void {
    const job = slot.jobs[0];
    if (!job || job.timer) return;
    job.startedAt = performance.now();
    job.timer = setTimeout(() => this.crash(slot, `read: timed out after ${this.timeoutMs / 1000} s`), this.timeoutMs);
  }

  private finish(slot: Slot, out: ExtractOutcome): void {
    // Matched by id: a worker answers its jobs in order, but a result is never taken on trust.
    const at = slot.jobs.findIndex((j) => j.req.id === out.id);
    if (at < 0) {
      this.crash(slot, `read: worker answered document #${out.id}, which it was not given`);
      return;
    }
    const [job] = slot.jobs.splice(at, 1);
    clearTimeout(job.timer);
    job.resolve(checkedOutcome(job.req, out));
    this.startClock(slot);
    this.pump();
  }

  /**
   * The worker died with a document in hand: fail that document,
   * send the ones queued behind it elsewhere, replace the worker.
   */
  private crash(slot: Slot, failure: string): void {
    const [job, ...waiting] = slot.jobs;
    slot.jobs = [];
    if (job) {
      clearTimeout(job.timer);
      job.resolve(failedOutcome(job.req.id, failure));
    }
    // The documents queued behind it went with the worker: read them again, or fail them too.
    const again: Job[] = [];
    for (const w of waiting) {
      clearTimeout(w.timer);
      const reloaded = w.reload
        ? reread(w, failure)
        : failedOutcome(w.req.id, `${failure}, while it was queued behind another document`);
      if ('bytes' in reloaded)
        again.push({ ...w, timer: undefined, req: { ...w.req, bytes: ownBuffer(reloaded.bytes) } });
      else w.resolve(reloaded);
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
        // Transferred, not copied: copying a page's bytes was a noticeable share of a run's time
        // (measured: docs/performance.md).
        slot.worker.postMessage(job.req, [job.req.bytes]);
      }
      this.startClock(slot);
    }
  }

  /**
   * Extracts a document on a worker. Its bytes are handed over (the caller must not use them
   * again). `sha256` is what the caller hashed them to (hashed here when not given): the outcome
   * is checked against it. `reload` gives the bytes again should the worker die with the
   * document still queued; bytes that no longer hash the same fail the document.
   */
  async extract(bytes: Uint8Array, job: { sha256?: string; reload?: () => Uint8Array } = {}): Promise<ExtractOutcome> {
    const id = this.nextId++;
    const sha256 = job.sha256 ?? sha256Of(bytes);
    if (this.size === 0) {
      // The extractors are loaded in this thread only when it extracts (workers load their own).
      const { extractOutcome } = await import('./extract-outcome.js');
      return checkedOutcome({ id, sha256 }, await extractOutcome(id, bytes));
    }
    this.start();
    return new Promise((resolve) => {
      this.queue.push({ req: { id, sha256, bytes: ownBuffer(bytes) }, resolve, reload: job.reload });
      this.pump();
    });
  }

  /** Stops the workers (a document extracted after starts them again). */
  async close(): Promise<void> {
    if (this.memoryWatch) clearInterval(this.memoryWatch);
    this.memoryWatch = null;
    this.wanted = this.size;
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }
}
