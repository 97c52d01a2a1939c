/**
 * The agencies' and regions' pages and the index's charts are kept by a key of what they show, as
 * the report pages are: a run whose new document changes none of their rows neither renders nor
 * draws them (their files keep inode and time), one whose rows changed makes them again, and a
 * file changed since it was written is made again. What is kept equals what a fresh run writes.
 */
import { cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPORTS, ROOT, runOn, tempDir } from '../helpers.js';
import { BROKEN_DOCX } from './fixture.js';

const FOLDERS = ['agencies', 'regions', 'charts'];

/** Each file of the folders as the file system knows it: inode and modification time. */
function stamps(out: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const folder of FOLDERS)
    for (const f of readdirSync(join(out, folder))) {
      const st = statSync(join(out, folder, f));
      files.set(`${folder}/${f}`, `${st.ino}:${st.mtimeMs}`);
    }
  return files;
}

const changed = (before: Map<string, string>, after: Map<string, string>) =>
  [...after]
    .filter(([f, stamp]) => before.get(f) !== stamp)
    .map(([f]) => f)
    .sort();

/** Every file of the folders, with its bytes. */
function contents(out: string): Map<string, string> {
  return new Map([...stamps(out).keys()].map((f) => [f, readFileSync(join(out, f), 'utf8')]));
}

describe('agency and region pages and charts kept by their rows', () => {
  it('are made again only when what they show changed, and equal what a fresh run writes', async () => {
    const input = tempDir('goa-kept-in-');
    cpSync(REPORTS, input, { recursive: true });
    const work = tempDir('goa-kept-');
    const db = join(work, 'warehouse.duckdb');
    const out = join(work, 'out');
    const agencies = join(ROOT, 'test', 'fixtures', 'agencies.csv');
    const run = () => runOn(input, { db, out, agencies, noOutputs: false });

    const made = (await run()).summary.keptOutputs!;
    const first = stamps(out);
    expect(made.kept).toBe(0);
    expect([...first.keys()].filter((f) => f.startsWith('agencies/')).length).toBeGreaterThan(0);
    expect([...first.keys()].filter((f) => f.startsWith('regions/')).length).toBeGreaterThan(1);

    // A document that cannot be read: the reports' rows are as they were, only the charts of the
    // documents read (the quality panel) change.
    writeFileSync(join(input, '2021_损坏的附件.docx'), BROKEN_DOCX);
    const secondRun = await run();
    const second = stamps(out);
    expect(changed(first, second)).toEqual(['charts/quality-by-year.csv', 'charts/quality-by-year.svg']);
    // and the others were neither rendered nor drawn
    expect(secondRun.summary.keptOutputs).toEqual({ kept: made.made - 1, made: 1 });

    const fresh = await runOn(input, { agencies, noOutputs: false });
    expect(contents(out)).toEqual(contents(fresh.out));

    // A chart and a region page changed by hand are made again at the next run that writes outputs.
    const [region] = [...second.keys()].filter((f) => f.startsWith('regions/'));
    writeFileSync(join(out, 'charts', 'totals-by-year.svg'), '<svg/>');
    writeFileSync(join(out, region), 'edited');
    writeFileSync(join(input, '2022_另一个损坏的附件.docx'), Buffer.concat([BROKEN_DOCX, Buffer.from('另一份')]));
    const thirdRun = await run();
    const third = stamps(out);
    expect(thirdRun.summary.keptOutputs).toEqual({ kept: made.made - 3, made: 3 });
    expect(changed(second, third)).toEqual(
      ['charts/quality-by-year.csv', 'charts/quality-by-year.svg', 'charts/totals-by-year.svg', region].sort(),
    );
    const freshAgain = await runOn(input, { agencies, noOutputs: false });
    expect(contents(out)).toEqual(contents(freshAgain.out));
  });
});
