/**
 * Worker thread: renders the report pages it is sent and writes them while it renders the next,
 * answering the main thread once per page (see page-pool.ts). The writing runs in libuv's pool,
 * so rendering and writing (mostly the kernel's time) overlap without a thread of their own for
 * the writing (its isolate was 25-35 MB of the outputs' peak: docs/performance.md).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { RuleInfo } from './audit-data.js';
import type { PageJob } from './page-pool.js';
import { PageFiles } from './page-render.js';
import type { ReportPageContext } from './report-page.js';

const setup = workerData as { page: ReportPageContext; rules: RuleInfo[]; dir: string; previousDir: string | null };
const files = new PageFiles(
  setup.dir,
  setup.previousDir,
  new Map(setup.rules.map((r) => [r.rule_id, r])),
  setup.page,
  (done) => parentPort!.postMessage(done),
);

parentPort!.on('message', (job: PageJob) => files.add(job));
