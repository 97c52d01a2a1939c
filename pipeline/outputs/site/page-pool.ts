/**
 * Report pages rendered on worker threads (one fewer than the cores), each writing the pages it
 * renders while it renders the next, while the main thread reads the next batch from the
 * warehouse: by the outputs the extraction workers are gone and the cores idle, rendering a page
 * (parsing its cells, building its HTML) costs more than reading it, and the main thread's heap no
 * longer holds the pages' garbage.
 *
 * A job carries everything its page shows: the report group itself, and the groups the page shows
 * beside it or links to (their own findings and documents left out), and the group of every
 * report its findings name. The rule titles go to each worker once, when it starts.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { distDir } from '../../common/index.js';
import { versionKey, type AuditData, type ReportGroup, type RuleInfo } from './audit-data.js';
import { reportsNamedBy } from './finding-view.js';
import type { ReportPageContext } from './report-page.js';

export interface PageSetup {
  /** The folder being filled, and the one it replaces (a page equal to its published one is not written). */
  dir: string;
  previousDir: string | null;
  page: ReportPageContext;
  rules: RuleInfo[];
}

export interface PageJob {
  page: ReportGroup;
  /** The groups shown beside the page or linked from it, without their findings and documents. */
  others: ReportGroup[];
  /** Ids of the page's agency-and-year versions, in page order (null: a single version). */
  versions: string[] | null;
  /** The group of every report its findings name. */
  groupOf: [string, string][];
}

/** A page worker's answer for one page. */
export interface PageDone {
  /** Equal to the page it replaces, which stays. */
  unchanged: boolean;
  error: { message: string; code?: string } | null;
}

/** A group as another page shows it: what it is, and its cells; not what is shown only on its own page. */
const shownBeside = (g: ReportGroup): ReportGroup => ({
  ...g,
  docs: [],
  cells: null,
  findings: [],
  relatedFindings: [],
  standing: undefined,
});

/**
 * The job for one page: the groups its findings name (their reports, cells and operands), and its
 * versions (from `data`, as read for its batch).
 */
export function pageJob(g: ReportGroup, data: AuditData): PageJob {
  const groupOf = new Map<string, string>();
  const ids = new Set<string>();
  for (const s of [...g.findings, ...g.relatedFindings]) {
    ids.add(s.group_id);
    if (s.related_group_id) ids.add(s.related_group_id);
    for (const f of [s.finding, ...s.members]) {
      for (const report of reportsNamedBy(f)) {
        const group = data.groupOf.get(report) ?? report;
        groupOf.set(report, group);
        ids.add(group);
      }
    }
  }
  const versions = g.versionsInYear > 1 && g.year !== null ? (data.versions.get(versionKey(g)) ?? []) : [];
  for (const v of versions) ids.add(v.id);
  ids.delete(g.id);
  const others = [...ids]
    .map((id) => data.groupById.get(id))
    .filter((o): o is ReportGroup => !!o)
    .map(shownBeside);
  return {
    page: { ...g, cells: null },
    others,
    versions: versions.length ? versions.map((v) => v.id) : null,
    groupOf: [...groupOf],
  };
}

/** A page worker's young generation, MB (V8's limit: resourceLimits.maxYoungGenerationSizeMb). */
export const PAGE_WORKER_YOUNG_GENERATION_MB = 4;

export class PagePool {
  private readonly renderers: Worker[] = [];
  /** Pages handed over and not yet written. */
  private pending = 0;
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private next = 0;
  /** Set once every page is written: the threads exit without it being a failure. */
  private closing = false;
  written = 0;
  unchanged = 0;

  constructor(
    setup: PageSetup,
    /**
     * Renderer threads: one fewer than the cores (the main thread and the writing take about one
     * between them). Rendering on the main thread instead took a third longer (measured:
     * docs/performance.md).
     */
    renderers = Math.max(1, availableParallelism() - 1),
    /** Pages held at most (handed over and not written): their data is held meanwhile. */
    private readonly maxPending = 32,
  ) {
    const fail = (message: string) => {
      this.failure ??= new Error(`report pages: ${message}`);
      this.wake?.();
    };
    const done = (m: PageDone) => {
      this.pending--;
      if (m.error)
        this.failure ??= Object.assign(new Error(`report pages: ${m.error.message}`), { code: m.error.code });
      else if (m.unchanged) this.unchanged++;
      else this.written++;
      this.wake?.();
    };
    const previousDir = setup.previousDir && existsSync(setup.previousDir) ? setup.previousDir : null;
    for (let i = 0; i < renderers; i++) {
      // Small heaps: a page's garbage dies young, and a job holds one page's data. A young
      // generation of 4 MB: the thread's heap 19-20 MB instead of 25-28 at 8, at the same CPU
      // (measured: docs/performance.md).
      const worker = new Worker(join(distDir(), 'pipeline', 'outputs', 'site', 'page-worker.js'), {
        workerData: { page: setup.page, rules: setup.rules, dir: setup.dir, previousDir },
        resourceLimits: { maxYoungGenerationSizeMb: PAGE_WORKER_YOUNG_GENERATION_MB, maxOldGenerationSizeMb: 48 },
      });
      worker.on('message', done);
      worker.on('error', (e) => fail(`a page worker failed (${e.message.split('\n')[0]})`));
      worker.on('exit', (code) => {
        if (this.pending > 0 && !this.closing) fail(`a page worker exited with code ${code}`);
      });
      this.renderers.push(worker);
    }
  }

  private async waitUntil(done: () => boolean): Promise<void> {
    while (!done()) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = null;
  }

  /**
   * Hands a page over (its data is copied now: the caller may release it when this returns);
   * waits while enough pages are in hand.
   */
  async render(job: PageJob): Promise<void> {
    if (this.failure) throw this.failure;
    this.pending++;
    this.renderers[this.next++ % this.renderers.length].postMessage(job);
    if (this.pending >= this.maxPending) await this.waitUntil(() => this.pending < this.maxPending || !!this.failure);
  }

  /** Waits for every page handed over, and stops the threads. */
  async settle(): Promise<void> {
    await this.waitUntil(() => this.pending <= 0 || !!this.failure);
    this.closing = true;
    await Promise.all(this.renderers.map((w) => w.terminate()));
  }

  /** Waits for every page and stops the threads; throws the first error. */
  async close(): Promise<void> {
    await this.settle();
    if (this.failure) throw this.failure;
  }
}
