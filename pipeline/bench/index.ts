/**
 * `npm run bench -- [--docs N] [--format docx|html|txt|all] [--json]`
 * Generates N distinct reports from the real layouts, then in one process and one run measures:
 * the floor (unavoidable work on all cores), the pipeline end to end into a fresh warehouse
 * (rules and outputs included), and the same pipeline again with nothing new (the nightly no-op).
 */
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { Command } from 'commander';
import { distDir, projectRoot } from '../paths.js';
import { runPipeline } from '../run.js';
import type { RunSummary } from '../summary.js';
import { tempDirFor } from './tmp.js';
import { generateCorpus, type BenchFormat } from './corpus.js';

interface Phase {
  seconds: number;
  peakRssMb: number;
}

/** Runs fn while sampling RSS; returns its time and the peak RSS seen meanwhile. */
async function measure<T>(fn: () => Promise<T>): Promise<{ value: T } & Phase> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 25);
  const t0 = performance.now();
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, seconds: (performance.now() - t0) / 1000, peakRssMb: peak / 1048576 };
  } finally {
    clearInterval(timer);
  }
}

async function floor(paths: string[], workers: number): Promise<number> {
  const shares = Array.from({ length: workers }, (_, w) => paths.filter((_, i) => i % workers === w));
  const counts = await Promise.all(
    shares.map(
      (share) =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(join(distDir(), 'pipeline', 'bench', 'floor-worker.js'), { workerData: { paths: share } });
          w.once('message', (m: { docs: number }) => resolve(m.docs));
          w.once('error', reject);
        }),
    ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

export async function bench(docs: number, format: BenchFormat | 'all', workers: number) {
  const formats: BenchFormat[] = format === 'all' ? ['docx', 'html', 'txt'] : [format];
  const work = tempDirFor('goa-bench-');
  try {
    const corpus = join(work, 'corpus');
    const gen = await measure(async () => generateCorpus(join(projectRoot(), 'data', 'reports'), corpus, docs, formats));
    const paths = gen.value;
    const fl = await measure(() => floor(paths, workers));
    const db = join(work, 'warehouse.duckdb');
    const out = join(work, 'out');
    const run = (): Promise<RunSummary> => runPipeline({ input: corpus, db, out, quiet: true, workers }).then((r) => r.summary);
    const pipe = await measure(run);
    const noop = await measure(run);
    const s = pipe.value;
    const floorRate = docs / fl.seconds;
    const pipeRate = docs / pipe.seconds;
    return {
      docs,
      format,
      workers,
      floor_docs_per_s: round(floorRate),
      pipeline_docs_per_s: round(pipeRate),
      ratio: round(pipeRate / floorRate, 3),
      pipeline_seconds: round(pipe.seconds),
      noop_seconds: round(noop.seconds),
      noop_new_documents: noop.value.new + noop.value.reprocessed,
      peak_rss_mb: round(Math.max(pipe.peakRssMb, noop.peakRssMb)),
      floor_peak_rss_mb: round(fl.peakRssMb),
      findings: s.rules?.findings ?? 0,
      failed: s.failed.length,
      cells: s.cellsLoaded,
      // Per-document stages are summed over documents (they overlap across workers); rules and outputs are wall time.
      stage_seconds: Object.fromEntries(Object.entries(s.stageMs).map(([k, v]) => [k, round(v / 1000)])),
      machine: { cpus: availableParallelism(), model: cpus()[0]?.model ?? 'unknown', memory_gb: round(totalmem() / 2 ** 30, 1), node: process.version },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

const cmd = new Command('bench')
  .option('--docs <n>', 'documents to generate', (v) => Number(v), 500)
  .option('--format <f>', 'docx | html | txt | all', 'all')
  .option('--workers <n>', 'worker threads (default: one per core)', (v) => Number(v), availableParallelism())
  .option('--json', 'print one JSON object')
  .parse(process.argv);
const o = cmd.opts();
if (!['docx', 'html', 'txt', 'all'].includes(o.format)) {
  process.stderr.write(`bench: --format must be docx, html, txt or all\n`);
  process.exit(2);
}
const r = await bench(o.docs, o.format, o.workers);
if (o.json) {
  process.stdout.write(JSON.stringify(r) + '\n');
} else {
  const st = r.stage_seconds as Record<string, number>;
  process.stdout.write(
    [
      `benchmark: ${r.docs} ${r.format} documents, ${r.workers} workers on ${r.machine.cpus} cores (${r.machine.model}), Node ${r.machine.node}`,
      `  floor (read + unzip + tokenise):  ${r.floor_docs_per_s} docs/s`,
      `  pipeline end to end:              ${r.pipeline_docs_per_s} docs/s (${r.pipeline_seconds} s; ${r.cells} cells, ${r.findings} findings, ${r.failed} failed)`,
      `  pipeline / floor:                 ${r.ratio}`,
      `  nightly no-op:                    ${r.noop_seconds} s (${r.noop_new_documents} documents re-read)`,
      `  stages (s): io ${st.io}, read ${st.read}, recognise ${st.recognise}, load ${st.load} (summed over documents); rules ${st.rules}, outputs ${st.outputs}`,
      `  peak RSS: ${r.peak_rss_mb} MB (floor phase ${r.floor_peak_rss_mb} MB)`,
    ].join('\n') + '\n',
  );
}
