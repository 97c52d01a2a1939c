/**
 * How the pipeline's process sets up V8: the options `npm run pipeline` starts Node with
 * (package.json's `pipeline` script), and the heap settings the CLI makes at start-up.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * V8 lets a heap grow to several times what it holds before it collects (memory is plentiful,
 * it assumes): with the main thread, two workers and DuckDB that was much of the peak in garbage.
 * Growing by 15% over what survives keeps the peak down (the outputs' main thread holds the
 * view model, 100-140 MB, through the report pages: 30% left it 15-20 MB more room) at no
 * measurable cost in time: a full collection costs what survives, and they come as often as
 * 15% of it is allocated, so their cost is flat in the heap's size (measured: docs/performance.md).
 * Process-wide, so the worker threads too; a soft setting, never a cap.
 */
const HEAP_GROWING_PERCENT = 15;

/**
 * Called first by the CLI, before any worker thread exists. `npm run pipeline` starts Node with
 * --max-semi-space-size=8: the main thread's young generation is 16 MB instead of 32 (what it holds
 * fits; less memory at every stage at no measurable cost in time, measured: docs/performance.md).
 * The flag is read again by every heap created after, where it would override a worker's own
 * resource limits (the readers' young generation of 32 MB): it is set back here.
 */
export function configureHeaps(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  setFlagsFromString('--max-semi-space-size=0');
}

/** Runs that read at most this many documents are small: their memory is the warehouse's, not the reading's. */
export const SMALL_RUN_DOCUMENTS = 200;

/**
 * After the reading of a small run (the nightly run's few new documents): V8's own heap growth
 * again for the rules and outputs (for the rest of the process: the CLI runs one pipeline).
 * Growing by a set share over what survives (HEAP_GROWING_PERCENT, for the memory of large
 * runs), the main thread collected its whole heap again and again while the outputs built up
 * what they hold: at 30%, 14 full collections in a nightly run of 10 new among 10,000 against 4
 * (measured: docs/performance.md); the peak of a small run is far below a large one's.
 */
export function relaxHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=0');
}

/**
 * What the `pipeline` script runs: the launcher that checks the build first (scripts/pipeline.mjs), or the CLI itself.
 */
const LAUNCHER = 'scripts/pipeline.mjs';
const CLI = 'dist/pipeline/cli.js';

/**
 * The Node options of package.json's `pipeline` script (`node [options]
 * scripts/pipeline.mjs`), for the benchmark to run it the same way.
 */
export function pipelineNodeOptions(script: string): string[] {
  const words = script.trim().split(/\s+/);
  const at = words.findIndex((w) => [LAUNCHER, CLI].includes(w.replace(/^\.\//, '')));
  if (words[0] !== 'node' || at < 0) {
    throw new Error(
      `package.json: the pipeline script must be "node [options] ${LAUNCHER}" (the benchmark runs it so), not "${script}"`,
    );
  }
  return words.slice(1, at);
}
