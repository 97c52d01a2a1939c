/**
 * Finds and starts a headless Chromium for the browser tests: $CHROMIUM if set (that one only),
 * else the usual names (chromium, chromium-browser, google-chrome, …) on PATH and in the usual
 * folders. Where none starts, the browser tests are skipped with one line saying why; with
 * REQUIRE_BROWSER=1 (as .ci/run sets) that is a failure instead, so CI never skips them silently.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join, sep } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome', 'microsoft-edge'];
/** Searched after PATH (built from parts: no program path is written out). */
const FOLDERS = [
  ['usr', 'bin'],
  ['usr', 'local', 'bin'],
  ['snap', 'bin'],
  ['opt', 'google', 'chrome'],
].map((parts) => join(sep, ...parts));
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/**
 * The programs to try, in order: $CHROMIUM alone when set, else the usual names in each folder of PATH, then of the
 * usual folders.
 */
export function browserCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.CHROMIUM) return [env.CHROMIUM];
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...FOLDERS];
  const found = dirs.flatMap((d) => NAMES.map((name) => join(d, name))).filter(executable);
  return [...new Set(found)];
}

export type BrowserLaunch = { browser: Browser; path: string } | { browser: null; reason: string };

/** Starts the first candidate that runs. */
export async function launchBrowser(env: NodeJS.ProcessEnv = process.env): Promise<BrowserLaunch> {
  const candidates = browserCandidates(env);
  if (!candidates.length)
    return {
      browser: null,
      reason: `no Chromium found (CHROMIUM unset; none of ${NAMES.join(', ')} on PATH or in ${FOLDERS.join(', ')})`,
    };
  const failures: string[] = [];
  for (const path of candidates) {
    if (!executable(path)) {
      failures.push(`${path}: not an executable file`);
      continue;
    }
    try {
      return { browser: await chromium.launch({ executablePath: path, args: ARGS, timeout: 30_000 }), path };
    } catch (e) {
      failures.push(`${path}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return { browser: null, reason: `no Chromium would start (${failures.join('; ')})` };
}

/**
 * The browser for a test file, or null when the file's browser tests are to be skipped (after one
 * line on stderr saying so). With REQUIRE_BROWSER=1 a missing browser throws instead.
 */
export async function browserForTests(what: string): Promise<Browser | null> {
  const got = await launchBrowser();
  if (got.browser) return got.browser;
  const how = 'install Chromium (Debian: apt-get install chromium) or set CHROMIUM to a Chrome or Chromium program';
  if (process.env.REQUIRE_BROWSER === '1') throw new Error(`REQUIRE_BROWSER=1 and ${got.reason}: ${how}`);
  process.stderr.write(`SKIPPED ${what}: ${got.reason}; ${how} (REQUIRE_BROWSER=1 makes this a failure)\n`);
  return null;
}
