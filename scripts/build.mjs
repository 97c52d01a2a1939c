/**
 * Build once, run many. dist/ is compiled from domain/, extractors/ and pipeline/ by TypeScript; the build
 * writes a stamp (dist/.build-stamp.json) holding a hash of the sources it compiled, and
 * `npm run pipeline` (scripts/pipeline.mjs) compares it with the sources before it runs: the same
 * hash runs dist/ at once (reading and hashing the ~100 source files takes a few ms, where tsc's own
 * no-op took 0.4 s and 2.5–5 s through npm), a different one rebuilds first. Plain JavaScript, so
 * it runs before anything is compiled.
 *
 *   node scripts/build.mjs              build (npm ci's `prepare`, `npm run build`)
 *   node scripts/build.mjs --if-stale   build only when the sources changed since the last build
 *
 * Exit code 70 (BUILD_FAILED_EXIT) when the build fails or cannot run: the pipeline's 2 means a
 * usage error, and a compile error is not one.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The exit code of a failed or impossible build (sysexits' EX_SOFTWARE); EXIT.build in pipeline/run/run.ts. */
export const BUILD_FAILED_EXIT = 70;

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** What tsconfig.json compiles (its `include`), and the config itself. */
const SOURCE_DIRS = ['domain', 'extractors', 'pipeline'];
const STAMP = join('dist', '.build-stamp.json');

function sourceFiles(root) {
  const files = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) files.push(p);
    }
  };
  for (const d of SOURCE_DIRS) if (existsSync(join(root, d))) walk(join(root, d));
  return files.sort();
}

/**
 * A hash of the sources' paths and contents (contents, not times: a checkout that rewrites a file unchanged is no
 * change). Null when the sources are not there (an install of dist/ alone).
 */
export function sourceHash(root = ROOT) {
  const files = sourceFiles(root);
  if (!files.length) return null;
  const hash = createHash('sha256');
  for (const f of [...files, join(root, 'tsconfig.json')]) {
    hash.update(relative(root, f).split(sep).join('/')).update('\0');
    hash.update(existsSync(f) ? readFileSync(f) : '').update('\0');
  }
  return hash.digest('hex');
}

function readStamp(root) {
  try {
    return JSON.parse(readFileSync(join(root, STAMP), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Whether dist/ was built from the sources as they are: 'fresh', 'stale' (sources changed, or
 * built by a bare `tsc` that wrote no stamp), 'missing' (never built), or 'prebuilt' (no sources
 * to compare with: dist/ alone was installed).
 */
export function buildState(root = ROOT) {
  if (!existsSync(join(root, 'dist', 'pipeline', 'cli.js')))
    return { state: sourceHash(root) ? 'missing' : 'prebuilt', hash: null };
  const hash = sourceHash(root);
  if (!hash) return { state: 'prebuilt', hash };
  return { state: readStamp(root)?.sources === hash ? 'fresh' : 'stale', hash };
}

/** TypeScript's compiler, or null when it is not installed. */
function tscPath(root) {
  try {
    return createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    return null;
  }
}

/**
 * Compiles the sources into dist/ and stamps the build. Returns { ok, output, message }: output
 * is tsc's own (its errors), message one line saying what happened. The stamp is written only
 * after a clean compile (tsc emits JavaScript even when the types are wrong), so a failed build
 * is attempted again, and fails again, on the next run.
 */
export function build(root = ROOT) {
  const tsc = tscPath(root);
  if (!tsc) {
    return {
      ok: false,
      output: '',
      message:
        'cannot build dist/: TypeScript is not installed (run `npm ci`; it is a dependency, so `npm ci --omit=dev` installs it too)',
    };
  }
  const hash = sourceHash(root); // before compiling: a source edited during the build makes the next run build again
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { cwd: root, encoding: 'utf8' });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  if (r.status !== 0) {
    const errors = (output.match(/error TS\d+/g) ?? []).length;
    return {
      ok: false,
      output,
      message: `build failed: TypeScript reported ${errors || 'an'} error${errors === 1 ? '' : 's'} compiling domain/, extractors/ and pipeline/; dist/ is not up to date`,
    };
  }
  const tmp = join(root, `${STAMP}.${process.pid}`);
  writeFileSync(tmp, JSON.stringify({ sources: hash, built_at: new Date().toISOString() }) + '\n');
  renameSync(tmp, join(root, STAMP));
  return { ok: true, output, message: 'built dist/ from the sources' };
}

/** Builds when dist/ is missing or stale; { ok, built, output, message }. */
export function ensureBuilt(root = ROOT) {
  const { state } = buildState(root);
  if (state === 'fresh' || state === 'prebuilt')
    return {
      ok: true,
      built: false,
      output: '',
      message: `dist/ is ${state === 'fresh' ? 'up to date' : 'installed without its sources'}`,
    };
  const r = build(root);
  return {
    ...r,
    built: r.ok,
    message: r.ok
      ? `sources changed since the last build: ${r.message}`
      : `dist/ is ${state === 'missing' ? 'not built' : 'stale (the sources changed since it was built)'}; ${r.message}`,
  };
}

// run as a program (argv[1] may go through a symlink; the module's own URL never does)
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = process.argv.includes('--if-stale') ? ensureBuilt() : { ...build(), built: true };
  if (r.output) process.stdout.write(r.output + '\n');
  if (!r.ok) {
    process.stderr.write(`${r.message}\n`);
    process.exit(BUILD_FAILED_EXIT);
  }
}
