/**
 * The browser tests on any machine: the browser is found by $CHROMIUM, then by its usual names on
 * PATH; where none starts, the browser tests are skipped with one line saying so, and with
 * REQUIRE_BROWSER=1 (CI) that fails instead.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserCandidates, launchBrowser } from './browser.js';
import { ROOT, tempDir } from './helpers.js';

/** A folder holding an executable under each name (scripts that are not a browser). */
function fakePrograms(names: string[]): string {
  const dir = tempDir('goa-bin-');
  mkdirSync(dir, { recursive: true });
  for (const name of names) {
    writeFileSync(join(dir, name), '#!/bin/sh\nexit 1\n');
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

const runBrowserTests = (env: Record<string, string>) =>
  spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/outputs/report-html.test.ts'],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 180_000,
      env: { ...process.env, ...env },
    },
  );

describe('finding the browser', () => {
  it('takes $CHROMIUM alone when set, else the usual names found on PATH', () => {
    expect(browserCandidates({ CHROMIUM: '/opt/x/chrome', PATH: '' })).toEqual(['/opt/x/chrome']);
    const bin = fakePrograms(['chromium-browser', 'google-chrome']);
    const found = browserCandidates({ PATH: bin });
    expect(found.slice(0, 2)).toEqual([join(bin, 'chromium-browser'), join(bin, 'google-chrome')]);
  });

  it('says why when no candidate starts', async () => {
    const bin = fakePrograms(['chromium']);
    const r = await launchBrowser({ CHROMIUM: join(bin, 'chromium') });
    expect(r.browser).toBeNull();
    expect(r.browser === null && r.reason).toMatch(/no Chromium would start \(.*chromium: /);
    const none = await launchBrowser({ CHROMIUM: join(bin, 'absent') });
    expect(none.browser === null && none.reason).toMatch(/absent: not an executable file/);
  });

  it('skips the browser tests with one line where none starts, and fails them with REQUIRE_BROWSER=1', () => {
    const missing = { CHROMIUM: join(tempDir(), 'no-chromium-here'), REQUIRE_BROWSER: '' };
    const skipped = runBrowserTests(missing);
    expect(skipped.status).toBe(0);
    const notices = `${skipped.stdout}${skipped.stderr}`.split('\n').filter((l) => l.startsWith('SKIPPED '));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(
      /SKIPPED the HTML report in Chromium: no Chromium would start .*no-chromium-here: not an executable file\); install Chromium/,
    );
    const required = runBrowserTests({ ...missing, REQUIRE_BROWSER: '1' });
    expect(required.status).not.toBe(0);
    expect(`${required.stdout}${required.stderr}`).toMatch(/REQUIRE_BROWSER=1 and no Chromium would start/);
  }, 240_000);
});
