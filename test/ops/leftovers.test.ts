/**
 * What a killed, stopped or hung run leaves behind never stops the runs after it, and what cannot
 * be fixed without a person is said loudly with its own exit code: DuckDB's temp folder of a
 * killed build, an empty or garbage lock file, SIGTERM / SIGINT, a lock held by a run for too
 * long, a warehouse file that is not one. Real child processes of the CLI.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeInput, readSample, ROOT, sampleNames, tempDir } from '../helpers.js';

const CLI = join(ROOT, 'dist', 'pipeline', 'cli.js');

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args, '--quiet'], { encoding: 'utf8', timeout: 120_000 });
}

const sample = () => ['--input', join(ROOT, 'data', 'reports')];
const leftovers = (dir: string) =>
  readdirSync(dir).filter((f) => f.includes('.building-') || f.endsWith('.lock') || f.includes('.lock.'));

describe('leftovers of killed runs', () => {
  it("DuckDB's temp folder of a killed build (.<db>.building-<run>.tmp/) is removed with the build; the run completes", () => {
    const work = tempDir();
    const db = join(work, 'w.duckdb');
    const build = join(work, '.w.duckdb.building-20260101T000000Z-abcdef');
    writeFileSync(build, 'half a warehouse');
    writeFileSync(`${build}.wal`, 'x');
    mkdirSync(join(`${build}.tmp`, 'sub'), { recursive: true });
    writeFileSync(join(`${build}.tmp`, 'duckdb_temp_storage-0.tmp'), Buffer.alloc(4096));
    const r = cli([...sample(), '--db', db, '--out', join(work, 'out')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(leftovers(work)).toEqual([]);
    expect(cli([...sample(), '--db', db, '--out', join(work, 'out')]).status).toBe(0);
  }, 60_000);

  it('an empty or garbage lock file (a kill between creating and writing it) is taken over once older than a few seconds, with a warning', () => {
    for (const content of ['', '{"pid": 12', '\0\0\0']) {
      const work = tempDir();
      const db = join(work, 'w.duckdb');
      writeFileSync(`${db}.lock`, content);
      const old = new Date(Date.now() - 60_000);
      utimesSync(`${db}.lock`, old, old);
      const r = spawnSync(process.execPath, [CLI, ...sample(), '--db', db, '--out', join(work, 'out'), '--log-json'], {
        encoding: 'utf8',
      });
      expect(r.status, JSON.stringify(content)).toBe(0);
      expect(r.stderr).toMatch(/"level":"warn".*took over the lock file .*w\.duckdb\.lock.*cannot be read/);
      expect(leftovers(work)).toEqual([]);
    }
  }, 60_000);

  it('a lock written aside by a run killed before linking it into place (<db>.lock.<pid>.pending) is removed', () => {
    const work = tempDir();
    const db = join(work, 'w.duckdb');
    const dead = spawnSync('true').pid!; // exited: its pid is gone
    writeFileSync(
      `${db}.lock.${dead}.pending`,
      JSON.stringify({ pid: dead, host: hostname(), runId: 'killed', started: new Date().toISOString() }),
    );
    expect(cli([...sample(), '--db', db, '--out', join(work, 'out')]).status).toBe(0);
    expect(leftovers(work)).toEqual([]);
  });

  it('a garbage lock file written just now is not taken: exit 75, saying it cannot be read', () => {
    const work = tempDir();
    const db = join(work, 'w.duckdb');
    writeFileSync(`${db}.lock`, '');
    const r = cli([...sample(), '--db', db, '--out', join(work, 'out')]);
    expect(r.status).toBe(75);
    expect(r.stderr).toMatch(/lock file .*w\.duckdb\.lock exists and cannot be read/);
  });

  it('a lock held by a live run for longer than --stale-lock-hours is an error with exit 69, not a quiet 75', () => {
    const work = tempDir();
    const db = join(work, 'w.duckdb');
    const started = new Date(Date.now() - 13 * 3600_000).toISOString();
    // This test's own process: alive, on this host.
    writeFileSync(`${db}.lock`, JSON.stringify({ pid: process.pid, host: hostname(), runId: 'hung-run', started }));
    const r = spawnSync(
      process.execPath,
      [CLI, ...sample(), '--db', db, '--out', join(work, 'out'), '--quiet', '--log-json'],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(69);
    expect(r.stderr).toMatch(/"level":"error".*held for 13\.0 hours by pid \d+ .*run hung-run.*--stale-lock-hours 12/);
    expect(readFileSync(`${db}.lock`, 'utf8')).toMatch(/hung-run/); // not taken: the run is alive
    // A younger lock, or a higher threshold: the usual 75.
    const patient = cli([...sample(), '--db', db, '--out', join(work, 'out'), '--stale-lock-hours', '24']);
    expect(patient.status).toBe(75);
    expect(patient.stderr).toMatch(/another run holds the warehouse lock: pid/);
  });
});

/** A folder of n small distinct documents (text exports of the samples, each with its own line). */
function manyDocuments(n: number): string {
  const texts = sampleNames().filter((f) => f.endsWith('.txt'));
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++)
    files[`${i % 7}/${i}_${texts[i % texts.length]}`] =
      `${readSample(texts[i % texts.length]).toString('utf8')}\n副本${i}\n`;
  return makeInput(files);
}

describe('stopped by a signal', () => {
  const moments = [
    ['SIGTERM', 143, 'while documents are read', /\d+\/120/],
    [
      'SIGTERM',
      143,
      'while the rules run (their scratch database beside the build)',
      /extracted 120 new or changed documents/,
    ],
    ['SIGINT', 130, 'while documents are read', /\d+\/120/],
  ] as const;
  for (const [signal, code, when, mark] of moments) {
    it(`${signal} ${when} removes the lock and the private build, leaves the published warehouse, and exits ${code}`, async () => {
      const input = manyDocuments(120);
      const work = tempDir();
      const db = join(work, 'w.duckdb');
      expect(cli([...sample(), '--db', db, '--out', join(work, 'out')]).status).toBe(0);
      const published = readFileSync(db);
      const victim = spawn(
        process.execPath,
        [CLI, '--input', input, '--db', db, '--out', join(work, 'out'), '--workers', '1'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      victim.stderr.on('data', (d) => (stderr += String(d)));
      const t0 = Date.now();
      while (!mark.test(stderr) && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 5));
      expect(readdirSync(work).some((f) => f.includes('.building-'))).toBe(true);
      victim.kill(signal);
      const exit = await new Promise<number | null>((r) => victim.on('exit', (c) => r(c)));
      expect(exit).toBe(code);
      expect(stderr).toMatch(new RegExp(`stopped by ${signal}: nothing published`));
      expect(leftovers(work)).toEqual([]);
      expect(readFileSync(db).equals(published)).toBe(true);
      expect(cli(['--input', input, '--db', db, '--out', join(work, 'out')]).status).toBe(0);
    }, 90_000);
  }
});

describe('a warehouse file that is not one', () => {
  for (const [what, bytes] of [
    ['garbage', Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919 + 13) % 256))],
    ['empty', Buffer.alloc(0)],
  ] as const) {
    it(`${what}: exit 65, the message names --db (not the private copy), the file is left as it was`, () => {
      const work = tempDir();
      const db = join(work, 'w.duckdb');
      writeFileSync(db, bytes);
      const r = cli([...sample(), '--db', db, '--out', join(work, 'out')]);
      expect(r.status).toBe(65);
      expect(r.stderr).toContain(`pipeline: --db ${db} is not a DuckDB warehouse this pipeline can open`);
      expect(r.stderr).not.toMatch(/building-/);
      expect(readFileSync(db).equals(bytes)).toBe(true);
      expect(leftovers(work)).toEqual([]);
      expect(existsSync(join(work, 'out', 'index.html'))).toBe(false);
    });
  }
});
