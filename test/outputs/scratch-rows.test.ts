/**
 * The exports read a table in its storage order and write it in the export's order through a
 * scratch file: the rows come out in their places, whole (however large), and the writers give the
 * same bytes as writing the table at once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ColumnPage, CsvWriter, JsonWriter, toCsv, toJson } from '../../pipeline/outputs/exports/exports.js';
import { ScratchRows } from '../../pipeline/outputs/exports/scratch-rows.js';
import { FileSink } from '../../pipeline/outputs/files.js';
import { tempDir } from '../helpers.js';

/** Places 0..n-1 in a fixed shuffled order, cut into pages of `size`. */
function shuffledPages(n: number, size: number): number[][] {
  const places = Array.from({ length: n }, (_, i) => i);
  let seed = 7;
  for (let i = n - 1; i > 0; i--) {
    seed = (seed * 48271) % 2147483647;
    const j = seed % (i + 1);
    [places[i], places[j]] = [places[j], places[i]];
  }
  return Array.from({ length: Math.ceil(n / size) }, (_, p) => places.slice(p * size, (p + 1) * size));
}

describe('rows put back in order through a scratch file', () => {
  it('come out in their places, whole, in pieces of whole rows; the scratch file is removed', () => {
    const dir = tempDir('goa-scratch-');
    const text = (place: number) =>
      place === 5 ? `大${'x'.repeat(3 << 20)}行` : place % 3 === 0 ? `第${place}行，中文\r\n` : `row ${place};`;
    const scratch = new ScratchRows(join(dir, 'out.csv'), 300);
    for (const page of shuffledPages(300, 7))
      scratch.add(
        page,
        page.map((p) => text(p)),
      );
    const pieces: Buffer[] = [];
    const counts: number[] = [];
    scratch.copyInOrder((bytes, rows) => {
      pieces.push(Buffer.from(bytes));
      counts.push(rows);
    });
    scratch.close();
    expect(Buffer.concat(pieces).toString('utf8')).toBe(Array.from({ length: 300 }, (_, p) => text(p)).join(''));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(300);
    expect(pieces.length).toBeGreaterThan(2);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('hand over many rows at once, with how many they are', () => {
    const dir = tempDir('goa-scratch-');
    const scratch = new ScratchRows(join(dir, 'out.json'), 4);
    scratch.add([2, 3], ['c', 'd']);
    scratch.add([0, 1], ['a', 'b']);
    const got: [string, number][] = [];
    scratch.copyInOrder((bytes, rows) => got.push([Buffer.from(bytes).toString(), rows]));
    scratch.close();
    expect(got).toEqual([['abcd', 4]]);
  });

  it('refuse to copy when a row was never given, and a row given twice', () => {
    const dir = tempDir('goa-scratch-');
    const scratch = new ScratchRows(join(dir, 'out.csv'), 3);
    scratch.add([0, 2], ['a', 'c']);
    expect(() => scratch.copyInOrder(() => {})).toThrow(/1 of 3 rows never given \(the first: 1\)/);
    expect(() => scratch.add([2], ['c'])).toThrow(/row 2 of 3 given twice/);
    scratch.close();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('through the CSV and JSON writers give the bytes of the table written at once', () => {
    const columns = ['text', 'n', 'flag'];
    const rows = Array.from({ length: 50 }, (_, i) => [
      i % 4 === 0 ? `=公式${i},"引号"` : `行 ${i}\n`,
      i % 5 === 0 ? null : i / 3,
      i % 2 === 0,
    ]);
    const table = { columns, rows: rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]]))) };
    const dir = tempDir('goa-scratch-');
    for (const [name, make, whole] of [
      ['t.csv', (s: FileSink) => new CsvWriter(s, columns), toCsv(table)],
      ['t.json', (s: FileSink) => new JsonWriter(s, columns), toJson(table)],
    ] as const) {
      const sink = new FileSink(join(dir, name));
      const writer = make(sink);
      const scratch = new ScratchRows(sink.path, rows.length);
      for (const page of shuffledPages(rows.length, 8)) {
        const columnPage: ColumnPage = columns.map((_, c) => page.map((p) => rows[p][c]));
        scratch.add(
          page,
          page.map((p, r) => writer.rowText(columnPage, r, p)),
        );
      }
      scratch.copyInOrder((bytes, n) => writer.bytes(bytes, n));
      scratch.close();
      writer.end();
      sink.commit();
      expect(readFileSync(join(dir, name), 'utf8')).toBe(whole);
    }
    expect(readdirSync(dir).sort()).toEqual(['t.csv', 't.json']);
  });
});
