/** Worker thread: renders the report pages it is sent and writes them (see page-pool.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { versionKey, type AuditData, type ReportGroup } from './audit-data.js';
import { writePage } from './files.js';
import type { PageDone, PageJob, PageSetup } from './page-pool.js';
import { renderReportPage } from './report-page.js';

const setup = workerData as PageSetup;
const rules = new Map(setup.rules.map((r) => [r.rule_id, r]));
const groupOf = new Map(setup.groupOf);

/** What `renderReportPage` reads of the audit data, for one page. */
function dataFor(job: PageJob): AuditData {
  const groupById = new Map<string, ReportGroup>([[job.page.id, job.page], ...job.others.map((g): [string, ReportGroup] => [g.id, g])]);
  const versions = new Map<string, ReportGroup[]>();
  if (job.versions) versions.set(versionKey(job.page), job.versions.map((id) => groupById.get(id)).filter((g): g is ReportGroup => !!g));
  return { groups: [job.page, ...job.others], groupById, groupOf, findings: [], rules, documents: 0, versions };
}

parentPort!.on('message', (job: PageJob) => {
  const done: PageDone = { unchanged: false, error: null };
  try {
    const html = renderReportPage(job.page, dataFor(job), setup.page);
    done.unchanged = writePage(setup.dir, setup.previousDir, `${job.page.id}.html`, html);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    done.error = { message: `${job.page.id}: ${err?.message ?? String(e)}`, code: err?.code };
  }
  parentPort!.postMessage(done);
});
