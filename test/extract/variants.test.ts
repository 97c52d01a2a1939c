/**
 * Layouts seen in real reports, made by editing real pages: the recogniser must still give
 * exactly the gold cells. Section headings missing, T3 split in two, extra blank rows and
 * columns, the 法人或其他组织 header row missing, T4's numbers on its header row, unrelated
 * tables around, label variants, full-width digits, tables wrapped in a layout table.
 */
import * as cheerio from 'cheerio';
import { describe, expect, it } from 'vitest';
import { extractDocument } from '../../extractors/index.js';
import { goldCells, readSample } from '../helpers.js';

type $ = cheerio.CheerioAPI;
const tableWith = ($: $, text: string) =>
  $('table')
    .filter((_, t) => $(t).text().includes(text))
    .first();

const VARIANTS: Record<string, ($: $) => void> = {
  'no section headings': ($) => {
    // Headings only: the table cells of these pages hold <p> elements too.
    $('p, div, span, strong')
      .filter((_, p) => $(p).parents('table').length === 0 && /^[二三四]、/.test($(p).text().trim()))
      .remove();
  },
  'T3 split in two tables': ($) => {
    const t3 = tableWith($, '申请人情况');
    const rows = t3.find('tr');
    const at = rows.toArray().findIndex((tr) => $(tr).text().includes('无法'));
    const second = $('<table border="1"></table>');
    rows.slice(at).appendTo(second);
    t3.after(second);
    t3.after('<p>（续表）</p>');
  },
  'extra blank rows and columns': ($) => {
    $('table tr').each((_, tr) => {
      $(tr).prepend('<td></td>');
      $(tr).append('<td> </td>');
    });
    $('table').each((_, t) => {
      $(t).find('tr').eq(1).after('<tr><td></td><td></td><td></td></tr>');
      $(t).append('<tr><td>&nbsp;</td></tr>');
    });
  },
  '法人或其他组织 header row missing': ($) => {
    const t3 = tableWith($, '申请人情况');
    const sub = t3
      .find('tr')
      .filter((_, tr) => $(tr).text().includes('商业企业'))
      .first();
    const labels = sub
      .find('td')
      .toArray()
      .map((td) => $(td).text())
      .filter((t) => t.trim());
    t3.find('td')
      .filter((_, td) => $(td).text().trim() === '法人或其他组织')
      .replaceWith(labels.map((l) => `<td>${l}</td>`).join(''));
    t3.find('td[rowspan]')
      .filter((_, td) => /自然人|总计/.test($(td).text()))
      .each((_, td) => {
        $(td).attr('rowspan', String(Number($(td).attr('rowspan')) - 1));
      });
    t3.find('td[rowspan]')
      .first()
      .attr('rowspan', String(Number(t3.find('td[rowspan]').first().attr('rowspan')) - 1));
    sub.remove();
  },
  "T4's numbers on its header row": ($) => {
    const t4 = tableWith($, '行政复议');
    const rows = t4.find('tr');
    const numbers = rows.last();
    rows.eq(rows.length - 2).append(numbers.children());
    numbers.remove();
  },
  'unrelated tables around': ($) => {
    $('body').prepend(
      '<table><tr><td>名称</td><td>2024年报</td><td>索引号</td><td>014314799/2024-00002</td></tr><tr><td>发布日期</td><td>2024-01-20</td><td>文号</td><td>12</td></tr></table>',
    );
    $('body').append(
      '<table><tr><td>序号</td><td>事项</td><td>数量</td></tr><tr><td>1</td><td>培训</td><td>3</td></tr><tr><td>2</td><td>会议</td><td>5</td></tr></table>',
    );
  },
  'label variants (合计, no quotes, 行政规范性文件, no 数量)': ($) => {
    $('td').each((_, td) => {
      const t = $(td).text();
      const v = t
        .replace(/^（七）总计$/, '（七）合计')
        .replace(/[“”]/g, '')
        .replace(/^规范性文件$/, '行政规范性文件')
        .replace(/^(一、本年新收政府信息公开申请)数量$/, '$1')
        .replace(/^(二、上年结转政府信息公开申请)数量$/, '$1');
      if (v !== t) $(td).text(v);
    });
  },
  'full-width digits and padded numbers': ($) => {
    $('td').each((_, td) => {
      const t = $(td).text().trim();
      if (/^\d+$/.test(t))
        $(td).text(' ' + t.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))) + '\u00a0');
    });
  },
  'tables inside a layout table': ($) => {
    const body = $('body').html() ?? '';
    $('body').html(`<table width="100%"><tr><td>导航</td></tr><tr><td>${body}</td></tr></table>`);
  },
};

const BASES = ['2020_北京市朝阳区教育委员会', '2021_平潭综合实验区', '2023_沭阳县发展和改革局'];

describe('layout variants of real pages give the gold cells', () => {
  const all = Object.keys(VARIANTS);
  const cases: [string, string[]][] = [
    ...all.map((v) => [v, [v]] as [string, string[]]),
    ['all at once', all.filter((v) => v !== 'tables inside a layout table')],
  ];
  for (const base of BASES) {
    for (const [name, edits] of cases) {
      it(`${base}: ${name}`, async () => {
        const $ = cheerio.load(readSample(`${base}.html`));
        for (const e of edits) VARIANTS[e]($);
        const { value: x } = await extractDocument(Buffer.from($.html()));
        const got = new Map(
          x.cells.filter((c) => c.kind !== 'derived').map((c) => [`${c.table_id}|${c.row_key}|${c.col_key}`, c]),
        );
        const gold = goldCells(base);
        const wrong = gold.filter((g) => {
          const c = got.get(`${g.table_id}|${g.row_key}|${g.col_key}`);
          return !c || c.value !== g.value || c.kind !== g.kind;
        });
        expect(wrong.map((g) => `${g.table_id}.${g.row_key}.${g.col_key}`)).toEqual([]);
        expect(got.size).toBe(gold.length);
        expect(x.status).toBe('ok');
      });
    }
  }
});

describe('a row shifted against its header (as mammoth makes of w:gridBefore)', () => {
  it('is read by its position in the row, not loaded as wrong numbers, and flagged', async () => {
    const base = '2020_北京市朝阳区教育委员会';
    const $ = cheerio.load(readSample(`${base}.html`));
    // The label cell loses its colspan: the row's values sit one column left of the header's.
    const label = $('td')
      .filter((_, td) => $(td).text().startsWith('（二）部分公开'))
      .first();
    expect(label.attr('colspan')).toBe('2');
    label.removeAttr('colspan');
    const { value: x, messages } = await extractDocument(Buffer.from($.html()));
    const gold = goldCells(base);
    const got = new Map(x.cells.map((c) => [`${c.table_id}|${c.row_key}|${c.col_key}`, c.value]));
    expect(gold.filter((g) => got.get(`${g.table_id}|${g.row_key}|${g.col_key}`) !== g.value)).toEqual([]);
    expect(messages.some((m) => /T3 row partial .* is shifted against its header/.test(m.message))).toBe(true);
  });
});
