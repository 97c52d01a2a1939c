/**
 * A full disk mid-run: a clear error (exit 74), nothing published half-way, no leftovers, and no
 * document marked failed for it. Uses a real tiny tmpfs (needs root, as CI and the development
 * machines have; skipped otherwise).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../pipeline/bench/corpus.js';
import { query, REPORTS, ROOT, tempDir } from '../helpers.js';

const CLI = join(ROOT, 'dist', 'pipeline', 'cli.js');
const mountPoint = tempDir('goa-tinyfs-');

function mount(size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', mountPoint], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const mounted = mount('8m');
if (mounted) execFileSync('umount', [mountPoint]);
afterEach(() => {
  if (mounted) spawnSync('umount', [mountPoint]);
});
afterAll(() => {
  if (mounted) spawnSync('umount', [mountPoint]);
});

describe('full disk', () => {
  it.skipIf(!mounted)('exits 74 and leaves the published warehouse as it was', async () => {
    mount('11m'); // the warehouse of one report takes 7.4 MB (with the incremental rules' state and the outputs' kept totals)
    const seedOnly = tempDir();
    mkdirSync(seedOnly, { recursive: true });
    copyFileSync(join(REPORTS, '2020_北京市朝阳区教育委员会.html'), join(seedOnly, 'seed.html'));
    const db = join(mountPoint, 'w.duckdb');
    const out = join(tempDir(), 'out');
    expect(spawnSync(process.execPath, [CLI, '--input', seedOnly, '--db', db, '--out', out, '--quiet']).status).toBe(0);
    const before = await query(db, 'SELECT report_id, status FROM reports ORDER BY report_id');
    // Fill most of the disk so the next run runs out of space partway.
    execFileSync('dd', ['if=/dev/zero', `of=${join(mountPoint, 'filler')}`, 'bs=1M', 'count=3'], { stdio: 'ignore' });
    const r = spawnSync(process.execPath, [CLI, '--input', REPORTS, '--db', db, '--out', out, '--quiet'], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(74);
    expect(r.stderr).toMatch(/output error, nothing published: .*(No space left|ENOSPC)/);
    expect(await query(db, 'SELECT report_id, status FROM reports ORDER BY report_id')).toEqual(before);
    expect(readdirSync(mountPoint).filter((f) => f.includes('.building-'))).toEqual([]);
  });

  // 400 documents into a warehouse on a disk too small for it: while loading (DuckDB's log cannot
  // be written), or in the rules (DuckDB cannot spill what its memory limit does not hold).
  describe.skipIf(!mounted)('DuckDB running out of disk', () => {
    const input = tempDir('goa-full-in-');
    generateCorpus(REPORTS, input, 400, ['txt']);
    it.each([
      ['while loading', '4m', '48MB', /No space left on device/],
      ['when spilling in the rules', '12m', '20MB', /failed to offload data block|No space left on device/],
    ])('%s: exit 74, no document failed for it, nothing left', (_, size, dbMemory, reason) => {
      mount(size);
      const db = join(mountPoint, 'w.duckdb');
      const out = join(tempDir(), 'out');
      const r = spawnSync(
        process.execPath,
        [CLI, '--input', input, '--db', db, '--out', out, '--db-memory', dbMemory, '--quiet'],
        { encoding: 'utf8' },
      );
      expect(r.stderr).not.toMatch(/failed: |no transaction is active|crashed/);
      expect(r.stderr).toMatch(/output error, nothing published: /);
      expect(r.stderr).toMatch(reason);
      expect(r.status).toBe(74);
      expect(readdirSync(mountPoint), r.stderr).toEqual([]);
    });
  });
});
