/**
 * A report page is written again only when what it shows changed. Each page gets a key: a hash
 * of everything its rendering reads (see `pageKey`), taken before its data is read, with the
 * heavy parts stood for by what decides them: its cells by the run that loaded its report (cells
 * change only when a report is loaded again), a finding's operands and cell lists by their md5
 * (read with the findings), its documents and the links to them by the documents' rows and
 * the links as made now (a source file moved away changes its link). The keys of the published
 * pages are kept beside them in `<out>/page-keys.json` with each page's inode, size and
 * modification time: a page whose key is unchanged and whose file is still the one the key was
 * recorded for is linked into the new pages' folder as it is, neither read nor rendered.
 *
 * The outputs' code is part of every key: a new version renders every page again.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { versionKey, type AuditData, type ReportDoc, type ReportGroup, type ShownFinding } from './audit-data.js';
import { outputsCodeHash } from '../code-version.js';
import type { ReportPageContext } from './report-page.js';
import { archivedName } from '../source-archive.js';
import { type Exists, sourceLink } from './source-links.js';

/** The pages' keys, in --out (published with the pages: ../index.ts's STAGED_OUTPUTS). */
export const PAGE_KEYS = 'page-keys.json';

/** A file as a key records it: a file replaced or changed since has another stamp. */
export interface FileStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

/** A published page's key and the file it was recorded for. */
export interface PageKeyEntry extends FileStamp {
  key: string;
}

export type PageKeys = Map<string, PageKeyEntry>;

/** The keys a run left beside its pages (none when absent or unreadable: every page is rendered). */
export function readPageKeys(path: string): PageKeys {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { pages?: Record<string, PageKeyEntry> };
    return new Map(Object.entries(parsed.pages ?? {}));
  } catch {
    return new Map();
  }
}

/** The file `path` as a key entry records it (null: no such file). */
export function fileStamp(path: string): FileStamp | null {
  try {
    const st = statSync(path);
    return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  } catch {
    return null;
  }
}

/** Whether the page at `path` is the file `entry` was recorded for, with the key `key`. */
export function pageStands(entry: PageKeyEntry | undefined, key: string, path: string): boolean {
  return entry !== undefined && entry.key === key && fileStands(path, entry);
}

/** Whether the file at `path` is still the one `was` recorded (same inode, size and modification time). */
export function fileStands(path: string, was: FileStamp): boolean {
  const st = fileStamp(path);
  return st !== null && st.ino === was.ino && st.size === was.size && st.mtimeMs === was.mtimeMs;
}

/**
 * Writes the pages' keys to `path`, each with its page's file as it will be published (`stamp`:
 * null when there is none).
 */
export function writePageKeys(
  path: string,
  keys: ReadonlyMap<string, string>,
  stamp: (id: string) => FileStamp | null,
): void {
  const pages: Record<string, PageKeyEntry> = {};
  for (const [id, key] of keys) {
    const st = stamp(id);
    if (st) pages[id] = { key, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
  }
  writeFileSync(path, JSON.stringify({ pages }));
}

/**
 * What a page shows of its report's documents: the documents' rows (sources, the --input they
 * were seen under, titles, statuses, a PDF's table pages) and the links made to them now (a copy
 * in <out>/sources, a file that moved away). Taken while the documents are loaded for the index;
 * `exists` answers whether a file exists (the run's `FolderListings`).
 */
export function documentsDigest(docs: readonly ReportDoc[], ctx: ReportPageContext, exists?: Exists): string {
  const links = docs.map((d) =>
    d.sources.map((s) =>
      sourceLink(s, ctx.pageDir, ctx.inputDir, archivedName(d.report_id, d.format), ctx.stagedSources, exists),
    ),
  );
  // a source's --input folder matters only through its link (a crawled document's run names its number of sources)
  const shown = docs.map((d) => ({ ...d, sources: d.sources.map((s) => s.source) }));
  return createHash('sha256')
    .update(JSON.stringify([shown, links]))
    .digest('hex');
}

/** A group as a page shows it (its own or another's), without what is read for its page alone. */
function groupRecord(g: ReportGroup): unknown {
  const { docs, cellsJson, cells, cellRows, findings, relatedFindings, ...record } = g;
  return record;
}

/** A finding as a page shows it: every column but the operands and cell lists, which `detail` stands for. */
function findingRecord(s: ShownFinding): unknown {
  const member = ({ operands, cells, ...f }: ShownFinding['finding']) => f;
  // a review's line in reviews.csv is not shown
  const review = s.review && [s.review.decision, s.review.note, s.review.reviewer, s.review.date];
  return [s.label, s.group_id, s.related_group_id, s.dismissed, review, member(s.finding), s.members.map(member)];
}

/**
 * The key of `g`'s page: a hash of the outputs' code, the page's context, its group, its
 * documents (`docsDigest`), every finding it shows, every group those findings name (their
 * reports, the reports their operands and cells name: `Finding.named`) and its other versions,
 * and the titles of the rules shown. A superset of what the page reads: a change outside it
 * renders the page again for nothing, never keeps a stale one.
 */
export function pageKey(g: ReportGroup, data: AuditData, ctx: ReportPageContext, docsDigest: string): string {
  const shown = [...g.findings, ...g.relatedFindings];
  const reports = new Set<string>();
  const groups = new Set<string>();
  for (const s of shown) {
    groups.add(s.group_id);
    if (s.related_group_id) groups.add(s.related_group_id);
    for (const f of [s.finding, ...s.members]) {
      for (const id of [f.report_id, f.related_report_id, ...f.named]) if (id) reports.add(id);
    }
  }
  const named = [...reports].sort().map((id) => [id, data.groupOf.get(id) ?? null]);
  for (const [, group] of named) if (group) groups.add(group as string);
  if (g.versionsInYear > 1 && g.year !== null) for (const v of data.versions.get(versionKey(g)) ?? []) groups.add(v.id);
  groups.delete(g.id);
  const others = [...groups]
    .sort()
    .map((id) => [id, data.groupById.has(id) ? groupRecord(data.groupById.get(id)!) : null]);
  const rules = [...new Set(shown.map((s) => s.finding.rule_id))].sort().map((id) => [id, data.rules.get(id) ?? null]);
  const input = [
    outputsCodeHash(),
    ctx.pageDir,
    ctx.inputDir,
    groupRecord(g),
    docsDigest,
    shown.map(findingRecord),
    named,
    others,
    rules,
  ];
  return createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 32);
}
