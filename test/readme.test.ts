/** The README stays true to what it documents: every rule id, exit code and researcher view. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULE_IDS } from '../pipeline/rules/catalogue.js';
import { EXIT } from '../pipeline/run.js';
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
  it('documents every researcher view', () => {
    const views = [...readFileSync(join(ROOT, 'sql', 'views.sql'), 'utf8').matchAll(/CREATE OR REPLACE VIEW (\w+)/g)].map((m) => m[1]);
    expect(views.length).toBeGreaterThan(0);
    expect(views.filter((v) => !readme.includes(`\`${v}\``))).toEqual([]);
  });
});
