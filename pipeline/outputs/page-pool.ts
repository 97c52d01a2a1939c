/**
 * Report pages rendered and written on worker threads (one per core), while the main thread reads
 * the next batch from the warehouse: by the outputs the extraction workers are gone and the cores
 * idle, and rendering a page (parsing its cells, building its HTML) costs more than reading it.
 *
 * A job carries everything its page shows: the report group itself, and the groups the page shows
 * beside it or links to (their own findings and documents left out). What every page needs (rule
 * titles, which report belongs to which group) goes to each worker once, when it starts.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { distDir } from '../paths.js';
import { versionKey, type AuditData, type ReportGroup, type RuleInfo } from './audit-data.js';
import type { ReportPageContext } from './report-page.js';

export interface PageSetup {
  /** The folder being filled, and the one it replaces (unchanged pages are linked from it). */
  dir: string;
  previousDir: string | null;
  page: ReportPageContext;
  rules: RuleInfo[];
  groupOf: [string, string][];
}

export interface PageJob {
  page: ReportGroup;
  /** The groups shown beside the page or linked from it, without their findings and documents. */
  others: ReportGroup[];
  /** Ids of the page's agency-and-year versions, in page order (null: a single version). */
  versions: string[] | null;
}

/** A worker's answer for one page. */
export interface PageDone {
  /** Equal to the page it replaces, and linked from it. */
  unchanged: boolean;
  error: { message: string; code?: string } | null;
}

/** A group as another page shows it: what it is, and its cells; not what is shown only on its own page. */
const shownBeside = (g: ReportGroup): ReportGroup => ({ ...g, docs: [], cells: null, findings: [], relatedFindings: [] });

/** The job for one page: the groups its findings name, and its versions (from `data`, as read for its batch). */
export function pageJob(g: ReportGroup, data: AuditData): PageJob {
  const ids = new Set<string>();
  for (const s of [...g.findings, ...g.relatedFindings]) {
    ids.add(s.group_id);
    if (s.related_group_id) ids.add(s.related_group_id);
  }
  const versions = g.versionsInYear > 1 && g.year !== null ? (data.versions.get(versionKey(g)) ?? []) : [];
  for (const v of versions) ids.add(v.id);
  ids.delete(g.id);
  const others = [...ids].map((id) => data.groupById.get(id)).filter((o): o is ReportGroup => !!o).map(shownBeside);
  return { page: { ...g, cells: null }, others, versions: versions.length ? versions.map((v) => v.id) : null };
}

interface Slot {
  worker: Worker;
  /** Pages sent to this worker and not reported done. */
  pending: number;
}

export class PagePool {
  private readonly slots: Slot[] = [];
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private next = 0;
  written = 0;
  unchanged = 0;

  constructor(
    setup: PageSetup,
    size = Math.max(1, availableParallelism()),
    /** Pages held at most per worker (sent and not written): their data is held meanwhile. */
    private readonly maxPending = 16,
  ) {
    const workerData: PageSetup = { ...setup, previousDir: setup.previousDir && existsSync(setup.previousDir) ? setup.previousDir : null };
    for (let i = 0; i < size; i++) {
      // A small young generation: a page's garbage dies young, and the heap stays small (about 50 MB less at 10,000 reports).
      const worker = new Worker(join(distDir(), 'pipeline', 'outputs', 'page-worker.js'), { workerData, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
      const slot: Slot = { worker, pending: 0 };
      worker.on('message', (m: PageDone) => {
        slot.pending--;
        if (m.error) this.failure ??= Object.assign(new Error(`report pages: ${m.error.message}`), { code: m.error.code });
        else if (m.unchanged) this.unchanged++;
        else this.written++;
        this.wake?.();
      });
      worker.on('error', (e) => {
        this.failure ??= new Error(`report pages: a page worker failed (${e.message.split('\n')[0]})`);
        slot.pending = 0;
        this.wake?.();
      });
      worker.on('exit', (code) => {
        if (slot.pending > 0) this.failure ??= new Error(`report pages: a page worker exited with code ${code}`);
        slot.pending = 0;
        this.wake?.();
      });
      this.slots.push(slot);
    }
  }

  private async waitUntil(done: () => boolean): Promise<void> {
    while (!done()) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = null;
  }

  /** The worker with the fewest pages in hand (round robin among equals). */
  private slot(): Slot {
    let best = this.slots[this.next++ % this.slots.length];
    for (const s of this.slots) if (s.pending < best.pending) best = s;
    return best;
  }

  private busy(): number {
    return this.slots.reduce((n, s) => n + s.pending, 0);
  }

  /**
   * Hands a page over (its data is copied now: the caller may release it when this returns);
   * waits while the workers have enough in hand.
   */
  async render(job: PageJob): Promise<void> {
    if (this.failure) throw this.failure;
    const slot = this.slot();
    slot.pending++;
    slot.worker.postMessage(job);
    if (this.busy() >= this.maxPending * this.slots.length) {
      await this.waitUntil(() => this.busy() < this.maxPending * this.slots.length || !!this.failure);
    }
  }

  /** Waits for every page handed over, and stops the workers. */
  async settle(): Promise<void> {
    await this.waitUntil(() => this.busy() <= 0 || !!this.failure);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  /** Waits for every page and stops the workers; throws the first error. */
  async close(): Promise<void> {
    await this.settle();
    if (this.failure) throw this.failure;
  }
}
