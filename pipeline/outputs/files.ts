/** Writing output files so a reader never sees half of one: write beside, then rename. */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';

const tmpName = (path: string) => join(dirname(path), `.${basename(path)}.tmp-${randomBytes(4).toString('hex')}`);

/**
 * A file written a piece at a time (a page or an export too big to hold whole), beside its place,
 * and put in place by `commit`; `abort` leaves the old file as it was.
 */
export class FileSink {
  private readonly tmp: string;
  private fd: number | null;
  private parts: string[] = [];
  private pending = 0;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = tmpName(path);
    this.fd = openSync(this.tmp, 'w');
  }

  write(text: string): void {
    if (text === '') return;
    this.parts.push(text);
    this.pending += text.length;
    if (this.pending >= 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.parts.length === 0 || this.fd === null) return;
    const bytes = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.pending = 0;
    for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off);
  }

  commit(): void {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    renameSync(this.tmp, this.path);
  }

  abort(): void {
    this.parts = [];
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        /* already failing */
      }
    }
    this.fd = null;
    rmSync(this.tmp, { force: true });
  }
}

/**
 * The page writer's thread: encodes and writes each page it is sent, one after the other
 * (creating files in parallel only makes them contend for the folder), or hard-links the same page
 * of the folder being replaced when its bytes are equal. Pages come a few per message; one answer
 * per message. CommonJS, run with `eval` (no file to find at run time).
 */
const PAGE_WRITER_THREAD = `
const { parentPort } = require('node:worker_threads');
const { linkSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
parentPort.on('message', ({ dir, previousDir, pages }) => {
  const done = { pages: pages.length, written: 0, unchanged: 0, error: null };
  for (const [name, html] of pages) {
    try {
      const target = join(dir, name);
      const page = Buffer.from(html, 'utf8');
      if (previousDir) {
        const old = join(previousDir, name);
        let same = false;
        try { same = readFileSync(old).equals(page); } catch {}
        if (same) {
          try { linkSync(old, target); done.unchanged++; continue; } catch {}
        }
      }
      writeFileSync(target, page);
      done.written++;
    } catch (e) {
      done.error ??= { message: String((e && e.message) || e), code: e && e.code };
    }
  }
  parentPort.postMessage(done);
});
`;

/**
 * Writes the pages of a folder being filled (see `replaceDir`) on a thread of its own while the
 * next pages render: the rendering thread only hands the text over. A page whose bytes equal the
 * same page of `previousDir` (the folder being replaced) is hard-linked from it instead of written
 * again: an unchanged report costs one read and keeps its file (and modification time).
 */
export class PageWriter {
  private readonly worker: Worker;
  private readonly previousDir: string | null;
  /** Pages handed to the thread and not written yet. */
  private pending = 0;
  private queue: [string, string][] = [];
  private queuedChars = 0;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  written = 0;
  unchanged = 0;

  constructor(
    private readonly dir: string,
    previousDir: string | null,
    /** Pages held at most (queued or being written): their text is held meanwhile. */
    private readonly maxPending = 32,
    /** Pages sent to the thread together. */
    private readonly perMessage = 8,
  ) {
    this.previousDir = previousDir && existsSync(previousDir) ? previousDir : null;
    this.worker = new Worker(PAGE_WRITER_THREAD, { eval: true });
    this.worker.on('message', (m: { pages: number; written: number; unchanged: number; error: { message: string; code?: string } | null }) => {
      this.pending -= m.pages;
      this.written += m.written;
      this.unchanged += m.unchanged;
      if (m.error) this.failure ??= Object.assign(new Error(m.error.message), { code: m.error.code });
      this.wake?.();
    });
    this.worker.on('error', (e) => {
      this.failure ??= e;
      this.pending = 0;
      this.wake?.();
    });
  }

  private async waitUntil(done: () => boolean): Promise<void> {
    while (!done()) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = null;
  }

  private send(): void {
    if (this.queue.length === 0) return;
    this.pending += this.queue.length;
    this.worker.postMessage({ dir: this.dir, previousDir: this.previousDir, pages: this.queue });
    this.queue = [];
    this.queuedChars = 0;
  }

  /** Hands a page over; waits while too many are waiting to be written. */
  async write(name: string, html: string): Promise<void> {
    if (this.failure) throw this.failure;
    this.queue.push([name, html]);
    this.queuedChars += html.length;
    if (this.queue.length >= this.perMessage || this.queuedChars >= 1 << 20) this.send();
    if (this.pending + this.queue.length >= this.maxPending) {
      this.send();
      await this.waitUntil(() => this.pending + this.queue.length < this.maxPending || !!this.failure);
    }
  }

  /** Waits for every page handed over, and stops the thread. */
  async settle(): Promise<void> {
    this.send();
    await this.waitUntil(() => this.pending <= 0);
    await this.worker.terminate();
  }

  /** Waits for every page and stops the thread; throws the first error. */
  async close(): Promise<void> {
    await this.settle();
    if (this.failure) throw this.failure;
  }
}

/**
 * Fills a fresh folder with `fill`, then puts it in place of `path` (pages of reports no longer
 * in the warehouse disappear with the old folder).
 */
export async function replaceDir(path: string, fill: (dir: string) => Promise<void>): Promise<void> {
  const staging = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(4).toString('hex')}`);
  const old = join(dirname(path), `.${basename(path)}.old-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging, { recursive: true });
  try {
    await fill(staging);
    if (existsSync(path)) renameSync(path, old);
    renameSync(staging, path);
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}
