/**
 * The Node options `npm run pipeline` starts with, and the heap settings the CLI makes: the main
 * thread's small young generation must not become the worker threads'.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pipelineNodeOptions } from '../../pipeline/run/node-options.js';
import { ROOT } from '../helpers.js';

describe("package.json's pipeline script", () => {
  it('gives the options the benchmark passes on', () => {
    const script = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.pipeline;
    expect(pipelineNodeOptions(script)).toEqual(['--max-semi-space-size=8']);
  });

  it('keeps an option with its value, and refuses a script the benchmark cannot run', () => {
    expect(pipelineNodeOptions('node --stack-size 4000 ./dist/pipeline/cli.js --workers 4')).toEqual([
      '--stack-size',
      '4000',
    ]);
    expect(pipelineNodeOptions('node --stack-size 4000 scripts/pipeline.mjs')).toEqual(['--stack-size', '4000']);
    expect(() => pipelineNodeOptions('node dist/pipeline/other.js')).toThrow(
      /must be "node \[options\] scripts\/pipeline\.mjs"/,
    );
    expect(() => pipelineNodeOptions('tsx pipeline/cli.ts')).toThrow(/pipeline script/);
  });
});

describe('configureHeaps', () => {
  /**
   * The new space a worker with a 32 MB young generation grows to, in a process started with --max-semi-space-size=1.
   */
  function workerNewSpaceMb(configure: boolean): number {
    const script = `
      import { Worker } from 'node:worker_threads';
      ${configure ? `const { configureHeaps } = await import(${JSON.stringify(join(ROOT, 'dist', 'pipeline', 'run', 'node-options.js'))}); configureHeaps();` : ''}
      const w = new Worker(\`
        const { parentPort } = await import('node:worker_threads');
        const v8 = await import('node:v8');
        let keep = [];
        for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 50000) keep = []; }
        parentPort.postMessage(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size);
      \`, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 32 } });
      w.on('message', (bytes) => { console.log(bytes / 1048576); process.exit(0); });
    `;
    const r = spawnSync(process.execPath, ['--max-semi-space-size=1', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    return Number(r.stdout.trim());
  }

  it("gives the worker threads their own young generation, not the main thread's", () => {
    expect(workerNewSpaceMb(false)).toBeLessThanOrEqual(2); // the flag overrides the worker's limit
    expect(workerNewSpaceMb(true)).toBeGreaterThan(8); // set back: the worker's 32 MB apply
  });
});
