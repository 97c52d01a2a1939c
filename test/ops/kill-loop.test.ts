/**
 * Kill loops: the real CLI, over a few hundred small documents, stopped at random moments spread
 * over a run's duration (start-up, lock, reading, loading, rules, outputs, publishing), 25 times
 * with SIGKILL and 25 times with SIGTERM. After every stop the next run completes without
 * anyone's help and leaves nothing behind, and the warehouse at the end equals that of one
 * uninterrupted run (the same nights without a stop). Most stopped runs re-read everything (`--force`), so a stop finds
 * real work
 * in hand; every sixth adds new documents first, so a stop also lands in an incremental run.
 * The seed is printed with any failure (KILL_LOOP_SEED=… repeats it).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type ExpectStatic } from 'vitest';
import { makeInput, query, readSample, ROOT, sampleNames, tempDir } from '../helpers.js';

const CLI = join(ROOT, 'dist', 'pipeline', 'cli.js');
const KILLS = 25;
const FIRST_DOCS = 150;
const ADDED_PER_STEP = 10;

const texts = sampleNames().filter((f) => f.endsWith('.txt'));
/** Document i: a text export of a sample with a line of its own (distinct bytes, same tables). */
const docName = (i: number) => `${i % 7}/${i}_${texts[i % texts.length]}`;
const docText = (i: number) => `${readSample(texts[i % texts.length]).toString('utf8')}\n副本${i}\n`;

function addDocuments(dir: string, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    mkdirSync(join(dir, String(i % 7)), { recursive: true });
    writeFileSync(join(dir, docName(i)), docText(i));
  }
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function run(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
}

const leftovers = (dir: string) => readdirSync(dir).filter((f) => f.includes('.building-') || f.includes('.lock'));

/** The warehouse's content, without what differs between runs (run ids and times). */
async function content(db: string) {
  return {
    reports: await query(
      db,
      'SELECT report_id, source, sha256, format, agency, year, template, status, error, tables_found, warnings FROM reports ORDER BY report_id',
    ),
    cells: await query(
      db,
      "SELECT md5(string_agg(concat_ws('|', report_id, table_id, row_key, col_key, value, raw, kind, grid_table, grid_row, grid_col), ',' ORDER BY report_id, table_id, row_key, col_key)) AS digest, count(*) AS n FROM cells",
    ),
    anomalies: await query(
      db,
      `SELECT fingerprint, rule_id, severity, report_id, related_report_id, table_id, row_key, col_key, expected, actual, message, operands, cells
                                FROM anomalies ORDER BY fingerprint`,
    ),
    documents: await query(db, 'SELECT source, sha256, size_bytes, status FROM documents ORDER BY source, sha256'),
  };
}

async function stopAt(
  args: string[],
  delayMs: number,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stopped: boolean }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: 'ignore' });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('exit', (code, sig) => r({ code, signal: sig })),
  );
  const timer = setTimeout(() => child.kill(signal), delayMs);
  const done = await exited;
  clearTimeout(timer);
  return { ...done, stopped: !(done.code === 0 && done.signal === null) };
}

/** `expect` is the test's own: the two loops run concurrently. */
async function killLoop(signal: 'SIGKILL' | 'SIGTERM', expect: ExpectStatic): Promise<void> {
  const seed = Number(process.env.KILL_LOOP_SEED ?? Date.now() % 1e9);
  const random = mulberry32(seed);
  const input = makeInput({});
  addDocuments(input, 0, FIRST_DOCS);
  let docs = FIRST_DOCS;
  const work = tempDir('goa-kill-');
  const db = join(work, 'w.duckdb');
  // One worker: the two loops side by side already keep both cores busy (and each worker compiles the readers anew).
  const args = (force: boolean) => [
    '--input',
    input,
    '--db',
    db,
    '--out',
    join(work, 'out'),
    '--quiet',
    '--workers',
    '1',
    ...(force ? ['--force'] : []),
  ];
  // The same nights without a stop: a run whenever the documents change (which document of a report's
  // copies represents it depends on when each was first seen, so the history must be the same).
  const clean = join(tempDir('goa-clean-'), 'w.duckdb');
  const uninterrupted = () =>
    expect(run(['--input', input, '--db', clean, '--out', join(work, 'clean-out'), '--quiet']).status).toBe(0);
  uninterrupted();

  // How long a run takes here and now: the stops are spread over it.
  let t0 = Date.now();
  expect(run(args(false)).status).toBe(0);
  t0 = Date.now();
  expect(run(args(true)).status).toBe(0);
  const fullMs = Date.now() - t0;

  let stops = 0;
  for (let i = 0; stops < KILLS && i < KILLS * 2; i++) {
    const grows = i % 6 === 5;
    if (grows) {
      addDocuments(input, docs, docs + ADDED_PER_STEP);
      docs += ADDED_PER_STEP;
      uninterrupted();
    }
    const delay = Math.round(random() * fullMs * 1.05);
    const where = `seed ${seed}, stop ${i} at ${delay} ms of ${fullMs} (${signal}, ${grows ? 'incremental' : '--force'})`;
    const stopped = await stopAt(args(!grows), delay, signal);
    if (stopped.stopped) stops++;
    if (signal === 'SIGTERM' && stopped.stopped) {
      // Handled (exit 143), or so early that Node had not yet set its handler: either way nothing is left.
      expect(stopped.code === 143 || stopped.signal === 'SIGTERM', `${where}: ${JSON.stringify(stopped)}`).toBe(true);
      // The lock goes with the handler. The build too, but for a file DuckDB's own threads were creating
      // at that very moment (its open, a first commit's WAL): the next run removes that, checked below.
      expect(
        readdirSync(work).filter((f) => f.includes('.lock')),
        where,
      ).toEqual([]);
    }
    const next = run(args(false));
    expect(next.status, `${where}: the next run: ${next.stderr}`).toBe(0);
    expect(leftovers(work), where).toEqual([]);
    expect(next.stderr, where).not.toMatch(/crash|ERROR/);
  }
  expect(stops, `seed ${seed}`).toBeGreaterThanOrEqual(KILLS);

  const [got, want] = [await content(db), await content(clean)];
  expect(got.reports.length).toBe(docs);
  expect(got, `seed ${seed}`).toEqual(want);
}

describe('kill loops', () => {
  // The two loops run side by side (each mostly waits on its child processes).
  it.concurrent(
    `${KILLS} SIGKILLs at random moments: every next run completes, the end equals an uninterrupted run`,
    ({ expect }) => killLoop('SIGKILL', expect),
    900_000,
  );
  it.concurrent(
    `${KILLS} SIGTERMs at random moments: each exits 143 leaving no lock behind, the end equals an uninterrupted run`,
    ({ expect }) => killLoop('SIGTERM', expect),
    900_000,
  );
});
