/** The README stays true to what it documents: every rule id, exit code and researcher view. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_IDS } from '../domain/rule-catalogue.js';
import { EXIT } from '../pipeline/run/run.js';
import { ROOT } from './helpers.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  it('shows the set-up, the main job and the tests first', () => {
    const first = readme.indexOf('```sh');
    expect(readme.slice(first, first + 400)).toMatch(/npm ci[\s\S]*npm run pipeline[\s\S]*npm test/);
  });
  it('lists every rule of the catalogue', () => {
    expect(RULE_IDS.filter((id) => !readme.includes(`\`${id}\``))).toEqual([]);
  });
  it('lists every exit code', () => {
    for (const code of Object.values(EXIT)) expect(readme).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
  it('and docs/contract.md too', () => {
    const contract = readFileSync(join(ROOT, 'docs', 'contract.md'), 'utf8');
    for (const code of Object.values(EXIT)) expect(contract).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
  it('documents every researcher view', () => {
    const views = [
      ...readFileSync(join(ROOT, 'sql', 'views.sql'), 'utf8').matchAll(/CREATE OR REPLACE VIEW (\w+)/g),
    ].map((m) => m[1]);
    expect(views.length).toBeGreaterThan(0);
    expect(views.filter((v) => !readme.includes(`\`${v}\``))).toEqual([]);
  });
});

describe("README's scheduling examples", () => {
  const block = (lang: string) =>
    [...readme.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]);
  const options = (line: string) =>
    line
      .slice(line.indexOf('npm run -s pipeline --') + 'npm run -s pipeline --'.length)
      .split('>>')[0]
      .trim();
  it('run the pipeline with the same options from cron and from systemd, with a user and a time limit', () => {
    const cron = block('cron')[0].trim();
    const service = block('ini').find((b) => b.includes('ExecStart='))!;
    const exec = service.split('\n').find((l) => l.startsWith('ExecStart='))!;
    expect(options(exec)).toBe(options(cron));
    expect(options(cron)).toMatch(/--log-json$/);
    expect(service).toMatch(/^User=\S+$/m);
    expect(service).toMatch(/^TimeoutStartSec=\S+$/m);
    expect(service).toContain(`StandardOutput=append:${cron.split('>> ')[1].split(' ')[0]}`);
  });
});

describe('docs/', () => {
  it('holds every document the code and the README cite, and none cites the shared folder', () => {
    const sources = ['README.md', 'domain/rule-catalogue.ts', 'domain/template.ts', 'sql/schema.sql']
      .map((f) => readFileSync(join(ROOT, f), 'utf8'))
      .join('\n');
    const cited = [...new Set([...sources.matchAll(/docs\/([\w-]+\.md)/g)].map((m) => m[1]))];
    expect(cited.length).toBeGreaterThanOrEqual(5);
    for (const name of cited) expect(existsSync(join(ROOT, 'docs', name)), name).toBe(true);
    for (const name of readdirSync(join(ROOT, 'docs')))
      expect(readFileSync(join(ROOT, 'docs', name), 'utf8')).not.toMatch(/\.\.\/shared|\/work\/shared/);
    expect(sources).not.toMatch(/\.\.\/shared|\/work\/shared/);
  });
});
