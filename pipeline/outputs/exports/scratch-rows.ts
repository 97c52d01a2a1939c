/**
 * Rows written in one order and read back in another: each row's text is appended to a scratch
 * file (encoded once, a page at a time) and its place in the scratch kept by the row's place in
 * the export; `copyInOrder` then copies the bytes out in the export's order, a megabyte at a time,
 * with the file's separator before each row. A row unchanged since the file was last published
 * is not written again: `keep` names where its text is in the published file, copied from there.
 * Memory: 13 bytes per row, and one page and a few megabytes of text; the rows themselves stay in
 * the scratch file and the published one (the page cache, not the process).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const COPY_BYTES = 1 << 20;

/** The text a file puts before each row: before its first row, and before every other. */
export interface RowSeparators {
  first: string;
  rest: string;
}

/**
 * Where each row's text (its separator left out) is in a file, by the row's place: its first byte,
 * its length, and where in it the value the same in every row starts (-1: none marked).
 */
export interface RowSpans {
  starts: Float64Array;
  lengths: Uint32Array;
  marks: Int32Array;
}

/** Where a row's text is: not given yet, in the scratch file, in the published file. */
const MISSING = 0;
const SCRATCH = 1;
const PUBLISHED = 2;

export interface ScratchOptions {
  /** Put before each row when copying out (default none: the texts given carry their own). */
  separators?: RowSeparators;
  /** The file as last published, written with the same separators: the rows `keep` names are copied from it. */
  published?: string;
  /**
   * The text, now, of a value the same in every row (the run that saw the findings last): in a
   * row copied from the published file, the bytes at its mark are replaced by these (as long).
   */
  constant?: Buffer;
}

export class ScratchRows {
  private readonly path: string;
  private fd: number | null;
  private publishedFd: number | null = null;
  /** By a row's place in the export: where its text starts in its file, and its length in bytes. */
  private readonly starts: Float64Array;
  private readonly lengths: Uint32Array;
  /** By a row's place: where in its text the value the same in every row starts (-1: none). */
  private readonly marks: Int32Array;
  /** By a row's place: MISSING, SCRATCH or PUBLISHED. */
  private readonly source: Uint8Array;
  private size = 0;
  /** Rows given so far (added or kept); a place given twice is an error. */
  private added = 0;
  /** A page's text, encoded (kept for the next page). */
  private page = Buffer.allocUnsafe(0);
  private readonly separators: { first: Buffer; rest: Buffer };
  private readonly constant: Buffer | null;

  /** A scratch file beside `beside` (removed by `close`) for `total` rows. */
  constructor(
    beside: string,
    readonly total: number,
    options: ScratchOptions = {},
  ) {
    this.path = join(dirname(beside), `.${basename(beside)}.rows-${randomBytes(4).toString('hex')}`);
    this.fd = openSync(this.path, 'w+');
    this.starts = new Float64Array(total);
    this.lengths = new Uint32Array(total);
    this.source = new Uint8Array(total);
    this.marks = new Int32Array(total).fill(-1);
    this.constant = options.constant ?? null;
    this.separators = {
      first: Buffer.from(options.separators?.first ?? '', 'utf8'),
      rest: Buffer.from(options.separators?.rest ?? '', 'utf8'),
    };
    if (options.published) {
      try {
        this.publishedFd = openSync(options.published, 'r');
      } catch (e) {
        this.close();
        throw e;
      }
    }
  }

  private give(place: number, source: number): void {
    if (!(place >= 0 && place < this.total) || this.source[place] !== MISSING)
      throw new Error(`${this.path}: row ${place} of ${this.total} given twice or out of range`);
    this.source[place] = source;
    this.added++;
  }

  /** Rows' texts with their places in the export (0-based), and where their constant value starts (bytes). */
  add(places: readonly number[], texts: readonly string[], marks?: readonly number[]): void {
    if (this.fd === null) throw new Error(`${this.path}: closed`);
    // each text encoded once, into one buffer for the page (a UTF-16 unit takes at most 3 bytes)
    let most = 0;
    for (const t of texts) most += 3 * t.length;
    if (most > this.page.length) this.page = Buffer.allocUnsafe(Math.max(most, 2 * this.page.length));
    let used = 0;
    for (let i = 0; i < texts.length; i++) {
      const place = places[i];
      this.give(place, SCRATCH);
      const length = this.page.write(texts[i], used, 'utf8');
      this.starts[place] = this.size + used;
      this.lengths[place] = length;
      if (marks) this.marks[place] = marks[i];
      used += length;
    }
    for (let off = 0; off < used; ) off += writeSync(this.fd, this.page, off, used - off, this.size + off);
    this.size += used;
  }

  /** Whether the row at `place` was given (added or kept). */
  has(place: number): boolean {
    return this.source[place] !== MISSING;
  }

  /**
   * The row at `place` is the text at `start` (`length` bytes) of the published file, its constant
   * value at `mark` (bytes into it; -1: none).
   */
  keep(place: number, start: number, length: number, mark = -1): void {
    if (this.publishedFd === null) throw new Error(`${this.path}: no published file to keep rows of`);
    if (mark >= 0 && (this.constant === null || mark + this.constant.length > length))
      throw new Error(`${this.path}: row ${place}'s constant value at ${mark} does not fit its ${length} bytes`);
    this.give(place, PUBLISHED);
    this.starts[place] = start;
    this.lengths[place] = length;
    this.marks[place] = mark;
  }

  /**
   * Hands every row's bytes, each after its separator, to `out` in the export's order, many rows
   * at a time, with how many rows they hold. Returns where each row's text went, counted from the
   * first byte handed out.
   */
  copyInOrder(out: (bytes: Uint8Array, rows: number) => void): RowSpans {
    if (this.fd === null) throw new Error(`${this.path}: closed`);
    if (this.added !== this.total) {
      const missing = this.source.indexOf(MISSING);
      throw new Error(
        `${this.path}: ${this.total - this.added} of ${this.total} rows never given (the first: ${missing})`,
      );
    }
    const spans: RowSpans = {
      starts: new Float64Array(this.total),
      lengths: new Uint32Array(this.total),
      marks: this.marks.slice(),
    };
    const { first, rest } = this.separators;
    let read = Buffer.allocUnsafe(COPY_BYTES);
    let buffer = Buffer.allocUnsafe(COPY_BYTES);
    let used = 0;
    let rows = 0;
    let position = 0;
    const flush = () => {
      if (used > 0) out(buffer.subarray(0, used), rows);
      used = 0;
      rows = 0;
    };
    for (let place = 0; place < this.total; ) {
      // rows next to each other in the export and in their file are read at once (in the published
      // file, with the separator between them)
      const source = this.source[place];
      const gap = source === PUBLISHED ? rest.length : 0;
      const start = this.starts[place];
      let length = this.lengths[place];
      let next = place + 1;
      while (
        next < this.total &&
        this.source[next] === source &&
        this.starts[next] === start + length + gap &&
        length + gap + this.lengths[next] <= COPY_BYTES
      )
        length += gap + this.lengths[next++];
      if (length > read.length) read = Buffer.allocUnsafe(length);
      const fd = source === PUBLISHED ? this.publishedFd! : this.fd;
      for (let got = 0; got < length; ) {
        const n = readSync(fd, read, got, length - got, start + got);
        if (n === 0)
          throw new Error(
            `${source === PUBLISHED ? 'the published file' : this.path}: ended at ${start + got}, reading rows`,
          );
        got += n;
      }
      for (let p = place; p < next; p++) {
        const separator = p === 0 ? first : rest;
        const from = this.starts[p] - start;
        const size = this.lengths[p];
        if (used + separator.length + size > buffer.length) flush();
        if (separator.length + size > buffer.length) buffer = Buffer.allocUnsafe(separator.length + size);
        used += separator.copy(buffer, used);
        const at = used;
        used += read.copy(buffer, used, from, from + size);
        const mark = this.marks[p];
        if (source === PUBLISHED && mark >= 0) this.constant!.copy(buffer, at + mark);
        rows++;
        position += separator.length;
        spans.starts[p] = position;
        spans.lengths[p] = size;
        position += size;
      }
      place = next;
    }
    flush();
    return spans;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    if (this.publishedFd !== null) closeSync(this.publishedFd);
    this.fd = null;
    this.publishedFd = null;
    this.page = Buffer.allocUnsafe(0);
    rmSync(this.path, { force: true });
  }
}
