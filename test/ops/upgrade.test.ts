/**
 * Upgrades: a new version of the code that writes the pages renders them again on the next run,
 * though no report is new (the run's inputs fingerprint includes a hash of that code), and the
 * rules, whose own inputs did not change, are not evaluated again in full; a change elsewhere keeps
 * the nightly no-op. On a copy of the built project, so the real dist/ is untouched.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPORTS, ROOT, tempDir } from '../helpers.js';

describe('an upgrade of the page code', () => {
  it('re-renders the pages on the next run; a change elsewhere does not', () => {
    const app = tempDir('goa-app-');
    for (const p of ['package.json', 'sql', 'dist']) cpSync(join(ROOT, p), join(app, p), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(app, 'node_modules'));
    const work = tempDir();
    const out = join(work, 'out');
    const run = () =>
      spawnSync(
        process.execPath,
        [join(app, 'dist', 'pipeline', 'cli.js'), '--input', REPORTS, '--db', join(work, 'w.duckdb'), '--out', out],
        {
          encoding: 'utf8',
          timeout: 120_000,
        },
      );
    const page = () => readFileSync(join(out, 'reports', readdirSync(join(out, 'reports'))[0]), 'utf8');
    const edit = (file: string, from: string, to: string) => {
      const code = readFileSync(join(app, 'dist', file), 'utf8');
      expect(code).toContain(from);
      writeFileSync(join(app, 'dist', file), code.replace(from, to));
    };

    expect(run().status).toBe(0);
    expect(run().stderr).toMatch(/nothing new: \d+ findings stand, outputs unchanged/);

    edit('pipeline/crawl/robots.js', 'robots', 'robots '); // not page code
    expect(run().stderr).toMatch(/nothing new/);
    // nor the readers or the rules runner, though the outputs' code imports their stages' index files
    edit('extractors/docx/reader.js', '/**', '/** ');
    edit('pipeline/rules/incremental.js', '/**', '/** ');
    expect(run().stderr).toMatch(/nothing new/);

    edit('pipeline/outputs/site/report-page.js', '<dt>来源文件</dt>', '<dt>原始文件</dt>');
    const upgraded = run();
    expect(upgraded.status).toBe(0);
    expect(upgraded.stderr).not.toMatch(/nothing new/);
    expect(upgraded.stderr).toMatch(/outputs written/);
    // the rules' own inputs did not change: they are not evaluated again in full (at 10,000 reports, 15 s)
    expect(upgraded.stderr).toMatch(/rules \(incremental: 0 documents touched/);
    expect(page()).toContain('<dt>原始文件</dt>');
    expect(run().stderr).toMatch(/nothing new/); // and once only
  }, 180_000);
});
