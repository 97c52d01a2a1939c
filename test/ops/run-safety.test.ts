/**
 * Nightly safety, with real child processes: exit codes, one run at a time (75), a run killed
 * with SIGKILL leaves the published warehouse as it was and the next run completes normally,
 * and a re-run with nothing new changes nothing.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { query, readSample, ROOT, sampleNames, tempDir } from '../helpers.js';

const CLI = join(ROOT, 'dist', 'pipeline', 'cli.js');

function cli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args, '--quiet'], { encoding: 'utf8', timeout: 120_000 });
}

/** A folder of n distinct documents made from the samples (a comment makes each one's bytes differ). */
function bigInput(n: number): string {
  const dir = tempDir('goa-big-');
  const htmls = sampleNames().filter((f) => f.endsWith('.html') || f.endsWith('.txt'));
  for (let i = 0; i < n; i++) {
    const name = htmls[i % htmls.length];
    const text = readSample(name).toString('utf8');
    mkdirSync(join(dir, String(i % 10)), { recursive: true });
    writeFileSync(
      join(dir, String(i % 10), `${i}_${name}`),
      name.endsWith('.html') ? `${text}<!-- copy ${i} -->` : `${text}\n副本${i}\n`,
    );
  }
  return dir;
}

/** The warehouse's content, without what differs between runs (ids and times). */
async function content(db: string) {
  return {
    reports: await query(
      db,
      'SELECT report_id, source, sha256, format, agency, year, template, status, error FROM reports ORDER BY report_id',
    ),
    cells: await query(db, 'SELECT * FROM cells ORDER BY report_id, table_id, row_key, col_key'),
    documents: await query(db, 'SELECT source, sha256, size_bytes, status FROM documents ORDER BY source'),
  };
}

describe('exit codes', () => {
  it('0 on success, 2 on a usage error, 3 when documents failed', () => {
    const work = tempDir();
    expect(
      cli(['--input', join(ROOT, 'data', 'reports'), '--db', join(work, 'w.duckdb'), '--out', join(work, 'out')])
        .status,
    ).toBe(0);
    const bogus = cli(['--bogus']);
    expect(bogus.status).toBe(2);
    expect(cli(['--input', join(work, 'missing'), '--db', join(work, 'w2.duckdb')]).status).toBe(2);
    const bad = tempDir();
    writeFileSync(join(bad, 'x.pdf'), '%PDF-1.4');
    const r = cli(['--input', bad, '--db', join(work, 'w3.duckdb'), '--out', join(work, 'out3')]);
    expect(r.status).toBe(3);
  });

  it('74 when the warehouse folder cannot be written, and nothing is published', () => {
    const work = tempDir();
    // root ignores permission bits: use a path under a file instead, which nobody can create.
    writeFileSync(join(work, 'file'), 'x');
    const r = cli(['--input', join(ROOT, 'data', 'reports'), '--db', join(work, 'file', 'w.duckdb')]);
    expect(r.status).toBe(74);
    expect(r.stderr).toMatch(/output error, nothing published: cannot write the warehouse folder/);
    expect(existsSync(join(work, 'file', 'w.duckdb'))).toBe(false);
  });
});

describe('one run at a time, and kill -9', () => {
  it('a second run while one holds the lock exits 75 naming the holder; the first completes', async () => {
    const input = bigInput(150);
    const work = tempDir();
    const db = join(work, 'w.duckdb');
    const first = spawn(process.execPath, [
      CLI,
      '--input',
      input,
      '--db',
      db,
      '--out',
      join(work, 'out'),
      '--quiet',
      '--workers',
      '1',
    ]);
    const firstDone = new Promise<number | null>((res) => first.on('exit', (code) => res(code)));
    const t0 = Date.now();
    while (!existsSync(`${db}.lock`) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 20));
    const second = cli(['--input', input, '--db', db, '--out', join(work, 'out')]);
    expect(second.status).toBe(75);
    expect(second.stderr).toMatch(new RegExp(`another run holds the warehouse lock: pid ${first.pid}`));
    expect(await firstDone).toBe(0);
  });

  it('a run killed mid-way leaves the published warehouse as it was; the next run equals an uninterrupted one', async () => {
    const input = bigInput(120);
    const work = tempDir();
    const db = join(work, 'w.duckdb');
    // A published warehouse from an earlier night (the bundled sample).
    expect(cli(['--input', join(ROOT, 'data', 'reports'), '--db', db, '--out', join(work, 'out')]).status).toBe(0);
    const before = await content(db);

    const victim = spawn(
      process.execPath,
      [CLI, '--input', input, '--db', db, '--out', join(work, 'out'), '--workers', '1'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let progressed = '';
    victim.stderr.on('data', (d) => (progressed += String(d)));
    const t0 = Date.now();
    // Kill once extraction is under way (some documents loaded into the private copy).
    while (!/\d+\/120/.test(progressed) && Date.now() - t0 < 30_000) await new Promise((r) => setTimeout(r, 10));
    victim.kill('SIGKILL');
    await new Promise((r) => victim.on('exit', r));
    expect(existsSync(`${db}.lock`)).toBe(true); // left behind by the killed run
    expect(await content(db)).toEqual(before); // published warehouse untouched

    const next = cli(['--input', input, '--db', db, '--out', join(work, 'out')]);
    expect(next.status).toBe(0);
    expect(readdirSync(work).filter((f) => f.includes('.building-'))).toEqual([]);

    const clean = join(tempDir(), 'w.duckdb');
    expect(cli(['--input', join(ROOT, 'data', 'reports'), '--db', clean]).status).toBe(0);
    expect(cli(['--input', input, '--db', clean]).status).toBe(0);
    const [a, b] = [await content(db), await content(clean)];
    expect(a.reports).toEqual(b.reports);
    expect(a.cells).toEqual(b.cells);
  });

  it('a re-run with nothing new parses nothing and leaves the warehouse identical', async () => {
    const work = tempDir();
    const db = join(work, 'w.duckdb');
    expect(cli(['--input', join(ROOT, 'data', 'reports'), '--db', db, '--out', join(work, 'out')]).status).toBe(0);
    const before = await content(db);
    const again = spawnSync(
      process.execPath,
      [CLI, '--input', join(ROOT, 'data', 'reports'), '--db', db, '--out', join(work, 'out')],
      { encoding: 'utf8' },
    );
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/15 documents seen — 0 new, 15 unchanged/);
    expect(await content(db)).toEqual(before);
  });
});
