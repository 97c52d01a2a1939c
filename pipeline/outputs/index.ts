/**
 * Outputs for auditors and researchers, written after the rules on the run's private copy of the
 * warehouse (so the views and review decisions are published with it):
 *   <out>/index.html, <out>/reports/<report>.html   the anomaly report (static, opens from disk)
 *   <out>/peers/<year>-<level>.js                    the peers of each year and level, read by the report pages
 *                                                    (standing.ts)
 *   <out>/page-keys.json                              what each report page shows, as a hash: an unchanged page is
 *                                                     not written again (page-keys.ts)
 *   <out>/output-keys.json                            the same for the agencies' and regions' pages and the charts
 *                                                     (output-keys.ts)
 *   <out>/export-rows.json                            each export row's hash and place in its file: an unchanged
 *                                                     row is copied, not read again (exports/kept-rows.ts)
 *   <out>/charts/<chart>.svg|.csv                    the index's charts and their numbers (overview.ts)
 *   <out>/agencies/<agency>.html                     one page per agency with two years or more (agency-pages.ts)
 *   <out>/regions/<region>-<year>.html               a region's printable summary for every year (region-pages.ts)
 *   <out>/sources/<report>.<format>                  a copy (or hard link) of every document, linked from the pages
 *   <out>/anomalies.csv, anomalies.json, reports.csv
 *   <out>/审计结果.xlsx                              the auditors' workbook (findings, reports, failed documents,
 *                                                    rule checks)
 *   <out>/reviews.csv                                 review decisions (created empty if absent)
 *   --parquet DIR                                     Hive-partitioned Parquet by year
 *
 * Memory is flat in the number of reports: the report pages are rendered a batch at a time (what
 * they show read from the warehouse for the batch, then released), and the summary page and the
 * exports are streamed to their files. Time: a few set-based queries per batch (the next batch is
 * read while this one renders), pages rendered and written on worker threads, an unchanged page kept.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { RunSummary } from './summary.js';
import { loadAuditData, REPORT_DOCUMENTS, type ReportGroup } from './site/audit-data.js';
import { prepareAuditData, releaseAuditData } from './site/materialised-views.js';
import {
  applyBatch,
  attachDocs,
  dropPageStage,
  fetchBatch,
  fetchDocs,
  inStorageOrder,
  planBatches,
  releaseBatch,
  stagePages,
  type BatchData,
} from './site/page-batches.js';
import { OUTPUT_KEYS, OutputKeys } from './site/output-keys.js';
import {
  documentsDigest,
  fileStamp,
  type FileStamp,
  PAGE_KEYS,
  pageKey,
  pageStands,
  readPageKeys,
  writePageKeys,
} from './site/page-keys.js';
import { loadProblems } from './site/report-docs.js';
import type { ReportPageContext } from './site/report-page.js';
import { FolderListings } from './site/source-links.js';
import { writeExports } from './exports/exports.js';
import { EXPORT_ROWS, ExportRows } from './exports/kept-rows.js';
import { archiveSources, SOURCES_DIR } from './source-archive.js';
import { FileSink, OutputStaging, PAGES_DIR, presentIn } from './files.js';
import { IndexPage, problemRows } from './site/index-page.js';
import { writeParquet } from './exports/parquet.js';
import { agencyList, AGENCIES_DIR, loadAgencyYears, writeAgencyPages } from './site/agency-pages.js';
import { CHARTS_DIR, overviewSection, startOverview } from './site/overview.js';
import { ChartDrawer } from './site/chart-drawer.js';
import { REGIONS_DIR, writeRegionPages } from './site/region-pages.js';
import { PEERS_DIR, writePeers } from './site/standing.js';
import { html } from './site/html.js';
import { PagePool, pageJob } from './site/page-pool.js';
import { ensureReviewsFile, loadReviews, reviewsPath, type Review, type Reviews } from '../rules/index.js';
import { loadRunChecks } from './run-checks.js';
import { PAGES_DB_MEMORY, returnFreedMemory, withDbMemory, withMemoryToSpare } from '../warehouse/index.js';
import { WORKBOOK_NAME, writeWorkbook } from './exports/workbook.js';

export interface OutputsContext {
  outDir: string;
  parquetDir?: string;
  summary: RunSummary;
  /** Review decisions (fingerprint,decision,note,reviewer,date); default <outDir>/reviews.csv. */
  reviewsCsv?: string;
  /** The decisions, when already read at the start of the run (`loadReviewsFor`); else read here. */
  reviews?: Reviews;
  /** The --input folder, for links to source documents; default summary.input. */
  inputDir?: string;
  /** The crawler's archive (`<raw>/<sha256>`), where crawled documents are copied from into `<out>/sources/`. */
  rawDir?: string;
  /** Report pages read and rendered together; default PAGES_PER_BATCH (tests: several batches of a small sample). */
  pagesPerBatch?: number;
  /**
   * Where the outputs are written aside; the caller publishes them (`publish(STAGED_OUTPUTS)`)
   * with the warehouse. Without it they are published when written.
   */
  staging?: OutputStaging;
  /** The review lines whose fingerprint matches no finding (applyReviews, before the outputs), listed on the index. */
  staleReviews?: readonly Review[];
  /** A table holding report_documents' rows as they are now (the rules' kept copy), read instead of the view. */
  reportDocuments?: string;
  /** Up to this many documents the charts are drawn beside the pages; default CHARTS_BESIDE_PAGES_MAX_DOCUMENTS. */
  chartsBesidePagesMaxDocuments?: number;
}

/** The files and folders of --out a run writes aside and publishes together (the index last). */
export const STAGED_OUTPUTS = [
  PAGE_KEYS,
  OUTPUT_KEYS,
  EXPORT_ROWS,
  'anomalies.csv',
  'anomalies.json',
  'reports.csv',
  WORKBOOK_NAME,
  'index.html',
] as const;
/** The folders of --out a run only adds files to (staged apart, moved in file by file when publishing). */
export const ADDED_OUTPUTS = [SOURCES_DIR] as const;
/**
 * The folders of --out updated in place: a file that changed is staged apart and moved in when
 * publishing, one unchanged is not touched, one no longer written is removed (files.ts `publish`).
 * Before, each was staged whole, every unchanged file hard-linked into the new folder: at 10,000
 * reports that cost more than the rest of an incremental run's pages (docs/performance.md).
 */
export const UPDATED_OUTPUTS = [PAGES_DIR, PEERS_DIR, CHARTS_DIR, AGENCIES_DIR, REGIONS_DIR] as const;

/**
 * Reads the review decisions a run will apply: --reviews FILE (which must exist) or
 * <out>/reviews.csv (absent = none). Throws ReviewsFileError naming the line of a malformed file:
 * call it before the run does any work, so a bad file stops the run before anything is published.
 */
export function loadReviewsFor(outDir: string, reviewsCsv?: string): Reviews {
  return loadReviews(reviewsPath(resolve(outDir), reviewsCsv), { mustExist: reviewsCsv !== undefined });
}

/**
 * Report pages read from the warehouse together (a query for their documents, one for their cells
 * and one for the cells of the reports shown beside them, one for their findings' operands; the
 * documents from their stretch of the copy staged in page order).
 * Smaller batches hold less (DuckDB keeps the memory a large result used), larger ones query less;
 * 100 gave up a little time for a lower peak (measured: docs/performance.md).
 */
const PAGES_PER_BATCH = 100;
/** Pages whose documents are read together to take their keys (and list their sources on the index). */
const PAGES_PER_KEY_BATCH = 1000;
/**
 * Up to this many documents the index's charts are drawn beside the pages and the view model's
 * read (on their own thread, the second core); with more the thread is stopped first, for memory.
 */
const CHARTS_BESIDE_PAGES_MAX_DOCUMENTS = 20_000;

/** The documents the outputs show (one count of the materialised report_documents). */
async function documentCount(conn: DuckDBConnection): Promise<number> {
  const reader = await conn.runAndReadAll(`SELECT count(*) FROM ${REPORT_DOCUMENTS}`);
  return Number(reader.getRows()[0][0]);
}

export async function writeOutputs(conn: DuckDBConnection, ctx: OutputsContext): Promise<string[]> {
  const out = resolve(ctx.outDir);
  const reviewsFile = reviewsPath(out, ctx.reviewsCsv);
  const reviews = ctx.reviews ?? loadReviewsFor(out, ctx.reviewsCsv);
  const inputDir = resolve(ctx.inputDir ?? ctx.summary.input);
  mkdirSync(out, { recursive: true });
  const aside = ctx.staging ?? new OutputStaging(out, `${process.pid}-${Date.now()}`);

  await prepareAuditData(conn, ctx.reportDocuments ? { report_documents: ctx.reportDocuments } : {});
  const files = ['index.html', 'anomalies.csv', 'anomalies.json', 'reports.csv'].map(
    (name) => new FileSink(aside.path(name)),
  );
  const [indexFile, anomaliesCsv, anomaliesJson, reportsCsv] = files;
  const written: string[] = [];
  let workbook: FileSink | null = null;
  const drawer = new ChartDrawer();
  try {
    const archived = await archiveSources(conn, out, {
      inputDir,
      rawDir: ctx.rawDir,
      into: aside.additions(SOURCES_DIR),
    });
    if (archived.added) written.push(`${join(out, SOURCES_DIR)}/ (${archived.added} documents copied or linked)`);
    // The exports, the charts, the agencies' and the regions' pages first, from the warehouse
    // alone (a few aggregate queries): the view model below is not yet in memory while what they
    // read is (at 50,000 reports the run's peak had been in these steps). Pages and charts whose
    // rows did not change keep their files, not rendered (output-keys.ts); the index's charts are
    // drawn on a thread of their own while the exports and the pages are written.
    const outputKeys = new OutputKeys(join(out, OUTPUT_KEYS));
    mkdirSync(aside.additions(CHARTS_DIR), { recursive: true });
    const charts = await startOverview(
      conn,
      aside.additions(CHARTS_DIR),
      join(out, CHARTS_DIR),
      outputKeys,
      (spec, rows, name) => drawer.draw(spec, rows, name),
    );
    const exportRows = await ExportRows.load(conn, out);
    ctx.summary.exportRows = await writeExports(
      conn,
      { anomaliesCsv, anomaliesJson, reportsCsv },
      REPORT_DOCUMENTS,
      exportRows,
    );
    // The charts are drawn while the exports are written. With many documents the drawing thread
    // (Vega, 60 MB and more) is gone before the next steps, which hold more of their own; with
    // fewer it draws on beside the agencies' and regions' pages and the view model's read (the
    // second core had little to do there), and the charts are awaited only for the index.
    const chartsBeside =
      (await documentCount(conn)) <= (ctx.chartsBesidePagesMaxDocuments ?? CHARTS_BESIDE_PAGES_MAX_DOCUMENTS);
    if (!chartsBeside) await drawer.finish();
    await returnFreedMemory(conn);
    const agencies = await loadAgencyYears(conn);
    await writeAgencyPages(agencies, aside.additions(AGENCIES_DIR), join(out, AGENCIES_DIR), outputKeys);
    const regions = await writeRegionPages(conn, aside.additions(REGIONS_DIR), join(out, REGIONS_DIR), outputKeys);
    const pagesIndex = html`${agencyList(agencies)}${regions}`;
    // the charts' keys are recorded as their figures are finished
    const finishOverview = async () => {
      const section = await overviewSection(charts, pagesIndex);
      await drawer.finish();
      outputKeys.save(aside.path(OUTPUT_KEYS));
      ctx.summary.keptOutputs = { ...outputKeys.counts };
      return section;
    };
    const overviewFirst = chartsBeside ? null : await finishOverview();
    await returnFreedMemory(conn);
    const data = await loadAuditData(conn, reviews);
    await returnFreedMemory(conn);
    writePeers(data.peers, aside.additions(PEERS_DIR), join(out, PEERS_DIR));
    const problems = await loadProblems(
      conn,
      ctx.summary.failed.map((f) => f.source),
    );
    const checks = await loadRunChecks(conn, ctx.summary.runId, data, ctx.summary.changes);
    const overview = overviewFirst ?? (await finishOverview());
    const index = new IndexPage(indexFile, {
      data,
      summary: ctx.summary,
      staleReviews: ctx.staleReviews ?? [],
      reviewsFile,
      problems: problems.docs,
      knownSources: problems.known,
      checks,
      overview,
    });
    index.start();

    // Report pages, a batch at a time in the order their cells are stored: what they show is read
    // for the batch, then released. Pages are written while the next ones render. A page whose key
    // (what it shows: page-keys.ts) is the one recorded for its published file keeps that file,
    // neither read nor rendered nor touched; one rendered equal to its published file keeps it too.
    // The pages that changed are written aside and moved in when publishing (UPDATED_OUTPUTS).
    const pagesDir = join(out, PAGES_DIR);
    const pageContext: ReportPageContext = { pageDir: pagesDir, inputDir, stagedSources: aside.additions(SOURCES_DIR) };
    const published = readPageKeys(join(out, PAGE_KEYS));
    // the documents' files, asked about a folder listing at a time (the copies are all made by now)
    const listings = new FolderListings();
    const keys = new Map<string, string>();
    // the pages kept as they stood, with their files' stamps as recorded (and checked)
    const kept = new Map<string, FileStamp>();
    const pages = { kept: 0, written: 0, unchanged: 0 };
    const staging = aside.additions(PAGES_DIR);
    mkdirSync(staging, { recursive: true });
    const groups = inStorageOrder(data.groups);
    // set in the pages' step below (a closure: declared so TypeScript does not narrow them to null)
    let pool = null as PagePool | null;
    let next = null as Promise<BatchData> | null;
    let nextPart = null as ReturnType<typeof fetchDocs> | null;
    try {
      const stage = await stagePages(conn, groups);
      // A read started ahead (in DuckDB's threads) while the main thread works on the last one; a
      // failure surfaces when it is awaited. One that runs out of DuckDB's memory runs again with twice it.
      const ahead = <T>(read: () => Promise<T>): Promise<T> => {
        const p = withMemoryToSpare(conn, read);
        p.catch(() => undefined);
        return p;
      };
      // the batches read little each; DuckDB's buffer would keep the cells' blocks read so far
      await withDbMemory(conn, PAGES_DB_MEMORY, async () => {
        // A page published with a key may stand: the documents of those pages are read, a stretch
        // at a time, to take their keys (and list their sources on the index). The other pages
        // are rendered, their keys taken as their batch is read (a first run reads them once).
        const render = new Set(groups.filter((g) => !published.has(g.id)).map((g) => g.id));
        const candidates = groups.filter((g) => !render.has(g.id));
        const parts: ReportGroup[][] = [];
        for (let i = 0; i < candidates.length; i += PAGES_PER_KEY_BATCH)
          parts.push(candidates.slice(i, i + PAGES_PER_KEY_BATCH));
        // the next stretch's documents are read while this one's keys are taken
        const fetchPart = (p: number) => ahead(() => fetchDocs(conn, parts[p], stage));
        nextPart = parts.length ? fetchPart(0) : null;
        for (let p = 0; p < parts.length; p++) {
          const part = parts[p];
          const docs = await nextPart!;
          nextPart = p + 1 < parts.length ? fetchPart(p + 1) : null;
          attachDocs(docs, part);
          index.reports(part);
          for (const g of part) {
            const key = pageKey(g, data, pageContext, documentsDigest(g.docs, pageContext, listings.exists));
            keys.set(g.id, key);
            g.docs = [];
            // a page whose file is the one its key was taken for stays as it is
            const entry = published.get(g.id);
            if (pageStands(entry, key, join(pagesDir, `${g.id}.html`))) {
              pages.kept++;
              kept.set(g.id, entry!);
            } else render.add(g.id);
          }
        }
        const toRender = groups.filter((g) => render.has(g.id));
        const batches = planBatches(toRender, data, ctx.pagesPerBatch ?? PAGES_PER_BATCH);
        const renderer = new PagePool({
          dir: staging,
          previousDir: pagesDir,
          page: pageContext,
          rules: [...data.rules.values()],
        });
        pool = renderer;
        // the next batch is read while this one renders
        const fetch = (b: number) => ahead(() => fetchBatch(conn, batches[b].pages, batches[b].needed, stage));
        next = batches.length ? fetch(0) : null;
        for (let b = 0; b < batches.length; b++) {
          const { pages: batch, needed } = batches[b];
          applyBatch(await next!, batch, needed);
          await returnFreedMemory(conn);
          next = b + 1 < batches.length ? fetch(b + 1) : null;
          const unkeyed = batch.filter((g) => !keys.has(g.id));
          index.reports(unkeyed);
          for (const g of unkeyed)
            keys.set(g.id, pageKey(g, data, pageContext, documentsDigest(g.docs, pageContext, listings.exists)));
          for (const g of batch) await renderer.render(pageJob(g, data));
          releaseBatch(batch, needed);
        }
      });
    } catch (e) {
      await nextPart?.catch(() => undefined);
      await next?.catch(() => undefined);
      await pool?.settle();
      // the error to report is this one; the finally below drops the stage again
      await dropPageStage(conn).catch(() => undefined);
      throw e;
    }
    await dropPageStage(conn);
    await pool!.close();
    pages.written = pool!.written;
    pages.unchanged = pool!.unchanged;
    // every report's page stays in the folder (written by the page workers, or kept)
    presentIn(
      staging,
      groups.map((g) => `${g.id}.html`),
    );
    // each page's file as it will be published: one kept as it stood (its stamp as recorded), one
    // written aside, else the published one (rendered equal to it)
    writePageKeys(aside.path(PAGE_KEYS), keys, (id) => {
      const stood = kept.get(id);
      if (stood) return stood;
      const fresh = join(staging, `${id}.html`);
      return fileStamp(existsSync(fresh) ? fresh : join(pagesDir, `${id}.html`));
    });
    ctx.summary.pagesWritten = pages.written;
    ctx.summary.pagesRendered = pages.written + pages.unchanged;
    written.push(
      `${pagesDir}/ (${data.groups.length} report pages: ${pages.written} written, ${pages.kept + pages.unchanged} unchanged)`,
      `${join(out, AGENCIES_DIR)}/ (${agencies.length} agency pages)`,
      `${join(out, CHARTS_DIR)}/`,
      `${join(out, REGIONS_DIR)}/`,
    );
    index.finish();

    workbook = await writeWorkbook(
      conn,
      aside.path(WORKBOOK_NAME),
      { data, checks, problems: problemRows(problems.docs, problems.known, ctx.summary), runId: ctx.summary.runId },
      REPORT_DOCUMENTS,
    );
    for (const f of [anomaliesCsv, anomaliesJson, reportsCsv, workbook, indexFile]) {
      f.commit();
      written.push(join(out, basename(f.path)));
    }
    // the exports' rows, each file's stamp as committed (publishing renames it)
    exportRows.save(aside.path(EXPORT_ROWS), (name) => aside.path(name));
    if (!ctx.staging) aside.publish(STAGED_OUTPUTS, ADDED_OUTPUTS, UPDATED_OUTPUTS);
    if (ctx.reviewsCsv === undefined && ensureReviewsFile(reviewsFile)) written.push(reviewsFile);
    if (ctx.parquetDir)
      written.push(
        ...(await writeParquet(conn, ctx.parquetDir, {
          queries: { report_documents: `SELECT * FROM ${REPORT_DOCUMENTS}` },
          runId: ctx.summary.runId,
        })),
      );
  } finally {
    await drawer.close();
    for (const f of files) f.abort();
    workbook?.abort();
    if (!ctx.staging) aside.discard();
    await dropPageStage(conn);
    await releaseAuditData(conn);
  }
  return written;
}
export { outputsCodeHash } from './code-version.js';
export { OutputStaging } from './files.js';
export { markLastChecked } from './last-checked.js';
export { findRegionPage } from './site/region-pages.js';
export { PhaseClock, findingsFields, formatSummary, processCpuMs, summarise } from './summary.js';
export type { FetchProblem, RunSummary } from './summary.js';
