/** Finds input documents under a folder, recursively, in a stable order. */
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface InputFile {
  /** Absolute path. */
  path: string;
  /** Path as found under --input (the `source` of reports and documents). */
  source: string;
}

const SKIP = /^\.|~$|\.(lock|tmp|part|swp)$|^Thumbs\.db$|^desktop\.ini$/i;

export function discover(dir: string): InputFile[] {
  const out: InputFile[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (SKIP.test(e.name)) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push({ path: p, source: relative(dir, p) });
    }
  };
  walk(dir);
  return out;
}

/** The year a document is filed under, when its path names one (2020_…, /2021/, _2022.docx). */
export function filedYearOf(source: string): number | null {
  const m = /(?:^|[\/_\-\s])((?:19|20)\d{2})(?=[_\-\s\/.年]|$)/.exec(source);
  return m ? Number(m[1]) : null;
}
