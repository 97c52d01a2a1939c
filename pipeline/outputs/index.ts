/**
 * Outputs for auditors and researchers, written after the rules on the run's private copy of the
 * warehouse (so the views and review decisions are published with it):
 *   <out>/index.html, <out>/reports/<report>.html   the anomaly report (static, opens from disk)
 *   <out>/anomalies.csv, anomalies.json, reports.csv
 *   <out>/reviews.csv                                 review decisions (created empty if absent)
 *   --parquet DIR                                     Hive-partitioned Parquet by year
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { RunSummary } from '../summary.js';
import { loadAuditData, loadCells, type AuditData, type ReportGroup } from './audit-data.js';
import { anomaliesExport, reportsExport, toCsv, toJson } from './exports.js';
import { replaceDir, writeFileAtomic } from './files.js';
import { renderIndexPage } from './index-page.js';
import { writeParquet } from './parquet.js';
import { renderReportPage } from './report-page.js';
import { applyReviews, ensureReviewsFile, loadReviews, reviewsPath, type Reviews } from './reviews.js';
import { createViews } from './views.js';

export { loadReviews, ReviewsFileError, reviewsPath, type Review, type Reviews } from './reviews.js';
export { createViews } from './views.js';

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
}

/**
 * Reads the review decisions a run will apply: --reviews FILE (which must exist) or
 * <out>/reviews.csv (absent = none). Throws ReviewsFileError naming the line of a malformed file:
 * call it before the run does any work, so a bad file stops the run before anything is published.
 */
export function loadReviewsFor(outDir: string, reviewsCsv?: string): Reviews {
  return loadReviews(reviewsPath(resolve(outDir), reviewsCsv), { mustExist: reviewsCsv !== undefined });
}

const PAGES_PER_BATCH = 500;

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

export async function writeOutputs(conn: DuckDBConnection, ctx: OutputsContext): Promise<string[]> {
  const out = resolve(ctx.outDir);
  const reviewsFile = reviewsPath(out, ctx.reviewsCsv);
  const reviews = ctx.reviews ?? loadReviewsFor(out, ctx.reviewsCsv);
  const inputDir = resolve(ctx.inputDir ?? ctx.summary.input);
  mkdirSync(out, { recursive: true });

  await createViews(conn);
  const applied = await applyReviews(conn, reviews);
  const data = await loadAuditData(conn, reviews);
  const written: string[] = [];

  const pagesDir = join(out, 'reports');
  await replaceDir(pagesDir, async (staging) => {
    for (let i = 0; i < data.groups.length; i += PAGES_PER_BATCH) {
      const batch = data.groups.slice(i, i + PAGES_PER_BATCH);
      const needed = withRelatedGroups(batch, data);
      await loadCells(conn, needed);
      for (const g of batch) writeFileSync(join(staging, `${g.id}.html`), renderReportPage(g, data, { pageDir: pagesDir, inputDir }));
      for (const g of needed) g.cells.clear();
    }
  });
  written.push(`${pagesDir}/ (${data.groups.length} report pages)`);

  const anomalies = await anomaliesExport(conn);
  const reports = await reportsExport(conn);
  const files: [string, string][] = [
    ['anomalies.csv', toCsv(anomalies)],
    ['anomalies.json', toJson(anomalies)],
    ['reports.csv', toCsv(reports)],
    ['index.html', renderIndexPage({ data, summary: ctx.summary, staleReviews: applied.stale, reviewsFile })],
  ];
  for (const [name, content] of files) {
    writeFileAtomic(join(out, name), content);
    written.push(join(out, name));
  }
  if (ctx.reviewsCsv === undefined && ensureReviewsFile(reviewsFile)) written.push(reviewsFile);

  if (ctx.parquetDir) written.push(...(await writeParquet(conn, ctx.parquetDir)));
  return written;
}
