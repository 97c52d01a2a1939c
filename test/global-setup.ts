/**
 * Builds dist/ once before the suites (worker threads and CLI child processes run the compiled
 * code), and gives the run one temp folder: every folder the suites make (warehouses, outputs,
 * copies of the sample) goes under it through TMPDIR, which the test processes inherit, and it
 * is removed when the run ends. Before, each `npm test` left about 200 folders and hundreds of MB
 * in the system's temp folder. GOA_KEEP_TEST_TMP=1 keeps it (its path is printed).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): () => void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.json')], { stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'goa-test-run-'));
  process.env.TMPDIR = dir;
  return () => {
    if (process.env.GOA_KEEP_TEST_TMP) process.stdout.write(`test temp folder kept: ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  };
}
