/** The run summary: what the run saw and did, printed at the end and stored in `runs`. */
import type { DocumentOutcome } from '../ingest/index.js';
import type { FindingChanges, RulesSummary } from '../rules/index.js';

export interface RunSummary {
  runId: string;
  startedAt: Date;
  endedAt?: Date;
  input: string;
  seen: number;
  new: number;
  unchanged: number;
  reprocessed: number;
  duplicates: number;
  failed: { source: string; error: string }[];
  partial: { source: string; error: string }[];
  /** The crawl's fetches refused or failed, and its links cut by a limit (none without --sources). */
  fetchProblems: FetchProblem[];
  /** Crawled sources none of whose listing pages could be fetched (exit code 3). */
  sourcesDown: { agency: string; url: string; reason: string }[];
  /** How many sources were crawled. */
  sourcesCrawled: number;
  /** Failures among documents extracted in this run (decides exit code 3). */
  newFailures: number;
  cellsLoaded: number;
  byTemplate: Record<string, number>;
  byYear: Record<string, number>;
  rules?: RulesSummary;
  /** New and resolved findings since the previous run. */
  changes?: FindingChanges;
  outputs: string[];
  /** Milliseconds per stage, summed over documents for the per-document stages (they overlap across workers). */
  stageMs: { io: number; read: number; recognise: number; load: number; rules: number; outputs: number };
  /**
   * The run's phases one after another: wall time and the CPU time of the whole process (every
   * thread: workers, DuckDB, V8's compiler and collector) while each ran, ms. Where the time
   * goes on a machine whose cores are all busy.
   */
  phases: Partial<Record<RunPhase, { wallMs: number; cpuMs: number }>>;
  /**
   * Report pages written by this run's outputs (a page whose report
   * shows nothing new keeps its file); 0 when none were written.
   */
  pagesWritten?: number;
  /** Report pages rendered (written, or found equal to their published file); the others were kept unread. */
  pagesRendered?: number;
  /** The agencies' and regions' pages and the charts: kept unread by their keys, and made (output-keys.ts). */
  keptOutputs?: { kept: number; made: number };
  /** The exports' rows, and those written again (the others copied from the published files: kept-rows.ts). */
  exportRows?: { rows: number; read: number };
  /** The process's peak resident memory over the run (worker threads and DuckDB included), MB. */
  peakRssMb?: number;
}

/** ingest: reading, extracting and loading every document (checkpoint included); then rules; then outputs. */
export type RunPhase = 'ingest' | 'rules' | 'outputs';

/** Measures phases of a run by the clock and by the process's CPU time. */
export class PhaseClock {
  private wall = performance.now();
  private cpu = processCpuMs();

  /** The phase that ends now, since the last call (or the clock's start). */
  lap(): { wallMs: number; cpuMs: number } {
    const wall = performance.now();
    const cpu = processCpuMs();
    const lap = { wallMs: Math.round(wall - this.wall), cpuMs: Math.round(cpu - this.cpu) };
    this.wall = wall;
    this.cpu = cpu;
    return lap;
  }
}

/** CPU time of the process so far (user and system, every thread), ms. */
export function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** A fetch of the crawl that brought nothing: refused, failed, or cut by a limit. */
export interface FetchProblem {
  url: string;
  agency: string;
  kind: string;
  outcome: string;
  reason: string;
}

export function summarise(runId: string, startedAt: Date, input: string, docs: readonly DocumentOutcome[]): RunSummary {
  const s: RunSummary = {
    runId,
    startedAt,
    input,
    seen: docs.length,
    new: 0,
    unchanged: 0,
    reprocessed: 0,
    duplicates: 0,
    failed: [],
    partial: [],
    fetchProblems: [],
    sourcesDown: [],
    sourcesCrawled: 0,
    newFailures: 0,
    cellsLoaded: 0,
    byTemplate: {},
    byYear: {},
    outputs: [],
    stageMs: { io: 0, read: 0, recognise: 0, load: 0, rules: 0, outputs: 0 },
    phases: {},
  };
  for (const d of docs) {
    s.stageMs.io += d.ms.io;
    s.stageMs.read += d.ms.read;
    s.stageMs.recognise += d.ms.recognise;
    s.stageMs.load += d.ms.load;
    if (d.disposition === 'new') s.new++;
    else if (d.disposition === 'unchanged') s.unchanged++;
    else if (d.disposition === 'reprocessed') s.reprocessed++;
    else s.duplicates++;
    s.cellsLoaded += d.cells;
    if (d.status === 'failed') {
      s.failed.push({ source: d.source, error: d.error ?? '' });
      if (d.disposition === 'new' || d.disposition === 'reprocessed') s.newFailures++;
    } else {
      if (d.status === 'partial') s.partial.push({ source: d.source, error: d.error ?? '' });
      if (d.disposition !== 'duplicate') {
        const t = d.template ?? 'unknown';
        s.byTemplate[t] = (s.byTemplate[t] ?? 0) + 1;
        const y = d.year === null ? 'unknown' : String(d.year);
        s.byYear[y] = (s.byYear[y] ?? 0) + 1;
      }
    }
  }
  return s;
}

const SEVERITIES = ['error', 'warning', 'info'] as const;

export function formatSummary(s: RunSummary): string {
  const lines = [
    `run ${s.runId}: ${s.seen} documents seen — ${s.new} new, ${s.unchanged} unchanged, ${s.reprocessed} re-processed, ${s.duplicates} duplicate paths, ${s.failed.length} failed, ${s.partial.length} partial`,
    `reports by format version: ${
      Object.entries(s.byTemplate)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ') || 'none'
    }`,
    `reports by year: ${
      Object.entries(s.byYear)
        .sort()
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ') || 'none'
    }`,
    `cells loaded: ${s.cellsLoaded}`,
  ];
  if (s.rules) {
    const sev = SEVERITIES.map((k) => `${s.rules!.bySeverity[k] ?? 0} ${k}`).join(', ');
    const dismissed = s.rules.dismissed ? `; ${s.rules.dismissed} dismissed by review, not counted` : '';
    const since = s.changes ? `; ${s.changes.new} new, ${s.changes.resolved} resolved since the previous run` : '';
    lines.push(`findings: ${s.rules.findings} (${sev})${dismissed}${since}`);
  }
  for (const f of s.failed) lines.push(`  failed  ${f.source}: ${f.error}`);
  if (s.sourcesDown.length)
    lines.push(
      `crawl: ${s.sourcesDown.length} of ${s.sourcesCrawled} sources could not be read (no listing page fetched)`,
    );
  for (const d of s.sourcesDown) lines.push(`  down    ${d.agency} ${d.url}: ${d.reason}`);
  for (const p of s.fetchProblems) lines.push(`  ${p.outcome.padEnd(7)} ${p.url}: ${p.reason}`);
  for (const p of s.partial) lines.push(`  partial ${p.source}: ${p.error}`);
  for (const o of s.outputs) lines.push(`wrote ${o}`);
  return lines.join('\n');
}

const bySeverity = (counts: Record<string, number>) => Object.fromEntries(SEVERITIES.map((k) => [k, counts[k] ?? 0]));

/** The findings' figures of the scheduler's last log line: by severity, and new and resolved since the previous run. */
export function findingsFields(s: RunSummary): Record<string, unknown> {
  return {
    findings_by_severity: bySeverity(s.rules?.bySeverity ?? {}),
    new_findings: s.changes?.new ?? 0,
    new_by_severity: bySeverity(s.changes?.newBySeverity ?? {}),
    resolved_findings: s.changes?.resolved ?? 0,
    resolved_by_severity: bySeverity(s.changes?.resolvedBySeverity ?? {}),
  };
}
