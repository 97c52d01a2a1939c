/**
 * A 2021-format report whose T3 prints （六）其他处理 as one row, as the 2019 layout did (seen in
 * real reports, in every format): the row is keyed `other` and the report stays 2021, the
 * version its T2 headers name. Made by editing the real 2021 page.
 */
import * as cheerio from 'cheerio';
import { expect, it } from 'vitest';
import { extractDocument } from '../../extractors/index.js';
import { goldCells, readSample } from '../helpers.js';

const BASE = '2021_平潭综合实验区';
const ITEMS = ['other_no_correction', 'other_no_fee', 'other_misc'];

it('（六）其他处理 printed as one row in a 2021 report is keyed other; the report stays 2021', async () => {
  const $ = cheerio.load(readSample(`${BASE}.html`).toString('utf8'));
  const group = $('td')
    .filter((_, td) => $(td).text().replace(/\s/g, '') === '（六）其他处理')
    .first();
  const first = group.closest('tr');
  const rows = [first, first.next(), first.next().next()];
  // The three rows' numbers, summed into the first; its item label dropped; the others removed.
  const numbers = rows.map((tr) =>
    tr
      .find('td')
      .toArray()
      .slice(-7)
      .map((td) => Number($(td).text().replace(/\s/g, '') || 0)),
  );
  const sums = numbers[0].map((_, c) => numbers.reduce((s, r) => s + r[c], 0));
  first
    .find('td')
    .toArray()
    .slice(-7)
    .forEach((td, c) => {
      $(td).text(String(sums[c]));
    });
  group.next().remove();
  group.attr('rowspan', '1').attr('colspan', '2');
  rows[1].remove();
  rows[2].remove();

  const { value: x } = await extractDocument(Buffer.from($.html(), 'utf8'));
  const cols = ['natural_person', 'commercial', 'research', 'social_org', 'legal_service', 'other_org', 'total'];
  expect(x.cells.filter((c) => c.table_id === 'T3' && c.row_key === 'other').map((c) => [c.col_key, c.value])).toEqual(
    cols.map((c, i) => [c, sums[i]]),
  );
  expect(x.cells.filter((c) => ITEMS.includes(c.row_key))).toEqual([]);
  expect(x.template).toBe('2021');
  // Every other gold cell as before.
  const got = new Map(x.cells.map((c) => [`${c.table_id}|${c.row_key}|${c.col_key}`, c.value]));
  const rest = goldCells(BASE).filter((g) => !ITEMS.includes(g.row_key));
  expect(rest.filter((g) => got.get(`${g.table_id}|${g.row_key}|${g.col_key}`) !== g.value)).toEqual([]);
});
