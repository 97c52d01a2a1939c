/**
 * The nightly no-op: a run that loads nothing new and whose rule inputs are unchanged keeps the
 * findings and the report as they are; a change to what the rules or outputs read re-runs them.
 */
import { copyFileSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { query, REPORTS, runOn, tempDir } from '../helpers.js';

describe('nothing new', () => {
  it('skips rules and outputs, and re-runs them when a review decision changes', async () => {
    const work = tempDir();
    const opts = { db: join(work, 'w.duckdb'), out: join(work, 'out'), noOutputs: false };
    const first = await runOn(REPORTS, opts);
    const exported = join(opts.out, 'anomalies.csv');
    const before = statSync(exported).mtimeMs;
    const anomalies = await query(opts.db, 'SELECT fingerprint, message FROM anomalies ORDER BY fingerprint');

    expect(Object.keys(first.summary.phases)).toEqual(['ingest', 'rules', 'outputs']);
    expect(first.summary.phases.ingest!.cpuMs).toBeGreaterThan(0);
    const second = await runOn(REPORTS, opts);
    expect(second.summary.new + second.summary.reprocessed).toBe(0);
    expect(second.summary.stageMs.outputs).toBe(0);
    expect(second.summary.phases.outputs).toBeUndefined(); // no outputs written, no phase
    expect(second.summary.rules!.findings).toBe(first.summary.rules!.findings);
    expect(statSync(exported).mtimeMs).toBe(before); // (index.html only gets its "last checked" time: test/outputs/standalone.test.ts)
    expect(await query(opts.db, 'SELECT fingerprint, message FROM anomalies ORDER BY fingerprint')).toEqual(anomalies);
    const runs = await query<{ exit_code: number; inputs_hash: string }>(
      opts.db,
      'SELECT exit_code, inputs_hash FROM runs ORDER BY started_at',
    );
    expect(runs.length).toBe(2);
    expect(runs[0].inputs_hash).toBe(runs[1].inputs_hash);

    // An auditor dismisses a finding: the next run applies it.
    const fp = (anomalies[0] as { fingerprint: string }).fingerprint;
    const reviews = join(opts.out, 'reviews.csv');
    writeFileSync(reviews, readFileSync(reviews, 'utf8') + `${fp},dismissed,核实无误,审计员,2026-11-27\n`);
    const third = await runOn(REPORTS, opts);
    expect(third.summary.stageMs.outputs).toBeGreaterThan(0);
    const decided = await query<{ review_decision: string }>(
      opts.db,
      'SELECT review_decision FROM anomalies WHERE fingerprint = $1',
      [fp],
    );
    expect(decided[0].review_decision).toBe('dismissed');
  });
});

describe('files not read again', () => {
  // Two sample pages, copied with their modification times set an hour back (as a nightly input
  // folder is: written long before the run that reads it).
  const names = ['2020_北京市朝阳区教育委员会.html', '2023_沭阳县发展和改革局.txt'];
  const hourAgo = (Date.now() - 3_600_000) / 1000;
  const setUp = () => {
    const work = tempDir();
    const input = join(work, 'in');
    mkdirSync(input);
    for (const n of names) {
      copyFileSync(join(REPORTS, n), join(input, n));
      utimesSync(join(input, n), hourAgo, hourAgo);
    }
    return { work, input, opts: { db: join(work, 'w.duckdb'), out: join(work, 'out') } };
  };
  const hashedAt = (db: string) =>
    query<{ source: string; hashed_at_ms: number }>(db, 'SELECT source, hashed_at_ms FROM documents ORDER BY source');

  it('a file with the size and time it had when hashed is trusted; a touched one is hashed again; --force reads all', async () => {
    const { input, opts } = setUp();
    await runOn(input, opts);
    const first = await hashedAt(opts.db);
    expect(first.every((d) => d.hashed_at_ms > 0)).toBe(true);

    // Untouched: trusted, not hashed again (its hashed_at stays).
    const second = await runOn(input, opts);
    expect(second.summary.unchanged).toBe(2);
    expect(await hashedAt(opts.db)).toEqual(first);

    // Touched (same bytes, new time): hashed again, still unchanged.
    utimesSync(join(input, names[0]), hourAgo + 60, hourAgo + 60);
    const third = await runOn(input, opts);
    expect(third.summary.unchanged).toBe(2);
    const after = await hashedAt(opts.db);
    expect(after.find((d) => d.source === names[0])!.hashed_at_ms).toBeGreaterThan(
      first.find((d) => d.source === names[0])!.hashed_at_ms,
    );
    expect(after.find((d) => d.source === names[1])).toEqual(first.find((d) => d.source === names[1]));

    // Edited in place with its size and time put back (what the shortcut cannot see, as for make
    // and git): trusted; --force reads every file and finds the change.
    const path = join(input, names[1]);
    const text = readFileSync(path, 'utf8');
    const edited = text.replace(/\t(\d)\n/, (_m, d: string) => `\t${(Number(d) + 1) % 10}\n`);
    expect(edited).not.toBe(text);
    expect(Buffer.byteLength(edited)).toBe(Buffer.byteLength(text));
    writeFileSync(path, edited);
    utimesSync(path, hourAgo, hourAgo);
    expect((await runOn(input, opts)).summary.new).toBe(0);
    const forced = await runOn(input, { ...opts, force: true });
    expect(forced.summary.new).toBe(1);
  });

  it('a file hashed within moments of its last change is read again next time (its clock may be coarse)', async () => {
    const { input, opts } = setUp();
    utimesSync(join(input, names[0]), Date.now() / 1000, Date.now() / 1000);
    await runOn(input, opts);
    const first = await hashedAt(opts.db);
    await runOn(input, opts);
    const second = await hashedAt(opts.db);
    expect(second.find((d) => d.source === names[0])!.hashed_at_ms).toBeGreaterThan(
      first.find((d) => d.source === names[0])!.hashed_at_ms,
    );
    expect(second.find((d) => d.source === names[1])).toEqual(first.find((d) => d.source === names[1]));
  });
});
