/**
 * Links from a page to the document a report came from: its copy under the output folder
 * (source-archive.ts: the link survives copying or zipping the output folder), and the URL of a
 * crawled one; without a copy, the file under the --input folder of the run that saw it, as a
 * path relative to the page (so the output folder and the input folder can move together), or a
 * file:// URL when no relative path exists.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SourceDoc } from './audit-data.js';
import { SOURCES_DIR } from '../source-archive.js';

export interface SourceLink {
  /** What to show: the path as found under --input, or the URL. */
  label: string;
  href: string | null;
  /** The file is no longer where it was found. */
  missing: boolean;
  /** The copy under the output folder, relative to the page (null: none). */
  archived: string | null;
  /** A crawled document: `href` is its URL. */
  web: boolean;
}

const WEB = /^https?:\/\//i;

const relativeHref = (from: string, file: string): string | null => {
  const rel = relative(resolve(from), file);
  return isAbsolute(rel)
    ? null
    : rel
        .split(sep)
        .map((part) => encodeURIComponent(part))
        .join('/');
};

/**
 * `archivedName`: the document's copy in `<out>/sources/` (source-archive.ts), next to the
 * page's folder `<out>/reports/`, published there or, when this run made it, still in
 * `stagedSources` (the run's staging folder, moved in with the page).
 */
export function sourceLink(
  doc: SourceDoc,
  pageDir: string,
  fallbackInputDir: string,
  archivedName?: string,
  stagedSources?: string,
): SourceLink {
  const copy = archivedName ? join(dirname(resolve(pageDir)), SOURCES_DIR, archivedName) : null;
  const exists =
    copy !== null &&
    (existsSync(copy) || (stagedSources !== undefined && existsSync(join(stagedSources, archivedName!))));
  const archived = exists ? relativeHref(pageDir, copy) : null;
  if (WEB.test(doc.source)) return { label: doc.source, href: doc.source, missing: false, archived, web: true };
  if (/^[a-z][a-z0-9+.-]*:/i.test(doc.source) && !/^[a-z]:[\\/]/i.test(doc.source))
    return { label: doc.source, href: null, missing: false, archived, web: false };
  const file = isAbsolute(doc.source) ? doc.source : resolve(doc.inputDir ?? fallbackInputDir, doc.source);
  const missing = !existsSync(file);
  return {
    label: doc.source,
    href: relativeHref(pageDir, file) ?? pathToFileURL(file).href,
    missing,
    archived,
    web: false,
  };
}
