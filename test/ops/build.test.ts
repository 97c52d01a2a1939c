/**
 * Build once, run many: `npm run pipeline` runs dist/ without compiling when the sources are as
 * built, rebuilds when they changed, and stops with exit code 70 (not 2, a usage error) when the
 * build fails or TypeScript is missing. On a copy of the project, so the real dist/ is untouched.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILD_FAILED_EXIT } from '../../scripts/build.mjs';
import { EXIT } from '../../pipeline/run/run.js';
import { ROOT, tempDir } from '../helpers.js';

let copy = '';
const npmRun = (cwd: string, ...args: string[]) =>
  spawnSync('npm', ['run', '-s', 'pipeline', '--', ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
const stamp = (dir: string) => readFileSync(join(dir, 'dist', '.build-stamp.json'), 'utf8');

/** A copy of the project: sources, SQL, scripts and dist/, the packages linked. */
function copyProject(nodeModules: (dir: string) => void): string {
  const dir = tempDir('goa-build-');
  for (const p of ['package.json', 'tsconfig.json', 'scripts', 'domain', 'pipeline', 'extractors', 'sql', 'dist'])
    cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  nodeModules(dir);
  return dir;
}

beforeAll(() => {
  copy = copyProject((dir) => symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules')));
});

describe('npm run pipeline', () => {
  it('has exit code 70 for a failed build, documented with the others', () => {
    expect(EXIT.build).toBe(BUILD_FAILED_EXIT);
  });

  it('runs dist/ without compiling when the sources are unchanged, even rewritten', () => {
    const before = stamp(copy);
    const file = join(copy, 'pipeline', 'outputs', 'summary.ts');
    writeFileSync(file, readFileSync(file)); // a new modification time, the same content
    const r = npmRun(copy, '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--input');
    expect(r.stderr).not.toMatch(/built|build/);
    expect(stamp(copy)).toBe(before);
  });

  it('rebuilds when a source changed, saying so', () => {
    const file = join(copy, 'pipeline', 'outputs', 'summary.ts');
    writeFileSync(file, readFileSync(file, 'utf8') + '\n// changed\n');
    const r = npmRun(copy, '--help');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/sources changed since the last build: built dist\//);
    expect(readFileSync(join(copy, 'dist', 'pipeline', 'outputs', 'summary.js'), 'utf8')).toContain('// changed');
    expect(npmRun(copy, '--help').stderr).toBe(''); // and only once
  });

  it('stops with exit code 70 and the compiler errors on a compile error, again on the next run, in JSON with --log-json', () => {
    const file = join(copy, 'pipeline', 'outputs', 'summary.ts');
    writeFileSync(file, readFileSync(file, 'utf8') + '\nexport const broken: number = "text";\n');
    const r = npmRun(copy, '--help');
    expect(r.status).toBe(70);
    expect(r.stderr).toMatch(/error TS2322/);
    expect(r.stderr).toMatch(/build failed: TypeScript reported 1 error/);
    const again = npmRun(copy, '--log-json');
    expect(again.status).toBe(70);
    const lines = `${again.stdout}${again.stderr}`
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', stage: 'build', exit_code: 70 });
    expect(lines[0].compiler_output).toMatch(/error TS2322/);
  });

  it('says plainly that the build is stale when TypeScript is not installed', () => {
    const noTs = copyProject((dir) => {
      mkdirSync(join(dir, 'node_modules'));
      for (const name of readdirSync(join(ROOT, 'node_modules'))) {
        if (name !== 'typescript' && name !== '.bin')
          symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name));
      }
    });
    const fresh = npmRun(noTs, '--help');
    expect(fresh.status).toBe(0); // built dist/ runs without TypeScript
    const file = join(noTs, 'extractors', 'version.ts');
    writeFileSync(file, readFileSync(file, 'utf8') + '\n// changed\n');
    const r = npmRun(noTs, '--help');
    expect(r.status).toBe(70);
    expect(r.stderr).toMatch(
      /dist\/ is stale \(the sources changed since it was built\); cannot build dist\/: TypeScript is not installed/,
    );
    expect(statSync(join(noTs, 'dist', 'pipeline', 'cli.js')).isFile()).toBe(true);
  });
});

describe('a production install', () => {
  it('npm ci --omit=dev builds, and npm run pipeline runs', () => {
    const dir = tempDir('goa-prod-');
    for (const p of [
      'package.json',
      'package-lock.json',
      'tsconfig.json',
      'scripts',
      'domain',
      'pipeline',
      'extractors',
      'sql',
      'data/reports',
    ]) {
      cpSync(join(ROOT, p), join(dir, p), { recursive: true });
    }
    // from npm's cache (the packages this checkout's own install fetched): no network in tests
    const ci = spawnSync('npm', ['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 300_000,
    });
    if (ci.status !== 0 && /ENOTCACHED/.test(`${ci.stdout}${ci.stderr}`)) {
      process.stderr.write(
        "SKIPPED the production install test: npm's cache lacks a package and tests use no network\n",
      );
      return;
    }
    expect(ci.status, ci.stderr).toBe(0);
    expect(readdirSync(join(dir, 'node_modules'))).not.toContain('vitest');
    expect(statSync(join(dir, 'dist', '.build-stamp.json')).isFile()).toBe(true);
    const r = npmRun(dir, '--quiet');
    expect(r.status, r.stderr).toBe(0);
    expect(statSync(join(dir, 'data', 'out', 'index.html')).isFile()).toBe(true);
  }, 360_000);
});
