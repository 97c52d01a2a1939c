/**
 * The traps real PDFs set the reader, each in a report drawn for it (fixtures/pdf-report.ts):
 * every number must come out under its key, on the right page, with the report's agency, year
 * and format version.
 */
import { describe, expect, it } from 'vitest';
import { extractDocument } from '../../extractors/index.js';
import { readDocument } from '../../extractors/extract-document.js';
import type { Grid } from '../../extractors/model.js';
import { filledRect, line, makePdf, strokedRect } from '../fixtures/make-pdf.js';
import { AGENCY, makeReportPdf, YEAR, type Traps } from '../fixtures/pdf-report.js';

const key = (c: { table_id: string; row_key: string; col_key: string }) => `${c.table_id}|${c.row_key}|${c.col_key}`;

async function expectReport(traps: Traps) {
  const { pdf, expected } = makeReportPdf(traps);
  const { value: x, messages } = await extractDocument(pdf);
  const got = new Map(x.cells.filter((c) => c.kind !== 'derived').map((c) => [key(c), c.value]));
  const wrong = [...expected]
    .filter(([k, v]) => got.get(k) !== v)
    .map(([k, v]) => `${k}: want ${v}, got ${got.get(k)}`);
  expect(wrong).toEqual([]);
  expect([...got.keys()].filter((k) => !expected.has(k))).toEqual([]);
  expect({
    format: x.format,
    agency: x.meta.agency,
    year: x.meta.year,
    period: x.meta.periodYear,
    template: x.template,
    status: x.status,
  }).toEqual({ format: 'pdf', agency: AGENCY, year: YEAR, period: YEAR, template: '2021', status: 'ok' });
  const model = (await readDocument(pdf)).value;
  const grids = model.blocks.flatMap((b) => (b.kind === 'table' ? [b.grid] : []));
  const paragraphs = model.blocks.flatMap((b) => (b.kind === 'paragraph' ? [b.text] : []));
  return { x, messages, grids, paragraphs };
}

const texts = (g: Grid) => g.rows.map((r) => r.map((c) => c.text));

describe('PDF traps', () => {
  it('a plain report: three ruled tables, the prose as paragraphs', async () => {
    const { grids, paragraphs } = await expectReport({});
    expect(grids).toHaveLength(3);
    expect(paragraphs).toContain('三、收到和处理政府信息公开申请情况');
  });

  it('T3 broken across pages, the header not repeated, group labels cut by the break, a page number between the halves', async () => {
    const { x, grids, paragraphs } = await expectReport({ breakT3AfterRow: 6 });
    // the two halves are one table again
    expect(grids).toHaveLength(3);
    const t3 = x.cells.filter((c) => c.table_id === 'T3');
    expect(new Set(t3.map((c) => c.page))).toEqual(new Set([2, 3]));
    expect(t3.find((c) => c.row_key === 'denied_process')!.page).toBe(3);
    // （三）不予公开 was cut in two by the break: one cell again
    const joined = grids[1].rows
      .flatMap((r) => r.map((c) => c.text))
      .filter((t) => t.replace(/\s/g, '') === '（三）不予公开');
    expect(joined.length).toBeGreaterThan(1);
    expect(paragraphs.some((p) => /^-\s*\d+\s*-$/.test(p))).toBe(false);
  });

  it('a continued table with no top border, labels wrapped over two or three lines with stray spaces', async () => {
    const { grids } = await expectReport({ breakT3AfterRow: 9, continuedWithoutTopBorder: true, wrapLabels: true });
    expect(grids).toHaveLength(3);
  });

  it('the vertical 三、本年度办理结果, one character a line, cut by a page break', async () => {
    const { grids } = await expectReport({ verticalResultLabel: true, breakT3AfterRow: 12 });
    const label = texts(grids[1])
      .flat()
      .find((t) => t.startsWith('三'));
    expect(label!.replace(/\s/g, '')).toBe('三、本年度办理结果');
  });

  it("T4's three header levels and T3's merged header and group cells", async () => {
    const { grids } = await expectReport({});
    const t4 = texts(grids[2]);
    expect(t4).toHaveLength(4);
    expect(t4[0].slice(0, 5).every((t) => t === '行政复议')).toBe(true);
    expect(t4[1].slice(5, 10).every((t) => t === '未经复议直接起诉')).toBe(true);
    const t3 = grids[1];
    expect(t3.rows[0].slice(3).every((c) => c.text === '申请人情况')).toBe(true);
    expect(t3.rows[1][4].copy).toBe('none');
    expect(t3.rows[1][5].copy).toBe('col');
  });

  it('white boxes behind the prose are no tables', async () => {
    const { grids, paragraphs } = await expectReport({ whiteBoxes: true });
    expect(grids).toHaveLength(3);
    expect(paragraphs.some((p) => p.includes('统计期限自2021年1月1日起'))).toBe(true);
  });

  it('labels misprinted: a character missing or wrong', async () => {
    const { messages } = await expectReport({ misprints: true });
    expect(messages.filter((m) => /misprinted/.test(m.message))).toHaveLength(3);
  });

  it('a 2021-format report printing （六）其他处理 as one row: keyed other, still 2021', async () => {
    const { x } = await expectReport({ otherAsOneRow: true });
    expect(x.cells.filter((c) => c.row_key === 'other' && c.table_id === 'T3')).toHaveLength(7);
  });

  it('a content stream drawing the numbers first and the labels bottom to top', async () => {
    await expectReport({ shuffled: true });
  });

  it('pages stored sideways and turned upright by /Rotate 90 read as they are shown', async () => {
    await expectReport({ rotated: true, breakT3AfterRow: 10 });
  });

  it('T3 without any ruling is read from the alignment of its text', async () => {
    await expectReport({ unruledT3: true, breakT3AfterRow: 14 });
  });

  it('underlined text in a cell is no ruling; a thin filled bar is one; a shaded box is none', async () => {
    const cell = (x: number, y: number) => [
      line(x, y, x + 100, y),
      line(x, y - 30, x + 100, y - 30),
      line(x, y, x, y - 30),
      line(x + 100, y, x + 100, y - 30),
    ];
    const pdf = makePdf([
      {
        graphics: [
          ...cell(50, 700),
          ...cell(150, 700),
          line(51, 681, 149, 681), // underline of the first cell's first line, nearly as wide as the cell
          filledRect(50, 599, 200, 1),
          filledRect(50, 569, 200, 1),
          filledRect(50, 569, 1, 31),
          filledRect(150, 569, 1, 31),
          filledRect(250, 569, 1, 31),
          filledRect(300, 500, 200, 100, [0.9, 0.9, 0.9]),
          strokedRect(0, 0, 0.5, 0.5),
        ],
        texts: [
          { x: 51, y: 683, text: '本年新收申请数' },
          { x: 51, y: 672, text: '量' },
          { x: 155, y: 680, text: '7' },
          { x: 55, y: 580, text: '上年结转' },
          { x: 155, y: 580, text: '2' },
          { x: 310, y: 550, text: '阴影框里的正文' },
        ],
      },
    ]);
    const model = (await readDocument(pdf)).value;
    const grids = model.blocks.flatMap((b) => (b.kind === 'table' ? [b.grid] : []));
    expect(grids.map(texts)).toEqual([[['本年新收申请数\n量', '7']], [['上年结转', '2']]]);
    expect(model.blocks.some((b) => b.kind === 'paragraph' && b.text === '阴影框里的正文')).toBe(true);
  });
});
