/**
 * Writing output files so a reader never sees half of one, nor half of a run: written aside, then
 * renamed in place.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
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
  /** Bytes written to the file so far (the text still pending not counted). */
  private size = 0;

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

  /** Text already encoded as UTF-8, written now (after the text before it). */
  writeBytes(bytes: Uint8Array): void {
    this.flush();
    if (this.fd === null) return;
    for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off);
    this.size += bytes.length;
  }

  /** Where the next byte written goes: the bytes written so far. */
  get position(): number {
    this.flush();
    return this.size;
  }

  private flush(): void {
    if (this.parts.length === 0 || this.fd === null) return;
    const bytes = Buffer.from(this.parts.join(''), 'utf8');
    this.parts = [];
    this.pending = 0;
    this.writeBytes(bytes);
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
 * The files each folder being updated in place is to hold after publishing (`writePage` adds the
 * files it writes or finds unchanged; `presentIn` those written elsewhere, by the page workers),
 * by the folder their changes are written aside to. Read and forgotten by `OutputStaging.publish`.
 */
const presentFiles = new Map<string, Set<string>>();

/** Records that the folder whose changes go to `dir` holds `names` after publishing. */
export function presentIn(dir: string, names: Iterable<string>): void {
  let set = presentFiles.get(dir);
  if (!set) presentFiles.set(dir, (set = new Set()));
  for (const n of names) set.add(n);
}

/**
 * Writes one page (or chart, or data file) of a folder updated in place (the report pages, the
 * agencies' and regions' pages, the charts, the peers) into `dir`, where its changes are written
 * aside, unless the published file in `previousDir` has the same bytes: then nothing is written
 * and the published file stays (its modification time too). Returns whether the page was unchanged.
 */
export function writePage(dir: string, previousDir: string | null, name: string, html: string): boolean {
  presentIn(dir, [name]);
  const page = Buffer.from(html, 'utf8');
  if (previousDir) {
    try {
      if (readFileSync(join(previousDir, name)).equals(page)) return true;
    } catch {
      // no such page before: written below
    }
  }
  writeFileSync(join(dir, name), page);
  return false;
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
   * one; the folders updated in place (`updated`) the same way, then their files this run did not
   * keep (`presentIn`) removed; then the staged files and folders (`names`) by rename (a
   * folder by two: the published one aside, the staged one in), and drops the rest. A run killed
   * while the files move leaves a folder partly updated, each file whole: the pages' keys are
   * published after the pages, so the next run finds the pages whose files are not the ones their
   * keys were taken for and renders them again (page-keys.ts); the other folders are compared
   * file by file on every run.
   */
  publish(names: readonly string[], added: readonly string[] = [], updated: readonly string[] = []): void {
    for (const name of [...added, ...updated]) {
      const staged = this.additions(name);
      if (!existsSync(staged)) continue;
      const target = join(this.out, name);
      mkdirSync(target, { recursive: true });
      for (const file of readdirSync(staged)) renameSync(join(staged, file), join(target, file));
    }
    for (const name of updated) {
      const staged = this.additions(name);
      const keep = presentFiles.get(staged);
      presentFiles.delete(staged);
      if (!keep) continue; // not written this run (a run without outputs for it): left as it is
      const target = join(this.out, name);
      for (const file of readdirSync(target))
        if (!keep.has(file)) rmSync(join(target, file), { recursive: true, force: true });
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
    for (const dir of presentFiles.keys()) if (dir.startsWith(this.dir)) presentFiles.delete(dir);
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
