/**
 * The nightly job as the README's cron line runs it: `npm run -s pipeline -- … --log-json >> file 2>&1`.
 * Every line of the file is JSON, whatever happens (a run, a no-op, a bad option, an empty input
 * folder); the last line of a run has the findings by severity, the new and resolved findings since
 * the previous run, and the exit code.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPORTS, ROOT, tempDir } from '../helpers.js';

const AGENCY = '北京市朝阳区教育委员会';
let work = '';
let input = '';
const log = () => join(work, 'audit.jsonl');
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** One night: the cron line's command, its output appended to the log file; returns the exit code. */
function night(...args: string[]): number {
  const opts = [
    '--db',
    join(work, 'warehouse.duckdb'),
    '--out',
    join(work, 'out'),
    '--raw',
    join(work, 'raw'),
    ...args,
    '--log-json',
  ];
  const r = spawnSync(
    'sh',
    ['-c', `cd ${q(ROOT)} && npm run -s pipeline -- ${opts.map(q).join(' ')} >> ${q(log())} 2>&1`],
    { encoding: 'utf8', timeout: 180_000 },
  );
  return r.status ?? -1;
}

/** Every line of the log, parsed (a line that is not JSON fails the test, naming it). */
function lines(): Record<string, unknown>[] {
  return readFileSync(log(), 'utf8')
    .split('\n')
    .filter((l, i, all) => l !== '' || i < all.length - 1)
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${JSON.stringify(l)}`);
      }
    });
}

beforeAll(() => {
  work = tempDir('goa-cron-');
  input = join(work, 'reports');
  cpSync(REPORTS, input, { recursive: true });
  // another agency's name over the same report: identical T3 (XA.COPY), until an alias says it is the same agency
  const txt = readFileSync(join(REPORTS, `2020_${AGENCY}.txt`), 'utf8');
  writeFileSync(join(input, '2020_北京市朝阳区教育局.txt'), txt.replace(AGENCY, '北京市朝阳区教育局'));
});

describe('the cron line', () => {
  it('writes JSON lines only, the last of each run with findings by severity, new and resolved, and the exit code', () => {
    expect(night('--input', input)).toBe(0);
    const first = lines().at(-1)!;
    expect(first).toMatchObject({ message: 'run finished', exit_code: 0, resolved_findings: 0 });
    const bySeverity = first.findings_by_severity as Record<string, number>;
    expect(Object.keys(bySeverity)).toEqual(['error', 'warning', 'info']);
    expect(bySeverity.error + bySeverity.warning + bySeverity.info).toBe(first.findings);
    expect(first.new_findings).toBe(first.findings); // the first run: every finding is new
    expect(first.new_findings).toBeGreaterThan(0);

    expect(night('--input', input)).toBe(0); // nothing new
    expect(lines().at(-1)).toMatchObject({
      message: 'run finished',
      exit_code: 0,
      new: 0,
      new_findings: 0,
      resolved_findings: 0,
      findings: first.findings,
    });

    const agencies = join(work, 'agencies.csv');
    writeFileSync(agencies, `agency,parent,region,level,aliases\n${AGENCY},,北京,区,北京市朝阳区教育局\n`);
    expect(night('--input', input, '--agencies', agencies)).toBe(0);
    const third = lines().at(-1)!;
    expect(third).toMatchObject({ message: 'run finished', exit_code: 0, new_findings: 0 });
    expect(third.resolved_findings).toBeGreaterThan(0);
    expect(third.findings).toBe((first.findings as number) - (third.resolved_findings as number));

    expect(night('--input', input, '--db-memory', 'lots')).toBe(2);
    expect(lines().at(-1)).toMatchObject({
      level: 'error',
      exit_code: 2,
      message: expect.stringMatching(/--db-memory.*'lots' is invalid/),
    });

    const empty = join(work, 'unmounted');
    mkdirSync(empty);
    expect(night('--input', empty)).toBe(66);
    expect(lines().at(-1)).toMatchObject({
      level: 'error',
      exit_code: 66,
      run_id: expect.any(String),
      message: expect.stringMatching(/no document under --input/),
    });

    const all = lines();
    expect(all.filter((l) => l.message === 'run finished')).toHaveLength(3);
    for (const l of all)
      expect(l).toMatchObject({ time: expect.any(String), level: expect.any(String), message: expect.any(String) });
  }, 240_000);

  it('says what a night with nothing new really does', () => {
    const args = [
      '--input',
      input,
      '--db',
      join(work, 'warehouse.duckdb'),
      '--out',
      join(work, 'out'),
      '--agencies',
      join(work, 'agencies.csv'),
    ];
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'pipeline', 'cli.js'), ...args], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/extract: \d+ documents/);
    expect(r.stderr).toMatch(/checking 16 files/);
    expect(r.stderr).toMatch(/extracted 0 new or changed documents; 16 unchanged, not extracted again/);
    expect(r.stderr).toMatch(/nothing new: \d+ findings stand/);
    expect(r.stdout).toMatch(/0 new, 0 resolved since the previous run/);
  }, 120_000);
});

describe('option values', () => {
  it('--input naming a file, not a folder, is a usage error', () => {
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, 'dist', 'pipeline', 'cli.js'),
        '--input',
        join(REPORTS, `2020_${AGENCY}.txt`),
        '--db',
        join(tempDir(), 'w.duckdb'),
      ],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^pipeline: --input .*\.txt is not a folder\n$/);
  });

  it.each([
    ['--workers', '0'],
    ['--workers', 'two'],
    ['--max-mb', '-5'],
    ['--db-memory', 'lots'],
    ['--db-memory', '100'],
    ['--shard', '4/4'],
    ['--summary', '福建省平潭:22'],
    ['--summary', 'a:b:2022'],
  ])('%s %s is a usage error (exit 2) with a message, not a stack trace', (option, value) => {
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'dist', 'pipeline', 'cli.js'), option, value, '--db', join(tempDir(), 'w.duckdb')],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`^pipeline: usage: option '${option} <[^>]+>' argument '${value}' is invalid\\.`),
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
