/**
 * `npm run bench -- [--docs N] [--format docx|html|txt|pdf|all] [--incremental K] [--keep DIR]
 *   [--pipeline-only] [--json]`
 * Generates N distinct reports from the real layouts, then in one run measures: the floor
 * (unavoidable work, in worker threads on all cores; the best of three runs), the pipeline end to end into a fresh
 * warehouse (rules and outputs included) and the same pipeline again with nothing new (the
 * nightly no-op), both run as `npm run pipeline` runs, in a child process. With --incremental K,
 * K more distinct reports are then added and the pipeline runs once more (the nightly run that
 * finds a few new reports among many known).
 */
import { availableParallelism, cpus, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { Command } from 'commander';
import { spawn } from 'node:child_process';
import pLimit from 'p-limit';
import { ExtractPool } from '../ingest/index.js';
import { pipelineNodeOptions } from '../run/index.js';
import { processCpuMs } from '../outputs/index.js';
import { distDir, projectRoot } from '../common/index.js';
import { tempDirFor } from './tmp.js';
import { generateCorpus, type BenchFormat } from './corpus.js';

/** The figures of one pipeline run, from its last log line (pipeline/run/run.ts: "run finished"). */
interface RunFigures {
  seconds: number;
  seen: number;
  new: number;
  reprocessed: number;
  failed: number;
  cells_loaded: number;
  findings: number;
  stage_ms: Record<string, number>;
  phases: Record<string, { wall_ms: number; cpu_ms: number }>;
  cpu_ms: number;
  peak_rss_mb: number;
  /** Report pages the run wrote (not kept as they were), when the pipeline says so. */
  pages_written?: number;
}

/** package.json's `pipeline` script. */
const pipelineScript = (): string =>
  (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
    .pipeline;

/**
 * Runs the pipeline as a user does (`npm run pipeline`: the CLI with the script's Node options, in
 * a process of its own), so its time includes starting up and its peak memory is its own.
 */
function runCli(args: string[]): Promise<RunFigures> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const cli = [
      ...pipelineNodeOptions(pipelineScript()),
      join(distDir(), 'pipeline', 'cli.js'),
      ...args,
      '--log-json',
    ];
    const child = spawn(process.execPath, cli, { stdio: ['ignore', 'ignore', 'pipe'] });
    let last = '';
    let tail = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const lines = (tail + chunk).split('\n');
      tail = lines.pop() ?? '';
      for (const line of lines) if (line.includes('"run finished"')) last = line;
      if (!last) tail = tail.slice(-4096);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - t0) / 1000;
      if (!last)
        return reject(
          new Error(`bench: the pipeline exited with ${code} without finishing a run (${tail.trim().slice(-500)})`),
        );
      resolve({ seconds, ...(JSON.parse(last) as Omit<RunFigures, 'seconds'>) });
    });
  });
}

/** Wall and CPU seconds (every thread of this process) of `work`. */
async function timed(work: () => Promise<unknown>): Promise<{ seconds: number; cpuSeconds: number }> {
  const t0 = performance.now();
  const c0 = processCpuMs();
  await work();
  return { seconds: (performance.now() - t0) / 1000, cpuSeconds: (processCpuMs() - c0) / 1000 };
}

/**
 * The pipeline's readers and recogniser alone, on its worker pool, loading nothing: how the
 * extraction compares with the floor, apart from loading, rules and outputs. Each extraction is
 * dropped as it arrives (only a failure is kept).
 */
async function extractOnly(paths: string[], workers: number): Promise<void> {
  const pool = new ExtractPool({ workers });
  try {
    const limit = pLimit(Math.max(2, workers * 3));
    const failures = await Promise.all(
      paths.map((p) => limit(async () => (await pool.extract(readFileSync(p))).failure)),
    );
    const failed = failures.filter((f) => f !== null);
    if (failed.length) throw new Error(`bench: ${failed.length} generated documents failed to extract (${failed[0]})`);
  } finally {
    await pool.close();
  }
}

async function floor(paths: string[], workers: number): Promise<number> {
  const shares = Array.from({ length: workers }, (_, w) => paths.filter((_, i) => i % workers === w));
  const counts = await Promise.all(
    shares.map(
      (share) =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(join(distDir(), 'pipeline', 'bench', 'floor-worker.js'), {
            workerData: { paths: share },
          });
          w.once('message', (m: { docs: number }) => resolve(m.docs));
          w.once('error', reject);
        }),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/** Each file under `dir` (recursively) with its inode and modification time: what a run rewrote shows as a change. */
function fileStamps(dir: string): Map<string, string> {
  const stamps = new Map<string, string>();
  if (!existsSync(dir)) return stamps;
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    const st = statSync(path);
    stamps.set(path, `${st.ino}:${st.mtimeMs}`);
  }
  return stamps;
}

/** Files of `after` that are new or whose inode or modification time changed since `before`. */
const changedFiles = (before: Map<string, string>, after: Map<string, string>): number =>
  [...after].filter(([path, stamp]) => before.get(path) !== stamp).length;

/** The figures of the nightly run that finds `k` new reports among the cold run's. */
export interface IncrementalFigures {
  incremental_docs: number;
  incremental_seconds: number;
  incremental_cpu_seconds: number;
  /** incremental_seconds / the cold run's seconds. */
  incremental_ratio: number;
  /**
   * Report pages written: the pipeline's own count (`pages_written`)
   * or, without it, the files under reports/ that changed.
   */
  incremental_pages_written: number;
  incremental_pages_counted_by: 'pipeline' | 'mtime';
  incremental_rules_seconds: number;
  incremental_phase_seconds: Record<string, { wall: number; cpu: number }>;
  incremental_peak_rss_mb: number;
}

/** A run's phases, seconds by the clock and by the CPU of all its threads. */
const phaseSeconds = (r: RunFigures) =>
  Object.fromEntries(
    Object.entries(r.phases).map(([k, v]) => [k, { wall: round(v.wall_ms / 1000), cpu: round(v.cpu_ms / 1000) }]),
  );

/** A kept corpus (--keep): what it was generated for, so that a second bench reuses it only when it fits. */
const CORPUS_STAMP = '.bench.json';
/**
 * The reports added by --incremental, in their own folder of the corpus (dropped before a kept corpus is used again).
 */
const INCREMENTAL_DIR = 'incremental';
/** Where the last bench's warehouse and outputs wait, in the work folder, to be removed after the timed runs. */
const PREVIOUS_DIR = 'previous-run';

/** The corpus of N reports in `corpus`, generated unless a kept one of the same N and formats is there. */
function corpusOf(corpus: string, docs: number, formats: BenchFormat[], reuse: boolean): string[] {
  const stamp = JSON.stringify({ docs, formats });
  const stampFile = `${corpus}${CORPUS_STAMP}`;
  rmSync(join(corpus, INCREMENTAL_DIR), { recursive: true, force: true });
  if (reuse && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    return readdirSync(corpus, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name))
      .sort();
  }
  rmSync(corpus, { recursive: true, force: true });
  rmSync(stampFile, { force: true });
  const paths = generateCorpus(join(projectRoot(), 'data', 'reports'), corpus, docs, formats);
  writeFileSync(stampFile, stamp);
  return paths;
}

export interface BenchOptions {
  /** K new reports after the cold run and the no-op, and one more run (0: none). */
  incremental?: number;
  /** Work in this folder and keep it (a corpus of the same N and formats found there is used again). */
  keep?: string;
  /** Measure the pipeline alone: no floor, no extraction alone (large N). */
  pipelineOnly?: boolean;
}

export async function bench(docs: number, format: BenchFormat | 'all', workers: number, options: BenchOptions = {}) {
  const formats: BenchFormat[] = format === 'all' ? ['docx', 'html', 'txt'] : [format];
  const work = options.keep ?? tempDirFor('goa-bench-');
  try {
    mkdirSync(work, { recursive: true });
    const corpus = join(work, 'corpus');
    const paths = corpusOf(corpus, docs, formats, options.keep !== undefined);
    // The floor's best of three: the first run also reads the freshly written files into the page
    // cache, and a shared machine's hiccup should not lower the bar.
    let best = { seconds: NaN, cpuSeconds: NaN };
    for (let round = 0; round < (options.pipelineOnly ? 0 : 3); round++) {
      const t = await timed(() => floor(paths, workers));
      if (!(t.seconds >= best.seconds)) best = t;
    }
    const floorSeconds = best.seconds;
    const extraction = options.pipelineOnly
      ? { seconds: NaN, cpuSeconds: NaN }
      : await timed(() => extractOnly(paths, workers));
    const db = join(work, 'warehouse.duckdb');
    const out = join(work, 'out');
    // The last bench's warehouse and outputs are moved aside now and removed after the timed runs:
    // removed just before, their thousands of files slowed the run's own file creation (the page
    // writer paid up to 0.5 s more in the kernel on ext4; docs/performance.md). A user's run does not
    // follow a removal of its --out.
    const previous = join(work, PREVIOUS_DIR);
    rmSync(previous, { recursive: true, force: true });
    mkdirSync(previous);
    for (const old of [db, `${db}.wal`, out]) if (existsSync(old)) renameSync(old, join(previous, basename(old)));
    const args = ['--input', corpus, '--db', db, '--out', out, '--workers', String(workers)];
    const pipe = await runCli(args);
    const noop = await runCli(args);
    let incremental: IncrementalFigures | null = null;
    const k = options.incremental ?? 0;
    if (k > 0) {
      generateCorpus(join(projectRoot(), 'data', 'reports'), join(corpus, INCREMENTAL_DIR), k, formats, docs);
      const pages = join(out, 'reports');
      const before = fileStamps(pages);
      const inc = await runCli(args);
      if (inc.new !== k) throw new Error(`bench: the incremental run read ${inc.new} new documents, not ${k}`);
      const counted = typeof inc.pages_written === 'number';
      incremental = {
        incremental_docs: k,
        incremental_seconds: round(inc.seconds),
        incremental_cpu_seconds: round(inc.cpu_ms / 1000),
        incremental_ratio: round(inc.seconds / pipe.seconds, 3),
        incremental_pages_written: counted ? inc.pages_written! : changedFiles(before, fileStamps(pages)),
        incremental_pages_counted_by: counted ? 'pipeline' : 'mtime',
        incremental_rules_seconds: round((inc.phases.rules?.wall_ms ?? 0) / 1000),
        incremental_phase_seconds: phaseSeconds(inc),
        incremental_peak_rss_mb: inc.peak_rss_mb,
      };
    }
    rmSync(previous, { recursive: true, force: true });
    const floorRate = docs / floorSeconds;
    const pipeRate = docs / pipe.seconds;
    return {
      docs,
      format,
      workers,
      floor_docs_per_s: nullable(round(floorRate)),
      pipeline_docs_per_s: round(pipeRate),
      ratio: nullable(round(pipeRate / floorRate, 3)),
      floor_seconds: nullable(round(floorSeconds)),
      floor_cpu_seconds: nullable(round(best.cpuSeconds)),
      extract_docs_per_s: nullable(round(docs / extraction.seconds)),
      extract_seconds: nullable(round(extraction.seconds)),
      extract_cpu_seconds: nullable(round(extraction.cpuSeconds)),
      pipeline_seconds: round(pipe.seconds),
      pipeline_cpu_seconds: round(pipe.cpu_ms / 1000),
      noop_seconds: round(noop.seconds),
      noop_new_documents: noop.new + noop.reprocessed,
      peak_rss_mb: Math.max(pipe.peak_rss_mb, noop.peak_rss_mb),
      noop_peak_rss_mb: noop.peak_rss_mb,
      findings: pipe.findings,
      failed: pipe.failed,
      cells: pipe.cells_loaded,
      // Per-document stages are summed over documents (they overlap across workers); rules and outputs are wall time.
      stage_seconds: Object.fromEntries(Object.entries(pipe.stage_ms).map(([k, v]) => [k, round(v / 1000)])),
      // The run's phases one after another, by the clock and by the CPU of all its threads.
      phase_seconds: phaseSeconds(pipe),
      ...incremental,
      machine: {
        cpus: availableParallelism(),
        model: cpus()[0]?.model ?? 'unknown',
        memory_gb: round(totalmem() / 2 ** 30, 1),
        node: process.version,
      },
    };
  } finally {
    if (options.keep === undefined) rmSync(work, { recursive: true, force: true });
  }
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
/** A figure not measured (--pipeline-only) is null in the JSON, not NaN. */
const nullable = (n: number): number | null => (Number.isNaN(n) ? null : n);

const cmd = new Command('bench')
  .option('--docs <n>', 'documents to generate', (v) => Number(v), 500)
  .option('--format <f>', 'docx | html | txt | pdf | all (all: docx, html and txt)', 'all')
  .option('--workers <n>', 'worker threads (default: one per core)', (v) => Number(v), availableParallelism())
  .option('--incremental <k>', 'then add K new distinct documents and run the pipeline again', (v) => Number(v), 0)
  .option('--keep <dir>', 'work in DIR and keep it: a corpus of the same size and formats there is used again')
  .option('--pipeline-only', 'measure the pipeline runs only (no floor, no extraction alone)')
  .option('--json', 'print one JSON object')
  .parse(process.argv);
const o = cmd.opts();
if (!['docx', 'html', 'txt', 'pdf', 'all'].includes(o.format)) {
  process.stderr.write(`bench: --format must be docx, html, txt, pdf or all\n`);
  process.exit(2);
}
if (!Number.isSafeInteger(o.incremental) || o.incremental < 0) {
  process.stderr.write(`bench: --incremental must be a whole number\n`);
  process.exit(2);
}
const r = await bench(o.docs, o.format, o.workers, {
  incremental: o.incremental,
  keep: o.keep,
  pipelineOnly: !!o.pipelineOnly,
});
if (o.json) {
  process.stdout.write(JSON.stringify(r) + '\n');
} else {
  const st = r.stage_seconds as Record<string, number>;
  process.stdout.write(
    [
      `benchmark: ${r.docs} ${r.format} documents, ${r.workers} workers on ${r.machine.cpus} cores (${r.machine.model}), Node ${r.machine.node}`,
      `  pipeline end to end:              ${r.pipeline_docs_per_s} docs/s (${r.pipeline_seconds} s; ${r.cells} cells, ${r.findings} findings, ${r.failed} failed)`,
      ...(r.floor_seconds === null
        ? [
            `  floor and extraction alone: not measured (--pipeline-only)`,
            `  CPU, all threads:                 pipeline ${r.pipeline_cpu_seconds} s`,
          ]
        : [
            `  floor (${r.format === 'pdf' ? 'pdfjs: text content + operator list of every page' : 'read + unzip + tokenise'}):  ${r.floor_docs_per_s} docs/s`,
            `  pipeline / floor:                 ${r.ratio} (0.5 would take the run within ${round(2 * r.floor_seconds)} s)`,
            `  CPU, all threads:                 floor ${r.floor_cpu_seconds} s; extraction alone ${r.extract_cpu_seconds} s; pipeline ${r.pipeline_cpu_seconds} s`,
            `  extraction alone (readers and recogniser on the worker pool, nothing loaded): ${r.extract_docs_per_s} docs/s (${r.extract_seconds} s)`,
          ]),
      `  phases (wall s / CPU s): ${Object.entries(r.phase_seconds)
        .map(([k, v]) => `${k} ${v.wall} / ${v.cpu}`)
        .join(
          ', ',
        )}; start-up, publishing and exit ${round(r.pipeline_seconds - Object.values(r.phase_seconds).reduce((a, v) => a + v.wall, 0))}`,
      `  nightly no-op:                    ${r.noop_seconds} s (${r.noop_new_documents} documents re-read)`,
      `  stages (s): io ${st.io}, read ${st.read}, recognise ${st.recognise}, load ${st.load} (summed over documents); rules ${st.rules}, outputs ${st.outputs}`,
      `  peak RSS of the pipeline: ${r.peak_rss_mb} MB (no-op: ${r.noop_peak_rss_mb} MB)`,
      ...(r.incremental_docs === undefined
        ? []
        : [
            `  incremental (${r.incremental_docs} new among ${r.docs}): ${r.incremental_seconds} s, ${r.incremental_cpu_seconds} CPU s, ${r.incremental_ratio} of the cold run; rules ${r.incremental_rules_seconds} s; ${r.incremental_pages_written} pages written (${r.incremental_pages_counted_by === 'pipeline' ? "the pipeline's count" : 'files under reports/ changed'}); peak RSS ${r.incremental_peak_rss_mb} MB`,
          ]),
    ].join('\n') + '\n',
  );
}
