/** Where the project's own files are, whether running from source (vitest) or from dist/. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

/** The folder holding package.json (found by walking up from this module). */
export function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('paths: package.json not found above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
  root = dir;
  return dir;
}

export const sqlDir = (): string => join(projectRoot(), 'sql');
/** Compiled JavaScript (worker threads need it even when tests run the TypeScript sources). */
export const distDir = (): string => join(projectRoot(), 'dist');
