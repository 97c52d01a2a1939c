/**
 * Links from a page to the document a report came from: its copy under the output folder
 * (source-archive.ts: the link survives copying or zipping the output folder), and the URL of a
 * crawled one; without a copy, the file under the --input folder of the run that saw it, as a
 * path relative to the page (so the output folder and the input folder can move together), or a
 * file:// URL when no relative path exists.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
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

/** Whether a file exists (`existsSync`, or a `FolderListings`' `exists`). */
export type Exists = (path: string) => boolean;

/**
 * Whether files exist, answered from one listing of each folder (read once, when first asked):
 * the keys of every kept page name two files per document (its copy and the file it was read
 * from), and asking the file system for each was a system call per file, 20,000 a run at 10,000
 * reports. A symbolic link is asked about itself (existsSync follows it: a dangling one is not a
 * file). For one run's keys, taken after the run's copies are made: a file added later is not seen.
 */
export class FolderListings {
  private readonly folders = new Map<string, Map<string, boolean>>();

  readonly exists: Exists = (path) => {
    const folder = dirname(path);
    let names = this.folders.get(folder);
    if (!names) {
      names = new Map();
      try {
        for (const e of readdirSync(folder, { withFileTypes: true })) names.set(e.name, e.isSymbolicLink());
      } catch {
        // no such folder: nothing in it
      }
      this.folders.set(folder, names);
    }
    const link = names.get(basename(path));
    return link === undefined ? false : link ? existsSync(path) : true;
  };
}

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
 * The links from a page's folder to each folder of documents, made once: a run takes the links of
 * every page's documents for the pages' keys, and `relative` on whole paths took most of that time.
 * Bounded, for a process that lives long.
 */
const folderHrefs = new Map<string, string | null>();
const FOLDER_HREFS_KEPT = 10_000;

/** `relativeHref(from, file)`, the folder's part made once per pair of folders. */
function fileHref(from: string, file: string): string | null {
  const name = basename(file);
  if (name === '' || name === '.' || name === '..') return relativeHref(from, file);
  const folder = dirname(file);
  const pair = `${from}\u0000${folder}`;
  let prefix = folderHrefs.get(pair);
  if (prefix === undefined) {
    prefix = relativeHref(from, folder);
    if (folderHrefs.size >= FOLDER_HREFS_KEPT) folderHrefs.clear();
    folderHrefs.set(pair, prefix);
  }
  if (prefix === null) return null;
  return prefix === '' ? encodeURIComponent(name) : `${prefix}/${encodeURIComponent(name)}`;
}

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
  fileExists: Exists = existsSync,
): SourceLink {
  const copy = archivedName ? join(dirname(resolve(pageDir)), SOURCES_DIR, archivedName) : null;
  const exists =
    copy !== null &&
    (fileExists(copy) || (stagedSources !== undefined && fileExists(join(stagedSources, archivedName!))));
  const archived = exists ? fileHref(pageDir, copy) : null;
  if (WEB.test(doc.source)) return { label: doc.source, href: doc.source, missing: false, archived, web: true };
  if (/^[a-z][a-z0-9+.-]*:/i.test(doc.source) && !/^[a-z]:[\\/]/i.test(doc.source))
    return { label: doc.source, href: null, missing: false, archived, web: false };
  const file = isAbsolute(doc.source) ? doc.source : resolve(doc.inputDir ?? fallbackInputDir, doc.source);
  const missing = !fileExists(file);
  return {
    label: doc.source,
    href: fileHref(pageDir, file) ?? pathToFileURL(file).href,
    missing,
    archived,
    web: false,
  };
}
