/**
 * The report pages a run wrote (on the page workers, each with the part of the audit data its
 * page shows, or kept from an earlier run) against the same pages rendered on this thread with
 * everything the run read (the review decisions of <out>/reviews.csv included).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { loadAuditData } from '../../pipeline/outputs/site/audit-data.js';
import { prepareAuditData } from '../../pipeline/outputs/site/materialised-views.js';
import { loadReviewsFor } from '../../pipeline/outputs/index.js';
import { applyBatch, fetchBatch } from '../../pipeline/outputs/site/page-batches.js';
import { renderReportPage } from '../../pipeline/outputs/site/report-page.js';
import { createViews } from '../../pipeline/warehouse/views.js';
import { closeWarehouse, openWarehouse } from '../../pipeline/warehouse/warehouse.js';
import type { PipelineRun } from '../helpers.js';

export async function expectPagesAsRenderedWhole(run: PipelineRun): Promise<void> {
  const w = await openWarehouse(run.db);
  try {
    await createViews(w.conn);
    await prepareAuditData(w.conn);
    const data = await loadAuditData(w.conn, loadReviewsFor(run.out));
    applyBatch(await fetchBatch(w.conn, data.groups, data.groups), data.groups, data.groups);
    const pagesDir = join(run.out, 'reports');
    const inputDir = resolve(run.input!);
    expect(data.groups.length).toBeGreaterThan(0);
    for (const g of data.groups) {
      expect(readFileSync(join(pagesDir, `${g.id}.html`), 'utf8'), g.id).toBe(
        renderReportPage(g, data, { pageDir: pagesDir, inputDir }),
      );
    }
  } finally {
    await closeWarehouse(w);
  }
}
