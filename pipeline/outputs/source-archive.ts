/**
 * The report stands alone: a copy of every document the warehouse holds, under the output folder
 * (`<out>/sources/<report_id>.<format>`), linked from the report pages by a relative path, so the
 * links survive copying or zipping the output folder (the --input folder or the crawler's archive
 * need not come along). A copy is a hard link where the file system allows one (no space used;
 * input files replaced by a new file, as editors and crawlers save, leave it as it was, but one
 * overwritten in place changes it too), else a real copy. Named by content (the report id is the
 * head of the document's sha256), so a document is copied once: a run copies only documents no
 * copy exists for, one `readdir` and a query telling which.
 */
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { eachNamedRow, namedRows, sqlList } from './query.js';

export const SOURCES_DIR = 'sources';

/** The copy's file name: the report id and its format as extension (`bin` when the format is unknown). */
export function archivedName(reportId: string, format: string | null): string {
  return `${reportId}.${format && /^[a-z0-9]{1,8}$/.test(format) ? format : 'bin'}`;
}

const WEB = /^https?:\/\//i;
/** Reports without a copy named in the query; more (a first run) read every report's documents. */
const LISTED_AT_MOST = 1000;

/** A place a document was last seen, as `archiveSources` reads it. */
interface ArchiveRow {
  report_id: string;
  format: string | null;
  sha256: string;
  size_bytes: number | null;
  source: string;
  input: string | null;
}

export interface ArchiveContext {
  /** The --input folder of this run: sources recorded without their run's input are relative to it. */
  inputDir: string;
  /** The crawler's content-addressed store (`<raw>/<sha256>`). */
  rawDir?: string;
  /**
   * Where the new copies are written (default `<out>/sources/`):
   * a staging folder whose files are moved in on publishing.
   */
  into?: string;
}

/**
 * Copies (or links) into `<out>/sources/` every document of the warehouse that has no copy there
 * yet, from where it was last seen: the file under its run's --input (if it still holds the same
 * bytes, by size), or the crawler's archive. Returns how many were added and how many could not
 * be found (their pages link where the document was found, as before).
 */
export async function archiveSources(
  conn: DuckDBConnection,
  outDir: string,
  ctx: ArchiveContext,
): Promise<{ added: number; notFound: number }> {
  const published = join(outDir, SOURCES_DIR);
  // the new copies go aside, published with the run's other outputs (or not at all)
  const dir = ctx.into ?? published;
  mkdirSync(dir, { recursive: true });
  const have = new Set(existsSync(published) ? readdirSync(published) : []);
  // the reports without a copy: on a nightly run a few among all (the others' documents not read)
  const all = await namedRows<{ report_id: string; format: string | null }>(
    conn,
    'SELECT report_id, format FROM reports',
  );
  const wanted = all.filter((r) => !have.has(archivedName(r.report_id, r.format))).map((r) => r.report_id);
  if (wanted.length === 0) return { added: 0, notFound: 0 };
  // every place each document was last seen (a path's latest bytes only): the window over every
  // row of the sources that ever held these documents
  const some = wanted.length <= LISTED_AT_MOST && wanted.length < all.length;
  const shas = `SELECT sha256 FROM reports WHERE report_id IN (${sqlList(wanted)})`;
  let added = 0;
  const missing = new Set<string>();
  await eachNamedRow<ArchiveRow>(
    conn,
    `SELECT r.report_id, r.format, r.sha256, r.size_bytes, coalesce(d.source, r.source) AS source, ru.input
     FROM reports r
     LEFT JOIN (SELECT * FROM documents ${some ? `WHERE source IN (SELECT source FROM documents WHERE sha256 IN (${shas}))` : ''}
                QUALIFY row_number() OVER (PARTITION BY source ORDER BY last_seen DESC) = 1) d ON d.sha256 = r.sha256
     LEFT JOIN runs ru ON ru.run_id = d.last_seen_run
     ${some ? `WHERE r.report_id IN (${sqlList(wanted)})` : ''}
     ORDER BY r.report_id, d.last_seen DESC NULLS LAST`,
    ({ report_id, format, sha256, size_bytes: size, source, input }) => {
      const name = archivedName(report_id, format);
      if (have.has(name)) return;
      const from = WEB.test(source)
        ? ctx.rawDir
          ? join(ctx.rawDir, sha256)
          : null
        : isAbsolute(source)
          ? source
          : resolve(input ?? ctx.inputDir, source);
      if (!from || !sameSize(from, size)) {
        missing.add(name);
        return;
      }
      copyInto(from, join(dir, name));
      have.add(name);
      missing.delete(name);
      added++;
    },
  );
  return { added, notFound: missing.size };
}

function sameSize(path: string, size: number | null): boolean {
  try {
    const st = statSync(path);
    return st.isFile() && (size === null || st.size === Number(size));
  } catch {
    return false;
  }
}

/** A hard link, else (another file system, or links not allowed) a copy made aside and renamed into place. */
function copyInto(from: string, to: string): void {
  try {
    linkSync(from, to);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP')
      throw e;
  }
  const tmp = `${to}.tmp-${process.pid}`;
  copyFileSync(from, tmp);
  renameSync(tmp, to);
}
