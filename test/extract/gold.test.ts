/**
 * Every sample report, in every format, gives exactly its hand-checked cells; the three
 * formats of one report give the same cells; agency, year and format version are right.
 */
import { describe, expect, it } from 'vitest';
import { extractDocument } from '../../extractors/index.js';
import { goldCells, SAMPLE_META, readSample, sampleNames } from '../helpers.js';

const key = (c: { table_id: string; row_key: string; col_key: string }) => `${c.table_id}|${c.row_key}|${c.col_key}`;

describe('sample reports equal their gold cells', () => {
  for (const name of sampleNames()) {
    const base = name.replace(/\.(docx|html|txt)$/, '');
    it(name, async () => {
      const { value: x } = await extractDocument(readSample(name));
      const printed = x.cells.filter((c) => c.kind !== 'derived');
      const got = new Map(printed.map((c) => [key(c), c]));
      const gold = goldCells(base);
      expect(printed.length).toBe(gold.length);
      for (const g of gold) {
        const c = got.get(key(g));
        expect(c, key(g)).toBeDefined();
        expect({ k: key(g), value: c!.value, kind: c!.kind, raw: c!.raw.trim() }).toEqual({
          k: key(g),
          value: g.value,
          kind: g.kind,
          raw: g.raw.trim(),
        });
      }
      expect(x.status).toBe('ok');
      expect(x.tablesFound).toEqual(['T2', 'T3', 'T4']);
      expect({ agency: x.meta.agency, year: x.meta.year, template: x.template }).toEqual(SAMPLE_META[base]);
    });
  }

  it('the seed gives the same cells in all three formats, plus the derived other_services sum', async () => {
    const base = '2020_北京市朝阳区教育委员会';
    const sets = await Promise.all(
      ['txt', 'html', 'docx'].map(async (f) => (await extractDocument(readSample(`${base}.${f}`))).value.cells),
    );
    const canon = (cells: (typeof sets)[0]) => cells.map((c) => `${key(c)}=${c.value}/${c.kind}`).sort();
    expect(canon(sets[1])).toEqual(canon(sets[0]));
    expect(canon(sets[2])).toEqual(canon(sets[0]));
    const derived = sets[0].filter((c) => c.kind === 'derived');
    expect(derived.map((c) => `${c.row_key}.${c.col_key}=${c.value}`).sort()).toEqual([
      'other_services.change=1',
      'other_services.decisions=2985',
      'other_services.prev_items=4',
    ]);
  });
});
