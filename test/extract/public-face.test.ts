/** extractors/index.ts is the public face of extractors/: no code outside the folder imports any other file in it. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|mjs|js)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

describe('the public face of extractors/', () => {
  it('pipeline/ and scripts/ import extractors/index.js and nothing else of extractors/', () => {
    const past: string[] = [];
    for (const file of [...sources(join(ROOT, 'pipeline')), ...sources(join(ROOT, 'scripts'))]) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import\()\s*['"]([^'"]*\/extractors\/[^'"]+)['"]/g)) {
        if (!m[1].endsWith('/extractors/index.js')) past.push(`${relative(ROOT, file)}: ${m[1]}`);
      }
    }
    expect(past).toEqual([]);
  });
});
