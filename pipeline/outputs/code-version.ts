/**
 * A hash of the code that writes the outputs (the compiled modules of pipeline/outputs/ and every
 * local module they import, e.g. the template's labels), part of a run's inputs fingerprint
 * (run-inputs.ts): after an upgrade that changes how pages look, the next run renders them again
 * even when no report is new, as a new extractor version reads the documents again. Read from
 * dist/, the code the page workers run; a few dozen small files, hashed once per process.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { distDir } from '../common/index.js';

/** Where the outputs' code starts: the module the run calls and the page workers' entry. */
const ENTRIES = ['index.js', 'site/page-worker.js'];
const LOCAL_IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+\.js)['"]/g;

let memo: string | null = null;

export function outputsCodeHash(): string {
  if (memo) return memo;
  const root = distDir();
  const seen = new Set<string>();
  const queue = ENTRIES.map((e) => join(root, 'pipeline', 'outputs', e));
  const hash = createHash('sha256');
  while (queue.length) {
    const file = queue.shift()!;
    if (seen.has(file) || !existsSync(file)) continue;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    hash.update(relative(root, file)).update('\0').update(code).update('\0');
    for (const m of code.matchAll(LOCAL_IMPORT)) queue.push(resolve(dirname(file), m[1]));
  }
  memo = seen.size ? hash.digest('hex') : 'no compiled outputs code';
  return memo;
}
