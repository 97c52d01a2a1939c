/**
 * "Last checked" on the summary page: when a run last looked at the inputs, including a night
 * with nothing new, whose run keeps every output as it is (the nightly no-op). Such a run only
 * rewrites this stamp in place: a fixed-width time near the top of index.html, found in its first
 * bytes and overwritten with as many bytes, so the no-op stays a few milliseconds.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const MARK = '<time data-last-checked datetime="';
/** How far into index.html the stamp may be (it is in the page's header, after the inline style sheet). */
const SEARCH_BYTES = 256 * 1024;

/** `2026-12-07T02:30:00Z">2026-12-07 02:30:00`: always the same length. */
function stamp(at: Date): string {
  const iso = at.toISOString().slice(0, 19);
  return `${iso}Z">${iso.replace('T', ' ')}`;
}

/** The stamp's markup, for the page's header (UTC). */
export function lastCheckedHtml(at: Date): string {
  return `${MARK}${stamp(at)}</time>`;
}

/** Sets the stamp of `<out>/index.html` to `at`; false when the page has none (written by an older version). */
export function markLastChecked(outDir: string, at: Date): boolean {
  const fd = openSync(join(outDir, 'index.html'), 'r+');
  try {
    const head = Buffer.alloc(SEARCH_BYTES);
    const n = readSync(fd, head, 0, SEARCH_BYTES, 0);
    const at0 = head.subarray(0, n).indexOf(MARK);
    if (at0 < 0) return false;
    const bytes = Buffer.from(stamp(at));
    const old = head.subarray(at0 + MARK.length, at0 + MARK.length + bytes.length).toString('latin1');
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(old)) return false;
    writeSync(fd, bytes, 0, bytes.length, at0 + MARK.length);
    return true;
  } finally {
    closeSync(fd);
  }
}
