import * as cheerio from 'cheerio';
import fs from 'fs';
const f = process.argv[2], ti = +process.argv[3];
const $ = cheerio.load(fs.readFileSync(f));
const t = $('table').eq(ti);
t.find('tr').each((i, tr) => {
  const cells = $(tr).children('td,th').map((j, td) => {
    const rs = $(td).attr('rowspan'), cs = $(td).attr('colspan');
    return JSON.stringify($(td).text().replace(/\s+/g,' ').trim().slice(0,18)) + (rs?`r${rs}`:'') + (cs?`c${cs}`:'');
  }).get();
  console.log(i, cells.join(' | '));
});
