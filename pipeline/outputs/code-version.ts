/**
 * A hash of the code that writes the outputs (the compiled modules of pipeline/outputs/ and of
 * domain/ they import: the template's labels, the metrics, the rules' wording), part of a run's inputs fingerprint
 * (run-inputs.ts): after an upgrade that changes how pages look, the next run renders them again
 * even when no report is new, as a new extractor version reads the documents again. Read from
 * dist/, the code the page workers run; a few dozen small files, hashed once per process.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { distDir } from '../common/index.js';

/** Where the outputs' code starts: the module the run calls and the page workers' entry. */
const ENTRIES = ['index.js', 'site/page-worker.js', 'site/chart-worker.js'];
const LOCAL_IMPORT = /(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+\.js)['"]/g;
/**
 * The folders whose code shapes what the outputs show. Imports into other stages (the rules
 * runner, the warehouse, the readers) are not followed: a change there changes what is loaded or
 * found, which the reports' and findings' own hashes already carry, not how a page looks.
 */
const SHOWN_BY = ['pipeline/outputs/', 'domain/'];

let memo: string | null = null;

export function outputsCodeHash(): string {
  if (memo) return memo;
  const root = distDir();
  const seen = new Set<string>();
  if (!existsSync(join(root, 'pipeline', 'outputs'))) return (memo = 'no compiled outputs code');
  const queue = ENTRIES.map((e) => join(root, 'pipeline', 'outputs', e));
  for (const entry of queue) if (!existsSync(entry)) throw new Error(`outputs code: ${entry} is missing from dist/`);
  const hash = createHash('sha256');
  while (queue.length) {
    const file = queue.shift()!;
    const path = relative(root, file).split('\\').join('/');
    if (seen.has(file) || !SHOWN_BY.some((dir) => path.startsWith(dir)) || !existsSync(file)) continue;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    hash.update(path).update('\0').update(code).update('\0');
    for (const m of code.matchAll(LOCAL_IMPORT)) queue.push(resolve(dirname(file), m[1]));
  }
  memo = hash.digest('hex');
  return memo;
}
