/**
 * The mutation helpers (test/fixtures/mutate.ts) change exactly the cell they are pointed at:
 * the real extractor reads the new text at that cell and every other cell as before.
 */
import { describe, expect, it } from 'vitest';
import { extractDocument } from '../../extractors/index.js';
import type { ExtractedCell } from '../../extractors/recognise/tables.js';
import { mutateDocxCells, mutateHtmlCells, mutateTxtCells, type CellEdit } from '../fixtures/mutate.js';
import { readSample, sampleNames } from '../helpers.js';

const key = (c: ExtractedCell) => `${c.table_id}|${c.row_key}|${c.col_key}`;

async function cellsOf(bytes: Uint8Array): Promise<Map<string, ExtractedCell>> {
  const x = await extractDocument(bytes);
  return new Map(x.value.cells.map((c) => [key(c), c]));
}

function mutate(name: string, bytes: Buffer, edits: CellEdit[]): Uint8Array {
  if (name.endsWith('.docx')) return mutateDocxCells(bytes, edits);
  if (name.endsWith('.html')) return Buffer.from(mutateHtmlCells(bytes.toString('utf8'), edits), 'utf8');
  return Buffer.from(mutateTxtCells(bytes.toString('utf8'), edits), 'utf8');
}

describe('mutate*Cells', () => {
  for (const name of sampleNames()) {
    it(`changes exactly the chosen cells of ${name}`, async () => {
      const bytes = readSample(name);
      const before = await cellsOf(bytes);
      // A spread of printed cells of every table: first, last and a few in between.
      const printed = [...before.values()].filter((c) => c.kind !== 'derived');
      const picks = [
        ...new Set(
          [0, 7, 31, 60, 100, 150, printed.length - 16, printed.length - 1].map((i) =>
            Math.min(Math.max(i, 0), printed.length - 1),
          ),
        ),
      ].map((i) => printed[i]);
      const edits = picks.map((c, i) => ({
        gridTable: c.grid_table!,
        gridRow: c.grid_row!,
        gridCol: c.grid_col!,
        newText: String(900 + i),
      }));
      const after = await cellsOf(mutate(name, bytes, edits));
      expect(after.size).toBe(before.size);
      const changed = new Map(picks.map((c, i) => [key(c), 900 + i]));
      for (const [k, b] of before) {
        const a = after.get(k);
        expect(a, k).toBeDefined();
        if (changed.has(k)) {
          expect(a!.value, k).toBe(changed.get(k));
          expect(a!.kind, k).toBe('number');
        } else if (b.kind !== 'derived') {
          expect({ k, value: a!.value, raw: a!.raw }).toEqual({ k, value: b.value, raw: b.raw });
        }
      }
    });
  }

  it('writes into a blank cell (HTML, DOCX, TXT)', async () => {
    for (const ext of ['html', 'docx', 'txt']) {
      const name = `2023_沭阳县发展和改革局.${ext}`;
      const bytes = readSample(name);
      const before = await cellsOf(bytes);
      const blank = [...before.values()].find((c) => c.kind === 'blank' && c.table_id === 'T3')!;
      const after = await cellsOf(
        mutate(name, bytes, [
          { gridTable: blank.grid_table!, gridRow: blank.grid_row!, gridCol: blank.grid_col!, newText: '3' },
        ]),
      );
      expect(after.get(key(blank))).toMatchObject({ value: 3, kind: 'number' });
    }
  });
});
