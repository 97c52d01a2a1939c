/** Writing output files so a reader never sees half of one: write beside, then rename. */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(4).toString('hex')}`);
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Fills a fresh folder with `fill`, then puts it in place of `path` (pages of reports no longer
 * in the warehouse disappear with the old folder).
 */
export async function replaceDir(path: string, fill: (dir: string) => Promise<void>): Promise<void> {
  const staging = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(4).toString('hex')}`);
  const old = join(dirname(path), `.${basename(path)}.old-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging, { recursive: true });
  try {
    await fill(staging);
    if (existsSync(path)) renameSync(path, old);
    renameSync(staging, path);
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}
