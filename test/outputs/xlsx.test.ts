/**
 * The workbook writer (pipeline/outputs/exports/xlsx.ts), read back by exceljs's reader as a
 * user's spreadsheet program would open it: text that XML must escape or cannot hold, numbers,
 * links, empty cells, columns past Z, and a sheet long enough to be deflated in many pieces.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { columnName, XlsxWriter, type XlsxCell } from '../../pipeline/outputs/exports/xlsx.js';
import { FileSink } from '../../pipeline/outputs/files.js';
import { tempDir } from '../helpers.js';

describe('the xlsx writer', () => {
  it('names columns as a spreadsheet does', () => {
    expect([0, 25, 26, 27, 51, 52, 701, 702].map(columnName)).toEqual(['A', 'Z', 'AA', 'AB', 'AZ', 'BA', 'ZZ', 'AAA']);
  });

  it('writes sheets that read back cell for cell, with their header, widths, frozen row, filter and links', async () => {
    const path = join(tempDir('goa-xlsx-'), 'book.xlsx');
    const wide = Array.from({ length: 30 }, (_, i) => ({ header: `列${i + 1}`, width: 5 + i }));
    const tricky: XlsxCell[] = [
      'a & b < c > d "e" \'f\'',
      '控制\u0001字符\u001f被去掉',
      '  前后空格  ',
      '换行\n第二行',
      '=SUM(A1)',
      0,
      -1.5,
      1234567.125,
      null,
      { text: '打开', hyperlink: 'reports/r0123456789abcdef.html#F1a2b3c4d' },
    ];
    const long = Array.from({ length: 20_000 }, (_, i): XlsxCell[] => [
      `第${i}行：${'某区教育委员会'.repeat(i % 7)}`,
      i,
      { text: '打开', hyperlink: `reports/r${String(i).padStart(16, '0')}.html` },
    ]);
    const sink = new FileSink(path);
    const wb = new XlsxWriter(sink, { creator: 'test', title: '标题 & <测试>' });
    wb.addSheet({ name: '特殊', columns: wide }, [tricky, [...tricky].reverse()]);
    wb.addSheet(
      {
        name: '长表',
        columns: [
          { header: '文字', width: 40 },
          { header: '数', width: 8 },
          { header: '链接', width: 10 },
        ],
      },
      long,
    );
    wb.addSheet({ name: '空表', columns: [{ header: '无', width: 9 }] }, []);
    wb.close();
    sink.commit();

    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(path);
    expect(book.worksheets.map((w) => w.name)).toEqual(['特殊', '长表', '空表']);
    expect(book.creator).toBe('test');
    expect(book.title).toBe('标题 & <测试>');
    const special = book.getWorksheet('特殊')!;
    expect((special.getRow(1).values as unknown[]).slice(1)).toEqual(wide.map((c) => c.header));
    expect(special.getColumn(30).width).toBe(34);
    expect(special.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(special.autoFilter).toBeTruthy();
    expect(special.getRow(1).getCell(1).font).toMatchObject({ bold: true });
    expect(special.getRow(1).getCell(1).fill).toMatchObject({ type: 'pattern', fgColor: { argb: 'FFF3F4F6' } });
    const row = (special.getRow(2).values as unknown[]).slice(1);
    expect(row).toEqual([
      'a & b < c > d "e" \'f\'',
      '控制字符被去掉',
      '  前后空格  ',
      '换行\n第二行',
      '=SUM(A1)',
      0,
      -1.5,
      1234567.125,
      undefined,
      { text: '打开', hyperlink: 'reports/r0123456789abcdef.html#F1a2b3c4d' },
    ]);
    expect(special.getRow(2).getCell(10).font).toMatchObject({ underline: true });
    const longSheet = book.getWorksheet('长表')!;
    expect(longSheet.rowCount).toBe(20_001);
    for (const i of [0, 1, 6, 9_999, 19_999]) {
      expect((longSheet.getRow(i + 2).values as unknown[]).slice(1)).toEqual([
        long[i][0],
        i,
        { text: '打开', hyperlink: `reports/r${String(i).padStart(16, '0')}.html` },
      ]);
    }
    expect(book.getWorksheet('空表')!.rowCount).toBe(1);
  });

  it('leaves nothing behind a failure once the caller aborts its file', () => {
    const path = join(tempDir('goa-xlsx-'), 'book.xlsx');
    const sink = new FileSink(path);
    const wb = new XlsxWriter(sink, { creator: 'test', title: 't' });
    const rows = function* (): Generator<XlsxCell[]> {
      yield ['一'];
      throw new Error('the rows failed');
    };
    expect(() => wb.addSheet({ name: '表', columns: [{ header: '列', width: 5 }] }, rows())).toThrow('the rows failed');
    sink.abort();
    expect(readdirSync(dirname(path))).toEqual([]);
  });
});
