/**
 * One report page from its job, rendered and written: what a page worker does, and what the main
 * thread does when the pool has no worker (see page-pool.ts).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { versionKey, type AuditData, type ReportGroup, type RuleInfo } from './audit-data.js';
import type { PageDone, PageJob } from './page-pool.js';
import { renderReportPage, type ReportPageContext } from './report-page.js';

/** What `renderReportPage` reads of the audit data, for one page. */
function dataFor(job: PageJob, rules: Map<string, RuleInfo>): AuditData {
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

/**
 * Pages written a few at a time in libuv's thread pool while the next ones render, answered each
 * with a PageDone. A page equal to the published one in `previousDir` is not written (that file
 * stays, its modification time too): `writePage` (../files.ts), asynchronously.
 */
export class PageFiles {
  /**
   * Writes at once: DuckDB's queries (the main thread's next batch) run in the same pool, and files
   * created in one folder at once only contend.
   */
  private static readonly AT_ONCE = 2;
  private readonly queue: { id: string; html: string }[] = [];
  private writing = 0;

  constructor(
    private readonly dir: string,
    private readonly previousDir: string | null,
    private readonly rules: Map<string, RuleInfo>,
    private readonly context: ReportPageContext,
    private readonly answer: (done: PageDone) => void,
  ) {}

  /** Renders the job's page and queues it for writing (a page that cannot be rendered is answered at once). */
  add(job: PageJob): void {
    let html: string;
    try {
      html = renderReportPage(job.page, dataFor(job, this.rules), this.context);
    } catch (e) {
      this.answer({ unchanged: false, error: { message: `${job.page.id}: ${(e as Error)?.message ?? String(e)}` } });
      return;
    }
    this.queue.push({ id: job.page.id, html });
    this.writeNext();
  }

  private writeNext(): void {
    while (this.writing < PageFiles.AT_ONCE && this.queue.length > 0) {
      const { id, html } = this.queue.shift()!;
      this.writing++;
      this.write(`${id}.html`, html).then(
        (unchanged) => this.written({ unchanged, error: null }),
        (e: NodeJS.ErrnoException) =>
          this.written({ unchanged: false, error: { message: `${id}: ${e?.message ?? String(e)}`, code: e?.code } }),
      );
    }
  }

  private written(done: PageDone): void {
    this.writing--;
    this.answer(done);
    this.writeNext();
  }

  private async write(name: string, html: string): Promise<boolean> {
    const page = Buffer.from(html, 'utf8');
    if (this.previousDir) {
      try {
        if ((await readFile(join(this.previousDir, name))).equals(page)) return true;
      } catch {
        // no such page before: written below
      }
    }
    await writeFile(join(this.dir, name), page);
    return false;
  }
}
