/** Writing output files so a reader never sees half of one: write beside, then rename. */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

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
 * Writes one page of a folder being filled (see `replaceDir`), or hard-links the same page of the
 * folder being replaced when its bytes are equal: an unchanged report costs one read and keeps
 * its file (and modification time). Returns whether the page was unchanged.
 */
export function writePage(dir: string, previousDir: string | null, name: string, html: string): boolean {
  const target = join(dir, name);
  const page = Buffer.from(html, 'utf8');
  if (previousDir) {
    const old = join(previousDir, name);
    let same = false;
    try {
      same = readFileSync(old).equals(page);
    } catch {
      // no such page before: written below
    }
    if (same) {
      try {
        linkSync(old, target);
        return true;
      } catch {
        // a folder that cannot link (another file system): written below
      }
    }
  }
  writeFileSync(target, page);
  return false;
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
