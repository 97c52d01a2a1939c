/**
 * The report pages, the index and the exports are published with the warehouse, or not at all:
 * written aside (a staging folder inside --out) and moved in place at the end. A full output disk
 * leaves every published page as it was; leftovers of a killed run are cleaned by the next one.
 * The full disk is a real tiny tmpfs (needs root; skipped otherwise).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statfsSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../pipeline/bench/corpus.js';
import { REPORTS, ROOT, tempDir } from '../helpers.js';

const CLI = join(ROOT, 'dist', 'pipeline', 'cli.js');
const SEED = '2020_北京市朝阳区教育委员会.html';

function pipeline(input: string, db: string, out: string, quiet = true) {
  return spawnSync(process.execPath, [CLI, '--input', input, '--db', db, '--out', out, ...(quiet ? ['--quiet'] : [])], {
    encoding: 'utf8',
  });
}

/** Every file under a folder with its bytes, staging folders included. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
      else files[`${rel}${e.name}`] = readFileSync(join(d, e.name), 'latin1');
    }
  };
  walk(dir, '');
  return files;
}

/** Bytes a folder's files take on tmpfs (whole 4 KB pages). */
function blocks(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => sum + Math.ceil(statSync(join(dir, f)).size / 4096) * 4096, 0);
}

const mountPoint = tempDir('goa-tinyout-');
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint], { stdio: 'ignore' });
  mounted = true;
} catch {
  mounted = false;
}
afterAll(() => {
  if (mounted) spawnSync('umount', [mountPoint]);
});

function seedInput(): string {
  const dir = tempDir('goa-seed-');
  copyFileSync(join(REPORTS, SEED), join(dir, SEED));
  return dir;
}

describe('outputs are published with the warehouse', () => {
  it.skipIf(!mounted)(
    'an output disk that fills after the pages are written: exit 74, every published file as it was',
    () => {
      // What the full run's pages take, measured on a roomy disk.
      const reference = join(tempDir(), 'out');
      expect(pipeline(REPORTS, join(tempDir(), 'w.duckdb'), reference).status).toBe(0);
      const pagesBytes = blocks(join(reference, 'reports'));

      const db = join(tempDir(), 'w.duckdb');
      const out = join(mountPoint, 'out');
      expect(pipeline(seedInput(), db, out).status).toBe(0);
      const published = snapshot(out);
      expect(Object.keys(published).filter((f) => f.startsWith('reports/')).length).toBe(1);
      // Room for the new pages and a little more: the index and the exports cannot be written.
      const fs = statfsSync(mountPoint);
      const filler = fs.bavail * fs.bsize - pagesBytes - 8192;
      expect(filler).toBeGreaterThan(0);
      writeFileSync(join(mountPoint, 'filler'), Buffer.alloc(filler));

      const r = pipeline(REPORTS, db, out);
      expect(r.stderr).toMatch(/output error, nothing published: .*(No space left|ENOSPC)/);
      expect(r.status).toBe(74);
      expect(snapshot(out)).toEqual(published);
    },
  );

  it('a run killed while writing its pages leaves every published file as it was; the next run cleans up', async () => {
    const input = tempDir('goa-kill-in-');
    generateCorpus(REPORTS, input, 300, ['html']);
    const db = join(tempDir(), 'w.duckdb');
    const out = join(tempDir(), 'out');
    expect(pipeline(seedInput(), db, out).status).toBe(0);
    const published = snapshot(out);
    const child = spawn(process.execPath, [CLI, '--input', input, '--db', db, '--out', out, '--quiet'], {
      stdio: 'ignore',
    });
    const exited = new Promise((r) => child.once('exit', r));
    const staged = () =>
      readdirSync(out)
        .filter((f) => f.startsWith('.staging-'))
        .some((d) => existsSync(join(out, d, '+reports')) && readdirSync(join(out, d, '+reports')).length > 20);
    const deadline = Date.now() + 50_000;
    while (!staged() && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 5));
    expect(staged()).toBe(true);
    child.kill('SIGKILL');
    await exited;
    const after = snapshot(out);
    expect(Object.fromEntries(Object.entries(after).filter(([f]) => !f.startsWith('.staging-')))).toEqual(published);
    const next = pipeline(input, db, out);
    expect(next.stderr).toBe('');
    expect(next.status).toBe(0);
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
    expect(readdirSync(join(out, 'reports')).length).toBe(301);
  });

  it('the leftovers of a killed run are cleaned, and pages and charts it had moved aside are put back', () => {
    const db = join(tempDir(), 'w.duckdb');
    const out = join(tempDir(), 'out');
    expect(pipeline(seedInput(), db, out).status).toBe(0);
    const published = snapshot(out);
    // A run killed while staging, and one killed between moving the old pages aside and the new in.
    mkdirSync(join(out, '.staging-20260101T000000Z-aaaaaa', 'reports'), { recursive: true });
    writeFileSync(join(out, '.staging-20260101T000000Z-aaaaaa', 'index.html'), 'half');
    mkdirSync(join(out, '.staging-20260101T000001Z-bbbbbb'), { recursive: true });
    renameSync(join(out, 'reports'), join(out, '.staging-20260101T000001Z-bbbbbb', 'reports.published'));
    // the charts and agency pages are folders published the same way (each moved aside under its own name)
    renameSync(join(out, 'charts'), join(out, '.staging-20260101T000001Z-bbbbbb', 'charts.published'));
    const r = pipeline(seedInput(), db, out, false);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/removed 2 unfinished output folders? left by killed runs/);
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
    const after = snapshot(out);
    expect(Object.keys(after).sort()).toEqual(Object.keys(published).sort());
    expect(existsSync(join(out, 'reports'))).toBe(true);
    expect(readdirSync(join(out, 'charts')).filter((f) => f.endsWith('.svg')).length).toBe(5);
  });
});
