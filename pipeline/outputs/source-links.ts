/**
 * Links from a page to the document a report came from: the URL itself, or the file under the
 * --input folder of the run that saw it, as a path relative to the page (so the output folder
 * and the input folder can move together), or a file:// URL when no relative path exists.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SourceDoc } from './audit-data.js';

export interface SourceLink {
  /** What to show: the path as found under --input, or the URL. */
  label: string;
  href: string | null;
  /** The file is no longer where it was found. */
  missing: boolean;
}

const WEB = /^https?:\/\//i;

export function sourceLink(doc: SourceDoc, pageDir: string, fallbackInputDir: string): SourceLink {
  if (WEB.test(doc.source)) return { label: doc.source, href: doc.source, missing: false };
  if (/^[a-z][a-z0-9+.-]*:/i.test(doc.source) && !/^[a-z]:[\\/]/i.test(doc.source)) return { label: doc.source, href: null, missing: false };
  const file = isAbsolute(doc.source) ? doc.source : resolve(doc.inputDir ?? fallbackInputDir, doc.source);
  const missing = !existsSync(file);
  const rel = relative(resolve(pageDir), file);
  const href = isAbsolute(rel)
    ? pathToFileURL(file).href
    : rel.split(sep).map((part) => encodeURIComponent(part)).join('/');
  return { label: doc.source, href, missing };
}
