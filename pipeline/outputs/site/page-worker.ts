/** Worker thread: renders the report pages it is sent, and sends them to the page writer (see page-pool.ts). */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { versionKey, type AuditData, type ReportGroup, type RuleInfo } from './audit-data.js';
import type { PageJob, RenderedPage } from './page-pool.js';
import type { ReportPageContext } from './report-page.js';
import { renderReportPage } from './report-page.js';

const setup = workerData as { page: ReportPageContext; rules: RuleInfo[]; writer: MessagePort };
const rules = new Map(setup.rules.map((r) => [r.rule_id, r]));

/** What `renderReportPage` reads of the audit data, for one page. */
function dataFor(job: PageJob): AuditData {
  const groupById = new Map<string, ReportGroup>([
    [job.page.id, job.page],
    ...job.others.map((g): [string, ReportGroup] => [g.id, g]),
  ]);
  const versions = new Map<string, ReportGroup[]>();
  if (job.versions)
    versions.set(
      versionKey(job.page),
      job.versions.map((id) => groupById.get(id)).filter((g): g is ReportGroup => !!g),
    );
  return {
    groups: [job.page, ...job.others],
    groupById,
    groupOf: new Map(job.groupOf),
    findings: [],
    rules,
    documents: 0,
    versions,
    peers: [],
  };
}

parentPort!.on('message', (job: PageJob) => {
  let page: RenderedPage;
  try {
    page = { id: job.page.id, html: renderReportPage(job.page, dataFor(job), setup.page) };
  } catch (e) {
    page = { id: job.page.id, error: (e as Error)?.message ?? String(e) };
  }
  setup.writer.postMessage(page);
});
