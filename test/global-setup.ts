/**
 * Builds dist/ before the suites when the sources changed since it was built (worker threads and
 * CLI child processes run the compiled code; scripts/build.mjs compares a hash of the sources
 * with the build's stamp), and gives the run one temp folder: every folder the suites
 * make (warehouses, outputs, copies of the sample) goes under it through TMPDIR, which the test processes inherit, and
 * it
 * is removed when the run ends. Before, each `npm test` left about 200 folders and hundreds of MB
 * in the system's temp folder. GOA_KEEP_TEST_TMP=1 keeps it (its path is printed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../scripts/build.mjs';

export default function setup(): () => void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const built = ensureBuilt(root);
  if (built.output) process.stdout.write(built.output + '\n');
  if (!built.ok) throw new Error(built.message);
  const dir = mkdtempSync(join(tmpdir(), 'goa-test-run-'));
  process.env.TMPDIR = dir;
  return () => {
    if (process.env.GOA_KEEP_TEST_TMP) process.stdout.write(`test temp folder kept: ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  };
}
