/**
 * Reading the report pages' data a batch at a time (the view model is audit-data.ts): the pages
 * are planned in batches in the order their reports' cells are stored (`planBatches`), the
 * documents they list are staged once per run in that order (`stagePages`), and each batch reads
 * its documents, the cells of its reports and of those shown beside them, and its findings'
 * operands (`fetchBatch`), attaches them (`applyBatch`) and lets them go (`releaseBatch`).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  CELL_COLUMNS,
  type AuditData,
  type CellRef,
  type CellRows,
  type Finding,
  type ReportDoc,
  type ReportGroup,
} from './audit-data.js';
import { finite, namedRows, sqlList } from '../query.js';
import { DOCUMENT_ROWS, loadDocs } from './report-docs.js';

/** A batch of pages, and the groups they show (theirs and those their findings compare them with). */
export interface PageBatch {
  pages: ReportGroup[];
  needed: ReportGroup[];
}

/** The groups of a batch of pages and the reports their findings compare them with (shown side by side). */
function withRelatedGroups(batch: readonly ReportGroup[], data: AuditData): ReportGroup[] {
  const ids = new Set(batch.map((g) => g.id));
  for (const g of batch) {
    for (const f of [...g.findings, ...g.relatedFindings]) {
      ids.add(f.group_id);
      if (f.related_group_id) ids.add(f.related_group_id);
    }
  }
  return [...ids].map((id) => data.groupById.get(id)).filter((g): g is ReportGroup => !!g);
}

/**
 * The groups in the order their cells are stored in the warehouse (groups without cells last, in
 * page order). A batch of pages taken in this order reads one stretch of the cells table; taken
 * in page order, every batch scanned all of it (a cost growing with the square of their number;
 * measured: docs/performance.md).
 */
export function inStorageOrder(groups: readonly ReportGroup[]): ReportGroup[] {
  const at = (g: ReportGroup) => g.cellRows?.first ?? Number.POSITIVE_INFINITY;
  return [...groups].sort((a, b) => (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : 0));
}

/** `pages` (in storage order) cut into batches of `perBatch`, each with the groups it shows. */
export function planBatches(pages: readonly ReportGroup[], data: AuditData, perBatch: number): PageBatch[] {
  const batches: PageBatch[] = [];
  for (let i = 0; i < pages.length; i += perBatch) {
    const batch = pages.slice(i, i + perBatch);
    batches.push({ pages: batch, needed: withRelatedGroups(batch, data) });
  }
  return batches;
}

function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function parseCells(text: unknown): CellRef[] {
  const parsed = parseJson(text);
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(
    (c): c is CellRef =>
      !!c &&
      typeof c === 'object' &&
      typeof c.table_id === 'string' &&
      typeof c.row_key === 'string' &&
      typeof c.col_key === 'string',
  );
}

/** What a batch of pages shows, read from the warehouse (`fetchBatch`) but not yet attached (`applyBatch`). */
export interface BatchData {
  docs: ReportDoc[];
  /** Per report: its cells (JSON text of an array of rows, `CELL_COLUMNS` in order). */
  cells: { id: string; json: string }[];
  /** Per finding shown: its operands and cell list (JSON texts). */
  details: FindingDetail[];
}

/** The operands and cell list of a finding, as stored (JSON texts). */
interface FindingDetail {
  fingerprint: string;
  operands: string | null;
  cells: string | null;
}

/** The pages' documents, staged in page order (`stagePages`), and the page order it is made with. */
const PAGE_DOCUMENTS = 'out_page_documents';
const PAGE_ORDER = 'out_page_order';

/**
 * Where each page stands in the order its batches are read, once its documents are staged in that
 * order (`stagePages`): a batch then reads its stretch of the staged table, a comparison of
 * integers (and beyond a row group, DuckDB skips the rest by its min/max statistics), not a join
 * of the whole documents and reports tables.
 */
export interface PageStage {
  pageNo: Map<string, number>;
}

/**
 * Copies, in page order, the documents each page lists with their sources. Done once per run: read
 * per batch, they were a join of the documents and reports tables whole, a cost growing with the
 * square of the number of reports. (The findings' operands are still read per batch by
 * fingerprint: staged, their texts would be held in memory. Measured: docs/performance.md.)
 */
export async function stagePages(conn: DuckDBConnection, pages: readonly ReportGroup[]): Promise<PageStage> {
  const pageNo = new Map(pages.map((g, i) => [g.id, i]));
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${PAGE_ORDER} (group_id VARCHAR, page_no INTEGER)`);
  try {
    const order = await conn.createAppender(PAGE_ORDER);
    try {
      pages.forEach((g, i) => {
        order.appendVarchar(g.id);
        order.appendInteger(i);
        order.endRow();
      });
    } finally {
      order.closeSync();
    }
    await conn.run(
      `CREATE OR REPLACE TEMP TABLE ${PAGE_DOCUMENTS} AS
         SELECT o.page_no, d.* FROM ${PAGE_ORDER} o JOIN (${DOCUMENT_ROWS}) d USING (group_id) ORDER BY o.page_no`,
    );
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${PAGE_ORDER}`);
  }
  return { pageNo };
}

/** Drops the staged copy once the pages are written (and what staging it left, had it failed). */
export async function dropPageStage(conn: DuckDBConnection): Promise<void> {
  for (const table of [PAGE_DOCUMENTS, PAGE_ORDER]) await conn.run(`DROP TABLE IF EXISTS ${table}`);
}

/** `page_no BETWEEN a AND b` over these pages' places in the stage (null when one of them is not staged). */
function pageStretch(stage: PageStage | undefined, pages: readonly ReportGroup[]): string | null {
  if (!stage) return null;
  const at = pages.map((g) => stage.pageNo.get(g.id));
  if (at.some((n) => n === undefined)) return null;
  return `page_no BETWEEN ${Math.min(...(at as number[]))} AND ${Math.max(...(at as number[]))}`;
}

/**
 * The documents `pages` list, with their sources: from their stretch of the `stage` when they are
 * staged, else from the warehouse's tables.
 */
export async function fetchDocs(
  conn: DuckDBConnection,
  pages: readonly ReportGroup[],
  stage?: PageStage,
): Promise<ReportDoc[]> {
  if (pages.length === 0) return [];
  const stretch = pageStretch(stage, pages);
  const groupIn = `group_id IN (${sqlList(pages.map((g) => g.id))})`;
  return stretch
    ? loadDocs(conn, `SELECT * FROM ${PAGE_DOCUMENTS}`, `${stretch} AND ${groupIn}`)
    : loadDocs(conn, DOCUMENT_ROWS, groupIn);
}

/** Attaches documents (`fetchDocs`) to their pages' groups. */
export function attachDocs(docs: readonly ReportDoc[], pages: readonly ReportGroup[]): void {
  const byId = new Map(pages.map((g) => [g.id, g]));
  for (const doc of docs) byId.get(doc.group_id)?.docs.push(doc);
}

/**
 * Reads what the pages of `pages` show: their documents and sources, the cells of `withCells`
 * (the pages' reports and those shown beside them), the operands and cell lists of their findings.
 * With a `stage`, documents come from its stretch for these pages; the list of ids still decides
 * what is read, so pages out of page order get the same. Touches no group, so the
 * next batch can be read while this one is rendered.
 */
export async function fetchBatch(
  conn: DuckDBConnection,
  pages: readonly ReportGroup[],
  withCells: readonly ReportGroup[],
  stage?: PageStage,
): Promise<BatchData> {
  const batch: BatchData = { docs: [], cells: [], details: [] };
  if (pages.length === 0) return batch;
  batch.docs = await fetchDocs(conn, pages, stage);
  // The pages' own cells lie in one stretch of the table (pages go in the order their cells are
  // stored); the reports shown beside them may lie anywhere, so they are read apart rather than
  // widening the pages' ranges.
  const pageIds = new Set(pages.map((g) => g.id));
  const stored = withCells.flatMap((g): [string, CellRows][] => (g.cellRows ? [[g.id, g.cellRows]] : []));
  for (const part of [stored.filter(([id]) => pageIds.has(id)), stored.filter(([id]) => !pageIds.has(id))]) {
    if (part.length) batch.cells.push(...(await readCells(conn, part)));
  }
  const shown = new Set<string>();
  for (const g of pages) for (const s of [...g.findings, ...g.relatedFindings]) shown.add(s.finding.fingerprint);
  if (shown.size) {
    batch.details = await namedRows<FindingDetail>(
      conn,
      `SELECT fingerprint, operands, cells FROM anomalies WHERE fingerprint IN (${sqlList(shown)})`,
    );
  }
  return batch;
}

/** The cells' columns as `cellsOf` reads them (`CELL_COLUMNS`), for json_array. */
const CELL_ROW = CELL_COLUMNS.map((c) => (c === 'value' ? finite(c) : c)).join(', ');

/** Cells of reports that have some (id and where they lie), one JSON text per report (`CELL_COLUMNS`). */
async function readCells(
  conn: DuckDBConnection,
  stored: readonly (readonly [string, CellRows])[],
): Promise<BatchData['cells']> {
  const read = async (ids: readonly string[], ranges: string) => {
    const reader = await conn.runAndReadAll(
      `SELECT report_id, count(*)::INTEGER, '[' || string_agg(json_array(${CELL_ROW})::VARCHAR, ',') || ']'
       FROM cells WHERE report_id IN (${sqlList(ids)}) ${ranges} GROUP BY report_id`,
    );
    const [got = [], counts = [], texts = []] = (reader.currentRowCount > 0 ? reader.getColumnsJS() : []) as [
      string[],
      number[],
      string[],
    ];
    return {
      counts: new Map(got.map((id, i) => [id, counts[i]])),
      cells: got.map((id, i) => ({ id, json: texts[i] })),
    };
  };
  const ranges = rowRangesFilter(stored.map(([, rows]) => rows));
  const got = await read(
    stored.map(([id]) => id),
    ranges,
  );
  if (!ranges) return got.cells;
  // Row ids move when a checkpoint vacuums deleted rows. Nothing writes between `loadGroups` and
  // the last batch, but a report that comes back short of its cells is read again without them.
  const short = new Set(stored.filter(([id, rows]) => got.counts.get(id) !== rows.count).map(([id]) => id));
  if (short.size === 0) return got.cells;
  return [...got.cells.filter(({ id }) => !short.has(id)), ...(await read([...short], '')).cells];
}

/** DuckDB skips a row group (this many rows) whose row ids fall outside every range of the filter. */
const ROWS_PER_ROW_GROUP = 122_880;
/** Beyond this many ranges the filter costs more than the scan it saves (measured: docs/performance.md). */
const MAX_ROW_RANGES = 8;

/**
 * `AND (rowid BETWEEN a AND b OR …)` over the stretches of the cells table that hold these reports'
 * cells, ranges less than a row group apart merged; empty when they are too scattered to be worth it.
 * With it a batch reads the row groups of its own reports: the pages' reads stay linear in the
 * number of reports instead of scanning the whole table once per batch.
 */
export function rowRangesFilter(rows: readonly CellRows[]): string {
  const sorted = [...rows].sort((a, b) => a.first - b.first);
  const merged: [number, number][] = [];
  for (const { first, last } of sorted) {
    const prev = merged[merged.length - 1];
    if (prev && first <= prev[1] + ROWS_PER_ROW_GROUP) prev[1] = Math.max(prev[1], last);
    else merged.push([first, last]);
  }
  if (merged.length === 0 || merged.length > MAX_ROW_RANGES) return '';
  return `AND (${merged.map(([a, b]) => `rowid BETWEEN ${a} AND ${b}`).join(' OR ')})`;
}

/** Attaches what `fetchBatch` read to the groups and findings (released by `releaseBatch`). */
export function applyBatch(batch: BatchData, pages: readonly ReportGroup[], withCells: readonly ReportGroup[]): void {
  attachDocs(batch.docs, pages);
  const cellGroups = new Map(withCells.map((g) => [g.id, g]));
  for (const { id, json } of batch.cells) {
    const g = cellGroups.get(id);
    if (g) g.cellsJson = json;
  }
  const shown = new Map<string, Finding>();
  for (const g of pages)
    for (const s of [...g.findings, ...g.relatedFindings]) shown.set(s.finding.fingerprint, s.finding);
  for (const { fingerprint, operands, cells } of batch.details) {
    const f = shown.get(fingerprint);
    if (!f) continue;
    f.operands = parseJson(operands);
    f.cells = parseCells(cells);
  }
}

export function releaseBatch(pages: readonly ReportGroup[], withCells: readonly ReportGroup[]): void {
  for (const g of withCells) {
    g.cellsJson = null;
    g.cells = null;
  }
  for (const g of pages) {
    g.docs = [];
    for (const s of [...g.findings, ...g.relatedFindings]) {
      s.finding.operands = null;
      s.finding.cells = [];
    }
  }
}
