/**
 * Every path under --input that was seen and not read gets a `documents` row (status failed) with
 * the stage and the reason, and the summary and the index list it; the rest of the folder is read
 * as usual. Unreadable files and folders need a user that permissions stop: the run is a child
 * process as `nobody` when the tests run as root.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query, REPORTS, ROOT } from '../helpers.js';

const CLI = join(ROOT, 'dist', 'pipeline', 'cli.js');
const asRoot = process.getuid?.() === 0;
// Under /tmp, not the test run's private folder: `nobody` must reach it.
const work = mkdtempSync('/tmp/goa-discover-');
const input = join(work, 'in');
const db = join(work, 'w.duckdb');
const out = join(work, 'out');
/** 报告 in GBK: a name that is not UTF-8, as zips made on Chinese Windows unpack. */
const GBK_NAME = Buffer.concat([Buffer.from(input + '/'), Buffer.from([0xb1, 0xa8, 0xb8, 0xe6]), Buffer.from('.html')]);

let run: ReturnType<typeof spawnSync<string>>;
let documents: { source: string; sha256: string; status: string; error: string | null }[];

beforeAll(async () => {
  mkdirSync(join(input, 'open'), { recursive: true });
  mkdirSync(join(input, 'sealed'), { recursive: true });
  copyFileSync(join(REPORTS, '2020_北京市朝阳区教育委员会.html'), join(input, 'open', 'a.html'));
  copyFileSync(join(REPORTS, '2023_沭阳县发展和改革局.html'), join(input, 'sealed', 'hidden.html'));
  writeFileSync(GBK_NAME, readFileSync(join(REPORTS, '2019_平潭综合实验区.html')));
  copyFileSync(join(REPORTS, '2021_平潭综合实验区.html'), join(input, 'locked.html'));
  chmodSync(join(input, 'locked.html'), 0o000);
  chmodSync(join(input, 'sealed'), 0o000);
  symlinkSync(join(input, 'open', 'a.html'), join(input, 'link-in.html'));
  symlinkSync('/etc/hostname', join(input, 'link-out.html'));
  symlinkSync(join(input, 'open'), join(input, 'link-dir'));
  symlinkSync(join(input, 'loop'), join(input, 'loop'));
  execFileSync('mkfifo', [join(input, 'pipe.html')]);
  chmodSync(work, 0o777);
  run = spawnSync(process.execPath, [CLI, '--input', input, '--db', db, '--out', out], {
    encoding: 'utf8',
    timeout: 60_000,
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  documents = await query<(typeof documents)[number]>(
    db,
    'SELECT source, sha256, status, error FROM documents ORDER BY source',
  ).catch(() => []);
}, 120_000);

afterAll(() => {
  chmodSync(join(input, 'sealed'), 0o755);
  rmSync(work, { recursive: true, force: true });
});

const UNREAD: Record<string, RegExp> = {
  'locked.html': /^read: .*EACCES/,
  sealed: /^discover: the folder cannot be listed .*EACCES/,
  'link-out.html': /^discover: a symbolic link to \/etc\/hostname, outside --input/,
  'link-dir': /^discover: a symbolic link to a folder/,
  loop: /^discover: a symbolic link that leads nowhere .*ELOOP/,
  'pipe.html': /^discover: not a regular file \(a FIFO\)/,
};

describe('discovery: every path seen', () => {
  it('reads what can be read, the documents beside an unreadable folder too (exit 3, not 74)', () => {
    expect(run.stderr).not.toMatch(/crashed|output error/);
    expect(run.status).toBe(3);
    const read = documents.filter((d) => d.sha256 !== '').map((d) => [d.source, d.status]);
    expect(read).toEqual([
      ['link-in.html', 'ok'],
      ['open/a.html', 'ok'],
      ['报告.html', 'ok'],
    ]);
  });

  it('gives every path not read a failed row with the stage and the reason, listed in the summary and the index', () => {
    const index = readFileSync(join(out, 'index.html'), 'utf8');
    for (const [source, reason] of Object.entries(UNREAD)) {
      const row = documents.find((d) => d.source === source);
      expect(row, source).toBeDefined();
      expect({ source, status: row!.status, sha256: row!.sha256 }).toEqual({ source, status: 'failed', sha256: '' });
      expect(row!.error, source).toMatch(reason);
      expect(run.stdout).toContain(`failed  ${source}: ${row!.error}`);
      expect(index).toContain(`<td>${source}</td>`);
    }
  });

  it('a second run over the same folder: the same rows, not new failures (exit 0)', async () => {
    const again = spawnSync(process.execPath, [CLI, '--input', input, '--db', db, '--out', out, '--quiet'], {
      encoding: 'utf8',
      timeout: 60_000,
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    expect(again.status).toBe(0);
    expect(await query(db, 'SELECT source, sha256, status, error FROM documents ORDER BY source')).toEqual(documents);
  });
});

describe('a path unread again after a run that read it', () => {
  it('is a new failure (exit 3), not one already known from an older run', () => {
    const dir = mkdtempSync('/tmp/goa-unread-again-');
    const inDir = join(dir, 'in');
    mkdirSync(inDir);
    const run = () =>
      spawnSync(
        process.execPath,
        [CLI, '--input', inDir, '--db', join(dir, 'w.duckdb'), '--out', join(dir, 'out'), '--quiet'],
        { encoding: 'utf8', timeout: 60_000 },
      );
    copyFileSync(join(REPORTS, '2020_北京市朝阳区教育委员会.txt'), join(inDir, 'good.txt'));
    const path = join(inDir, 'x.html');
    try {
      execFileSync('mkfifo', [path]);
      expect(run().status).toBe(3); // a FIFO is not read: a failure
      rmSync(path);
      copyFileSync(join(REPORTS, '2023_沭阳县发展和改革局.html'), path);
      expect(run().status).toBe(0); // the same path read
      rmSync(path);
      execFileSync('mkfifo', [path]);
      expect(run().status).toBe(3); // unread again: new since the run before, which read it
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
