/**
 * The fast DOCX reader builds exactly the model the mammoth reader builds: on the real sample
 * reports, on documents written by the `docx` package and on seeded random ones; what it
 * refuses still reads through readDocx (by mammoth).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readDocxMammoth } from '../extractors/docx/reference-mammoth.js';
import { readDocx, readDocxFast } from '../extractors/docx/reader.js';
import { extractDocument } from '../extractors/index.js';
import { READERS } from '../extractors/extract-document.js';
import { StageError, type DocumentModel, type Grid } from '../extractors/model.js';
import { T2_ROWS, templateCells, type TableId } from '../domain/template.js';
import * as make from './fixtures/make-docx.js';

const REPORTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'reports');
const sampleDocx = readdirSync(REPORTS)
  .filter((f) => f.endsWith('.docx'))
  .sort();

async function readBoth(bytes: Uint8Array): Promise<{ fast: DocumentModel; slow: DocumentModel }> {
  const fast = readDocxFast(bytes);
  expect(fast, 'the fast reader refused the document').not.toBeNull();
  return { fast: fast!.value, slow: (await readDocxMammoth(bytes)).value };
}

const grids = (model: DocumentModel): Grid[] => model.blocks.flatMap((b) => (b.kind === 'table' ? [b.grid] : []));
const paragraphs = (model: DocumentModel): string[] =>
  model.blocks.flatMap((b) => (b.kind === 'paragraph' ? [b.text] : []));
const texts = (grid: Grid): string[][] => grid.rows.map((r) => r.map((c) => c.text));

describe('fast reader = mammoth reader on the sample reports', () => {
  it('has sample DOCX files to read', () => expect(sampleDocx.length).toBeGreaterThan(0));
  for (const name of sampleDocx) {
    it(name, async () => {
      const { fast, slow } = await readBoth(readFileSync(join(REPORTS, name)));
      expect(fast).toStrictEqual(slow);
    });
  }
});

describe('fast reader = mammoth reader on generated documents', () => {
  it('merged cells: column spans, row spans, both at once', async () => {
    const { fast, slow } = await readBoth(await make.makeDocxWithMergedCells());
    expect(fast).toStrictEqual(slow);
    const [first, second] = grids(fast);
    expect(texts(first)).toEqual([
      ['项目', '数量', '数量'],
      ['项目', '甲', '乙'],
      ['合计', '1', '2'],
    ]);
    expect(first.rows[1][0]).toEqual({ text: '项目', originRow: 0, originCol: 0, copy: 'row' });
    expect(texts(second)).toEqual([
      ['A', 'B', 'C'],
      ['D', 'big', 'big'],
      ['E', 'big', 'big'],
      ['F', 'G', 'H'],
    ]);
    expect(second.rows[2][2]).toEqual({ text: 'big', originRow: 1, originCol: 1, copy: 'both' });
    expect(paragraphs(fast)).toEqual(['合并单元格', 'between', 'after']);
  });

  it('nested tables: numbered after their parent, deeper, their text not in the holding cell', async () => {
    const { fast, slow } = await readBoth(await make.makeDocxWithNestedTable());
    expect(fast).toStrictEqual(slow);
    const all = grids(fast);
    expect(all.map((g) => [g.index, g.depth])).toEqual([
      [0, 0],
      [1, 1],
      [2, 1],
      [3, 2],
      [4, 0],
    ]);
    expect(texts(all[0])).toEqual([
      ['outer-1', 'cell text before\ncell text after'],
      ['outer-3', 'outer-4'],
    ]);
    expect(texts(all[1])).toEqual([
      ['in-1', 'in-2'],
      ['in-1', 'in-3'],
    ]);
    expect(texts(all[3])).toEqual([['deep']]);
    expect(fast.blocks.map((b) => (b.kind === 'table' ? `T${b.grid.index}` : b.text))).toEqual([
      'before',
      'T0',
      'T1',
      'T2',
      'T3',
      'middle',
      'T4',
      'after',
    ]);
  });

  it('w:gridBefore: the row starts at its grid column (as padded mammoth has it); w:gridAfter leaves it short', async () => {
    const { fast, slow } = await readBoth(await make.makeDocxWithGridBefore());
    expect(fast).toStrictEqual(slow);
    const [grid] = grids(fast);
    expect(texts(grid)).toEqual([
      ['A', 'B', 'C'],
      ['', 'D', 'E'],
      ['', '', 'F'],
      ['G', 'H'],
    ]);
    expect(grid.rows[1][1]).toEqual({ text: 'D', originRow: 1, originCol: 1, copy: 'none' });
    expect(grid.rows[2][2]).toEqual({ text: 'F', originRow: 2, originCol: 2, copy: 'none' });
    expect(grid.rows[2][1]).toEqual({ text: '', originRow: 2, originCol: 0, copy: 'col' });
  });

  it('content controls around a run, a paragraph, a cell, a row and a table', async () => {
    const { fast, slow } = await readBoth(await make.makeDocxWithContentControls());
    expect(fast).toStrictEqual(slow);
    expect(paragraphs(fast)).toEqual(['run before RUN-SDT run after', 'BLOCK-SDT paragraph', 'after']);
    expect(grids(fast).map(texts)).toEqual([
      [
        ['a', 'CELL-SDT', 'c'],
        ['ROW-SDT', 'e', 'f'],
      ],
      [['TABLE-SDT']],
    ]);
  });

  it('tracked changes: insertions kept, deletions and deleted rows dropped, a deleted paragraph mark joins paragraphs', async () => {
    const { fast, slow } = await readBoth(await make.makeDocxWithRevisions());
    expect(fast).toStrictEqual(slow);
    expect(paragraphs(fast)).toEqual(['kept inserted', 'DELMARK joinedto this one', 'after']);
    expect(grids(fast).map(texts)).toEqual([
      [
        ['r1', '1'],
        ['r3', '3'],
      ],
    ]);
  });

  it('inline content: tabs, breaks, hyphens, links, comments, fields, text boxes, lists, images, alternate content', async () => {
    const { fast, slow } = await readBoth(await make.makeDocxWithInlineVariety());
    expect(fast).toStrictEqual(slow);
    const lines = paragraphs(fast);
    expect(lines).toEqual(
      expect.arrayContaining([
        'tab bedline',
        'two',
        'pagebreakcolumn',
        'soft\u00adhyphen\u2011no-break',
        'box holder tail',
        'in the box',
        'spaced out text',
        'entities & < > " \' done',
        'ALTCONTENTFALLEN BACK',
        'SEP',
        'ARA',
        'TOR',
      ]),
    );
    expect(lines.indexOf('in the box')).toBe(lines.indexOf('box holder tail') + 1); // mammoth puts the box after its paragraph
    expect(lines.join('\n')).not.toMatch(/2024-01-01|CHOSEN/);
    expect(texts(grids(fast)[0])).toEqual([['cell box\nboxed in cell', 'cell link\na\nb']]);
  });

  it('a whole report in the national layout', async () => {
    const { fast, slow } = await readBoth(await make.makeReportDocx({ 'T3|granted|total': 5 }));
    expect(fast).toStrictEqual(slow);
  });
});

describe('skipped elements cut out whole (docx/xml-tokenizer.ts)', () => {
  // A comment before the root element, as the benchmark's generator stamps its documents, leaves skipped
  // content to be cut out by its end tag; an element holding one of its own name is read tag by tag.
  const stamp = (xml: string) => xml.replace(/^(<\?xml[^>]*\?>)/, '$1<!-- stamp 7 -->');
  const variants: [string, (xml: string) => string][] = [
    ['a comment before the root element', stamp],
    ['run properties holding run properties', (x) => stamp(x.replace('<w:rPr>', '<w:rPr><w:rPr><w:b/></w:rPr>'))],
    ['an end tag with white space', (x) => stamp(x.replace('</w:rPr>', '</w:rPr >'))],
    [
      'a comment inside the body (then skipped content is read tag by tag)',
      (x) => stamp(x.replace('<w:body>', '<w:body><!-- a <w:p> -->')),
    ],
    ['properties whose name starts another', (x) => stamp(x.replace('<w:rPr>', '<w:rPr><w:rPrChange w:id="9"/>'))],
  ];
  const documents: [string, () => Promise<Uint8Array>][] = [
    ...sampleDocx.map((name): [string, () => Promise<Uint8Array>] => [
      name,
      async () => readFileSync(join(REPORTS, name)),
    ]),
    ['revisions (deleted paragraphs and rows)', make.makeDocxWithRevisions],
    ['merged cells', make.makeDocxWithMergedCells],
  ];
  for (const [what, patch] of variants) {
    it(`${what}: the same model as mammoth's`, async () => {
      for (const [name, build] of documents) {
        const bytes = make.patchDocumentXml(await build(), patch);
        const { fast, slow } = await readBoth(bytes);
        expect(fast, name).toStrictEqual(slow);
      }
    });
  }
});

describe('fast reader = mammoth reader on random documents', () => {
  it('agrees on 150 seeded random documents, refusing few', async () => {
    let refused = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const bytes = await make.makeRandomDocx(seed);
      const fast = readDocxFast(bytes);
      if (!fast) {
        refused++;
        continue;
      }
      expect(fast.value, `seed ${seed}`).toStrictEqual((await readDocxMammoth(bytes)).value);
    }
    expect(refused).toBeLessThan(15);
  });
});

describe('makeReportDocx', () => {
  // Every template cell of the 2021 layout gets its own number; a few are left blank.
  const cells: Record<string, string> = {};
  let n = 0;
  for (const table of ['T2', 'T3', 'T4'] as TableId[]) {
    for (const { row, col } of templateCells(table, '2021')) cells[`${table}|${row}|${col}`] = String(++n * 3);
  }
  delete cells['T3|granted|research'];
  delete cells['T4|review|other'];
  cells['T2|fees|amount'] = '12.5';

  for (const [reader, readers] of [
    ['mammoth', { ...READERS, docx: readDocxMammoth }],
    ['fast', { ...READERS, docx: readDocx }],
  ] as const) {
    it(`gives back exactly the cells it was given (read by ${reader})`, async () => {
      const { value: x } = await extractDocument(
        await make.makeReportDocx(cells, { agency: '测试县测试局', year: 2022 }),
        readers,
      );
      expect(x.status).toBe('ok');
      expect(x.template).toBe('2021');
      expect({ agency: x.meta.agency, year: x.meta.year }).toEqual({ agency: '测试县测试局', year: 2022 });
      const printed = x.cells.filter((c) => c.kind !== 'derived');
      const got = Object.fromEntries(
        printed.filter((c) => c.kind !== 'blank').map((c) => [`${c.table_id}|${c.row_key}|${c.col_key}`, c.raw]),
      );
      expect(got).toEqual(cells);
      const blank = printed.filter((c) => c.kind === 'blank').map((c) => `${c.table_id}|${c.row_key}|${c.col_key}`);
      expect(blank.sort()).toEqual(['T3|granted|research', 'T4|review|other']);
      const fees = printed.find((c) => c.table_id === 'T2' && c.row_key === 'fees');
      expect(fees?.value).toBe(12.5);
      expect(printed.filter((c) => c.table_id === 'T2').length).toBe(
        T2_ROWS['2021'].flatMap((r) => r.cols ?? []).length,
      );
    });
  }
});

describe('fallback to mammoth', () => {
  const refused: [string, () => Promise<Uint8Array>, RegExp][] = [
    ['a footnote', make.makeDocxWithFootnote, /footnotes/],
    ['a check box', make.makeDocxWithCheckBox, /check box/],
    ['a bookmark between cells', make.makeDocxWithBookmarkInRow, /cell merging may be incorrect/],
    [
      'an imported document (w:altChunk)',
      async () =>
        make.patchDocumentXml(await make.makeDocxWithMergedCells(), (x) =>
          x.replace('<w:body>', '<w:body><w:altChunk r:id="rIdChunk"/>'),
        ),
      /altChunk/,
    ],
    [
      'a DTD',
      async () =>
        make.patchDocumentXml(await make.makeDocxWithMergedCells(), (x) =>
          x.replace('<w:document', '<!DOCTYPE w:document []><w:document'),
        ),
      /document type/,
    ],
  ];
  for (const [what, build, why] of refused) {
    it(`a document with ${what} is refused by the fast reader and read by mammoth`, async () => {
      const bytes = await build();
      expect(readDocxFast(bytes)).toBeNull();
      const read = await readDocx(bytes);
      expect(read.value).toStrictEqual((await readDocxMammoth(bytes)).value);
      const note = read.messages.find((m) => m.type === 'info' && m.stage === 'read');
      expect(note?.message).toMatch(/^fell back to mammoth: /);
      expect(note?.message).toMatch(why);
    });
  }

  it('mammoth flags the bookmark-in-row table as suspect; readDocx keeps that', async () => {
    const read = await readDocx(await make.makeDocxWithBookmarkInRow());
    expect(grids(read.value)[0].layoutSuspect).toMatch(/cell merging may be incorrect/);
  });

  it('readDocx reads an ordinary document fast, with no message', async () => {
    const read = await readDocx(await make.makeDocxWithMergedCells());
    expect(read.messages).toEqual([]);
  });

  it('a file that is not a zip: the fast reader hands it over, mammoth raises the read error', async () => {
    for (const bytes of [
      strToU8('PK\u0003\u0004 not really a zip'),
      zipSync({ 'word/document.xml': strToU8('<w:document/>') }).slice(0, 40),
    ]) {
      expect(readDocxFast(bytes)).toBeNull();
      await expect(readDocx(bytes)).rejects.toThrow(StageError);
      await expect(readDocx(bytes)).rejects.toThrow(/^read: not a readable DOCX/);
    }
  });

  it('a zip without a readable word/document.xml is handed over too', async () => {
    expect(readDocxFast(zipSync({ 'word/other.xml': strToU8('<x/>') }))).toBeNull();
    expect(readDocxFast(zipSync({ 'word/document.xml': strToU8('<w:document><w:body><w:p>') }))).toBeNull();
    await expect(readDocx(zipSync({ 'word/other.xml': strToU8('<x/>') }))).rejects.toThrow(StageError);
  });
});

describe('speed', () => {
  it('prints documents/s, fast vs mammoth, over the sample DOCX files', async () => {
    const files = sampleDocx.map((f) => readFileSync(join(REPORTS, f)));
    const rate = async (read: (b: Uint8Array) => unknown, rounds: number): Promise<number> => {
      const start = performance.now();
      for (let r = 0; r < rounds; r++) for (const b of files) await read(b);
      return (rounds * files.length) / ((performance.now() - start) / 1000);
    };
    await rate(readDocxFast, 3); // warm up
    const fast = await rate(readDocxFast, 30);
    const slow = await rate(readDocxMammoth, 2);
    console.log(
      `DOCX reading over ${files.length} sample reports: fast ${fast.toFixed(0)} docs/s, mammoth ${slow.toFixed(1)} docs/s (×${(fast / slow).toFixed(0)})`,
    );
    expect(fast).toBeGreaterThan(0);
  });
});
