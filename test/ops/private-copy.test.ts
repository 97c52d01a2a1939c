/**
 * The run's private copy of the warehouse is made on libuv's threads while the input files are
 * found (warehouse/publish.ts startPrivateCopyInBackground): the same bytes as the published file
 * once `copied` settles, and no copy left behind by a run that stops before it opens the copy.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NoInputError } from '../../pipeline/ingest/index.js';
import { discardPrivateCopy, startPrivateCopyInBackground } from '../../pipeline/warehouse/index.js';
import { REPORTS, runOn, tempDir } from '../helpers.js';

describe('the private copy made in the background', () => {
  it('holds the published bytes once copied, under the path given at once', async () => {
    const first = await runOn(REPORTS, { noOutputs: true });
    const copy = startPrivateCopyInBackground(first.db, 'r1');
    expect(copy.path).toMatch(/\.building-r1$/);
    await copy.copied;
    expect(readFileSync(copy.path).equals(readFileSync(first.db))).toBe(true);
    discardPrivateCopy(copy.path);
    expect(existsSync(copy.path)).toBe(false);
  }, 60_000);

  it('is not left behind by a run that stops while finding its files', async () => {
    const first = await runOn(REPORTS, { noOutputs: true });
    const before = readFileSync(first.db);
    const empty = join(tempDir('copy-empty-'), 'unmounted');
    mkdirSync(empty);
    await expect(runOn(empty, { db: first.db, noOutputs: true })).rejects.toBeInstanceOf(NoInputError);
    const dir = join(first.db, '..');
    expect(readdirSync(dir).filter((f) => f.includes('.building-'))).toEqual([]);
    expect(readFileSync(first.db).equals(before)).toBe(true);
  }, 60_000);
});
