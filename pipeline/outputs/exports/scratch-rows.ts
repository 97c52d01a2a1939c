/**
 * Rows written in one order and read back in another: each row's text is appended to a scratch
 * file (encoded once, a page at a time) and its place in the scratch kept by the row's place in
 * the export; `copyInOrder` then copies the bytes out in the export's order, a megabyte at a time.
 * Memory: 12 bytes per row, and one page and one megabyte of text; the rows themselves stay in
 * the scratch file (the page cache, not the process).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const COPY_BYTES = 1 << 20;

export class ScratchRows {
  private readonly path: string;
  private fd: number | null;
  /** By a row's place in the export: where its text starts in the scratch file, and its length in bytes. */
  private readonly starts: Float64Array;
  private readonly lengths: Uint32Array;
  private size = 0;
  /** Rows added so far; a place added twice is an error. */
  private added = 0;
  private readonly placed: Uint8Array;
  /** A page's text, encoded (kept for the next page). */
  private page = Buffer.allocUnsafe(0);

  /** A scratch file beside `beside` (removed by `close`) for `total` rows. */
  constructor(
    beside: string,
    readonly total: number,
  ) {
    this.path = join(dirname(beside), `.${basename(beside)}.rows-${randomBytes(4).toString('hex')}`);
    this.fd = openSync(this.path, 'w+');
    this.starts = new Float64Array(total);
    this.lengths = new Uint32Array(total);
    this.placed = new Uint8Array(total);
  }

  /** Rows' texts with their places in the export (0-based). */
  add(places: readonly number[], texts: readonly string[]): void {
    if (this.fd === null) throw new Error(`${this.path}: closed`);
    // each text encoded once, into one buffer for the page (a UTF-16 unit takes at most 3 bytes)
    let most = 0;
    for (const t of texts) most += 3 * t.length;
    if (most > this.page.length) this.page = Buffer.allocUnsafe(Math.max(most, 2 * this.page.length));
    let used = 0;
    for (let i = 0; i < texts.length; i++) {
      const place = places[i];
      if (!(place >= 0 && place < this.total) || this.placed[place] === 1)
        throw new Error(`${this.path}: row ${place} of ${this.total} given twice or out of range`);
      this.placed[place] = 1;
      this.added++;
      const length = this.page.write(texts[i], used, 'utf8');
      this.starts[place] = this.size + used;
      this.lengths[place] = length;
      used += length;
    }
    for (let off = 0; off < used; ) off += writeSync(this.fd, this.page, off, used - off, this.size + off);
    this.size += used;
  }

  /** Hands every row's bytes to `out` in the export's order, many rows at a time, with how many rows they hold. */
  copyInOrder(out: (bytes: Uint8Array, rows: number) => void): void {
    if (this.fd === null) throw new Error(`${this.path}: closed`);
    if (this.added !== this.total) {
      const missing = this.placed.indexOf(0);
      throw new Error(
        `${this.path}: ${this.total - this.added} of ${this.total} rows never given (the first: ${missing})`,
      );
    }
    const fd = this.fd;
    let buffer = Buffer.allocUnsafe(COPY_BYTES);
    let used = 0;
    let rows = 0;
    const flush = () => {
      if (used > 0) out(buffer.subarray(0, used), rows);
      used = 0;
      rows = 0;
    };
    for (let place = 0; place < this.total; ) {
      // rows next to each other in the export and in the scratch are read at once
      const start = this.starts[place];
      let length = this.lengths[place];
      let next = place + 1;
      while (next < this.total && this.starts[next] === start + length && length + this.lengths[next] <= COPY_BYTES)
        length += this.lengths[next++];
      if (used + length > buffer.length) flush();
      if (length > buffer.length) buffer = Buffer.allocUnsafe(length);
      for (let got = 0; got < length; ) {
        const n = readSync(fd, buffer, used + got, length - got, start + got);
        if (n === 0) throw new Error(`${this.path}: ended at ${start + got} of ${this.size} bytes`);
        got += n;
      }
      used += length;
      rows += next - place;
      place = next;
    }
    flush();
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.page = Buffer.allocUnsafe(0);
    rmSync(this.path, { force: true });
  }
}
