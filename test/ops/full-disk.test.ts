/**
 * A full disk mid-run: a clear error (exit 74), nothing published half-way, no leftovers. Uses a
 * real tiny tmpfs (needs root, as CI and the development machines have; skipped otherwise).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { query, REPORTS, ROOT, tempDir } from '../helpers.js';

const CLI = join(ROOT, 'dist', 'pipeline', 'cli.js');
const mountPoint = tempDir('goa-tinyfs-');
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mountPoint], { stdio: 'ignore' });
  mounted = true;
} catch {
  mounted = false;
}
afterAll(() => {
  if (mounted) execFileSync('umount', [mountPoint]);
});

describe('full disk', () => {
  it.skipIf(!mounted)('exits 74 and leaves the published warehouse as it was', async () => {
    const seedOnly = tempDir();
    mkdirSync(seedOnly, { recursive: true });
    copyFileSync(join(REPORTS, '2020_北京市朝阳区教育委员会.html'), join(seedOnly, 'seed.html'));
    const db = join(mountPoint, 'w.duckdb');
    const out = join(tempDir(), 'out');
    expect(spawnSync(process.execPath, [CLI, '--input', seedOnly, '--db', db, '--out', out, '--quiet']).status).toBe(0);
    const before = await query(db, 'SELECT report_id, status FROM reports ORDER BY report_id');
    // Fill most of the disk so the next run runs out of space partway.
    execFileSync('dd', ['if=/dev/zero', `of=${join(mountPoint, 'filler')}`, 'bs=1M', 'count=3'], { stdio: 'ignore' });
    const r = spawnSync(process.execPath, [CLI, '--input', REPORTS, '--db', db, '--out', out, '--quiet'], { encoding: 'utf8' });
    expect(r.status).toBe(74);
    expect(r.stderr).toMatch(/output error, nothing published: .*(No space left|ENOSPC)/);
    expect(await query(db, 'SELECT report_id, status FROM reports ORDER BY report_id')).toEqual(before);
    expect(readdirSync(mountPoint).filter((f) => f.includes('.building-'))).toEqual([]);
  });
});
