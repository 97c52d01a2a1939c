/**
 * The real PDFs — the corpus's reports printed by an office suite (.pdf) and by a browser
 * (.print.pdf), and the seed — give exactly their hand-checked cells (the same gold as the
 * other formats), with the right agency, year, format version and format `pdf`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractDocument } from '../../extractors/index.js';
import { goldCells, SAMPLE_META, ROOT } from '../helpers.js';

const PDFS = join(ROOT, 'test', 'fixtures', 'pdf');
/**
 * 2023_沭阳县发展和改革局.pdf: the office suite printed T3 and T4 wider than the page and cut them
 * at its edge; T3's 其他 and 总计 columns and T4's last three numbers are not in the file at all.
 */
const CLIPPED = '2023_沭阳县发展和改革局.pdf';

const key = (c: { table_id: string; row_key: string; col_key: string }) => `${c.table_id}|${c.row_key}|${c.col_key}`;

describe('corpus and seed PDFs equal their gold cells', () => {
  for (const name of readdirSync(PDFS)
    .filter((f) => f.endsWith('.pdf'))
    .sort()) {
    const base = name.replace(/(\.print)?\.pdf$/, '');
    it(name, async () => {
      const { value: x, messages } = await extractDocument(readFileSync(join(PDFS, name)));
      const got = new Map(x.cells.filter((c) => c.kind !== 'derived').map((c) => [key(c), c]));
      const gold = goldCells(base);
      const missing: string[] = [];
      for (const g of gold) {
        const c = got.get(key(g));
        if (!c) {
          missing.push(key(g));
          continue;
        }
        expect({ k: key(g), value: c.value, kind: c.kind, raw: c.raw.trim() }).toEqual({
          k: key(g),
          value: g.value,
          kind: g.kind,
          raw: g.raw.trim(),
        });
        expect(c.page, key(g)).toBeGreaterThan(0);
        got.delete(key(g));
      }
      expect([...got.keys()]).toEqual([]);
      expect(x.format).toBe('pdf');
      expect({ agency: x.meta.agency, year: x.meta.year, template: x.template }).toEqual(SAMPLE_META[base]);
      if (name === CLIPPED) {
        // What is printed loads (checked above); exactly the cut columns are missing, and the report says so.
        expect(missing.filter((k) => !/^T3\|.*\|(other_org|total)$/.test(k) && !k.startsWith('T4|'))).toEqual([]);
        expect(missing.length).toBe(25 * 2 + 15);
        expect(x.status).toBe('partial');
        expect(x.error).toBe('recognise: T4 not found');
        expect(messages.filter((m) => /runs past the edge of the page/.test(m.message)).length).toBeGreaterThan(0);
      } else {
        expect(missing).toEqual([]);
        expect(messages.filter((m) => /runs past the edge of the page/.test(m.message))).toEqual([]);
        expect(x.status).toBe('ok');
        expect(x.tablesFound).toEqual(['T2', 'T3', 'T4']);
      }
    });
  }
});
