/**
 * Writing output files so a reader never sees half of one, nor half of a run: written aside, then
 * renamed in place.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
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
 * Writes one page (or chart, or data file) of a folder being filled (the staged pages, agencies'
 * and regions' pages, charts), or hard-links the same file of the folder being replaced when its
 * bytes are equal: an unchanged page costs one read and keeps its file (and modification time).
 * Returns whether the page was unchanged.
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
 * Puts the published page `old` unchanged into the folder being filled: a hard link (the same
 * file, its inode and time kept), or a copy where the file system has no links. False when the
 * page is gone (it is rendered instead).
 */
export function keepPage(old: string, target: string): boolean {
  try {
    linkSync(old, target);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
  }
  try {
    copyFileSync(old, target);
    return true;
  } catch {
    return false;
  }
}

/** Creates the folder `dir` and fills it with `fill` (the staged pages, published later with the rest). */
export async function fillDir(dir: string, fill: (dir: string) => Promise<void>): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await fill(dir);
}

/** The report pages' folder in --out. */
export const PAGES_DIR = 'reports';

const STAGING_PREFIX = '.staging-';
/** Inside a staging folder: a published folder (the pages, the charts…), moved aside while the new one moves in. */
const PUBLISHED_SUFFIX = '.published';
/** Inside a staging folder: `+<name>` holds the files to add to the folder `name` of --out. */
const ADDITIONS_PREFIX = '+';

/**
 * A run's outputs written aside, in `<out>/.staging-<run>/` (the same file system, so moving them
 * in place is a rename), and published with the warehouse by `publish`, or not at all: a run
 * that fails or is killed leaves every published file as it was.
 */
export class OutputStaging {
  readonly dir: string;

  constructor(
    readonly out: string,
    runId: string,
  ) {
    this.dir = join(out, `${STAGING_PREFIX}${runId}`);
    mkdirSync(this.dir, { recursive: true });
  }

  /** Where the file or folder `name` of --out is written this run. */
  path(name: string): string {
    return join(this.dir, name);
  }

  /** Where files to add to the folder `name` of --out are written this run (moved in one by one by `publish`). */
  additions(name: string): string {
    return join(this.dir, `${ADDITIONS_PREFIX}${name}`);
  }

  /**
   * Moves what was staged in place: the files added to a folder (`added`, see `additions`) one by
   * one, files by rename, the pages' folder by two (the published one aside, the staged one in),
   * then drops the rest. `names` are the staged files and folders.
   */
  publish(names: readonly string[], added: readonly string[] = []): void {
    for (const name of added) {
      const staged = this.additions(name);
      if (!existsSync(staged)) continue;
      const target = join(this.out, name);
      mkdirSync(target, { recursive: true });
      for (const file of readdirSync(staged)) renameSync(join(staged, file), join(target, file));
    }
    for (const name of names) {
      const staged = this.path(name);
      const target = join(this.out, name);
      if (!existsSync(staged)) continue;
      if (existsSync(target) && statSync(target).isDirectory()) {
        renameSync(target, this.path(`${name}${PUBLISHED_SUFFIX}`));
      }
      renameSync(staged, target);
    }
    this.discard();
  }

  discard(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * Removes the staging folders killed runs left in `out` (the caller holds the warehouse's lock),
   * first putting back the published folders (pages, charts, agency pages) of a run killed between two renames.
   */
  static removeLeftovers(out: string): string[] {
    if (!existsSync(out)) return [];
    const removed: string[] = [];
    for (const name of readdirSync(out)) {
      if (!name.startsWith(STAGING_PREFIX)) continue;
      const dir = join(out, name);
      for (const entry of readdirSync(dir)) {
        if (!entry.endsWith(PUBLISHED_SUFFIX)) continue;
        const target = join(out, entry.slice(0, -PUBLISHED_SUFFIX.length));
        if (!existsSync(target)) renameSync(join(dir, entry), target);
      }
      rmSync(dir, { recursive: true, force: true });
      removed.push(name);
    }
    return removed;
  }
}
