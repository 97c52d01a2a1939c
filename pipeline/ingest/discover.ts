/**
 * Finds input documents under a folder, recursively, in a stable order. Every path seen is
 * returned: those that will not be read carry the reason (`unread`), so each gets a row in the
 * document ledger and a line in the summary instead of vanishing. Names that are not UTF-8 are
 * read by their bytes. Symbolic links to files inside the folder are followed; others are not,
 * with the reason (a link to a folder never is: what it holds inside the folder is read where it
 * is, and no link can make a loop).
 */
import { isUtf8 } from 'node:buffer';
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { resolve, sep } from 'node:path';
import { decodeGb18030 } from '../../extractors/index.js';

export interface InputFile {
  /** Absolute path; its bytes when the name is not valid UTF-8. */
  path: string | Buffer;
  /** Path as found under --input (the `source` of reports and documents). */
  source: string;
  /** Seen but not to be read: `stage: reason`. */
  unread?: string;
}

/** Hidden, temporary and system files: never documents, skipped by name. */
const SKIP = /^\.|~$|\.(lock|tmp|part|swp)$|^Thumbs\.db$|^desktop\.ini$/i;

/**
 * A name as text: UTF-8, else GB18030 (names from Chinese Windows), else with its bytes escaped
 * (\xNN) so it still says which file is meant.
 */
function nameOf(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  const gb = decodeGb18030(bytes); // iconv-lite, loaded by the first such name only
  if (!gb.includes('\ufffd')) return gb;
  return [...bytes]
    .map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`))
    .join('');
}

/** The path as a string when it is UTF-8 (as every other path of the run), else its bytes. */
const pathOf = (path: string | Buffer): string | Buffer =>
  typeof path === 'string' || !isUtf8(path) ? path : path.toString('utf8');

const because = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

function kindOf(e: Dirent<string> | Dirent<Buffer>): string {
  if (e.isFIFO()) return 'a FIFO';
  if (e.isSocket()) return 'a socket';
  if (e.isBlockDevice() || e.isCharacterDevice()) return 'a device';
  return 'of an unknown kind';
}

export function discover(dir: string): InputFile[] {
  const root = resolve(dir);
  const realRoot = realpathSync(root);
  const out: InputFile[] = [];

  const link = (path: string | Buffer, source: string): InputFile => {
    let target: string;
    try {
      target = realpathSync(path);
    } catch (e) {
      return { path: pathOf(path), source, unread: `discover: a symbolic link that leads nowhere (${because(e)})` };
    }
    if (target !== realRoot && !target.startsWith(realRoot + sep)) {
      return {
        path: pathOf(path),
        source,
        unread: `discover: a symbolic link to ${target}, outside --input (not followed)`,
      };
    }
    const st = statSync(target);
    if (st.isDirectory())
      return {
        path: pathOf(path),
        source,
        unread: 'discover: a symbolic link to a folder (not followed; its files are read where they are)',
      };
    if (!st.isFile())
      return { path: pathOf(path), source, unread: 'discover: a symbolic link to what is not a regular file' };
    return { path: pathOf(path), source };
  };

  /** A folder that cannot be listed: the run's error when it is --input, else a row of its own. */
  const unlisted = (d: string | Buffer, rel: string, e: unknown) => {
    if (rel === '') throw e; // --input itself: the run's error, not a document's
    out.push({
      path: pathOf(d),
      source: rel,
      unread: `discover: the folder cannot be listed (${because(e)}); its files are not read`,
    });
  };

  /**
   * A folder listed by its names as text, when all are UTF-8 (a name that is not reads with U+FFFD
   * in it: the folder is listed again by its bytes, `walkBytes`). By text, 10,000 files were found in
   * a third of the time.
   */
  const walk = (d: string, rel: string) => {
    let entries: Dirent<string>[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch (e) {
      unlisted(d, rel, e);
      return;
    }
    if (entries.some((e) => e.name.includes('\ufffd'))) {
      walkBytes(Buffer.from(d), rel);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const name = e.name;
      if (SKIP.test(name)) continue;
      const path = `${d}${sep}${name}`;
      const source = rel ? `${rel}/${name}` : name;
      if (e.isDirectory()) walk(path, source);
      else if (e.isFile()) out.push({ path, source });
      else if (e.isSymbolicLink()) out.push(link(path, source));
      else out.push({ path, source, unread: `discover: not a regular file (${kindOf(e)})` });
    }
  };

  const walkBytes = (d: Buffer, rel: string) => {
    let entries: Dirent<Buffer>[];
    try {
      entries = readdirSync(d, { withFileTypes: true, encoding: 'buffer' });
    } catch (e) {
      unlisted(d, rel, e);
      return;
    }
    const named = entries
      .map((e) => ({ e, name: nameOf(e.name) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : Buffer.compare(a.e.name, b.e.name)));
    for (const { e, name } of named) {
      if (SKIP.test(name)) continue;
      const path = Buffer.concat([d, Buffer.from(sep), e.name]);
      const source = rel ? `${rel}/${name}` : name;
      if (e.isDirectory()) {
        const text = pathOf(path);
        if (typeof text === 'string') walk(text, source);
        else walkBytes(path, source);
      } else if (e.isFile()) out.push({ path: pathOf(path), source });
      else if (e.isSymbolicLink()) out.push(link(path, source));
      else out.push({ path: pathOf(path), source, unread: `discover: not a regular file (${kindOf(e)})` });
    }
  };
  walk(root, '');
  return out;
}

/** Each file's size and modification time by its index, as a stat found them (NaN: not looked at, or not there). */
export interface FileStats {
  size: Float64Array;
  mtimeMs: Float64Array;
}

/**
 * Looks at every file to be read once (a stat each): the ingest decides from these which files it
 * can trust without reading them, and the run, before the warehouse is open, whether any file is
 * newer than it. A file that cannot be looked at is left to the ingest, which says why in its ledger row.
 */
export function statFiles(files: readonly InputFile[]): FileStats {
  const stats: FileStats = { size: new Float64Array(files.length), mtimeMs: new Float64Array(files.length) };
  stats.size.fill(Number.NaN);
  stats.mtimeMs.fill(Number.NaN);
  for (const [i, f] of files.entries()) {
    if (f.unread) continue;
    try {
      const st = statSync(f.path);
      stats.size[i] = st.size;
      stats.mtimeMs[i] = st.mtimeMs;
    } catch {
      // left as not looked at: the ingest looks again, and says why in the file's ledger row
    }
  }
  return stats;
}

/** The year a document is filed under, when its path names one (2020_…, /2021/, _2022.docx). */
export function filedYearOf(source: string): number | null {
  const m = /(?:^|[\/_\-\s])((?:19|20)\d{2})(?=[_\-\s\/.年]|$)/.exec(source);
  return m ? Number(m[1]) : null;
}
