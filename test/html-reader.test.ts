/**
 * The streaming HTML reader builds exactly the model the cheerio reader builds: on the real
 * sample pages, on layout variants of them, on GBK copies, on broken markup and on seeded
 * random pages full of implied end tags, stray tags, spans and nesting.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as cheerio from 'cheerio';
import { Parser } from 'htmlparser2';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeText } from '../extractors/input/decode.js';
import { readHtml, readHtmlText } from '../extractors/html/reference-cheerio.js';
import { readHtmlFast, readHtmlTextFast } from '../extractors/html/reader.js';
import { pruneMarkup } from '../extractors/html/prune.js';
import { READERS } from '../extractors/extract-document.js';

const REPORTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'data', 'reports');
const samples = readdirSync(REPORTS)
  .filter((f) => f.endsWith('.html'))
  .sort();
const sample = (name: string) => readFileSync(join(REPORTS, name), 'utf8');

function expectSame(page: string | Uint8Array, label?: string): void {
  const bytes = typeof page === 'string' ? Buffer.from(page) : page;
  expect(readHtmlFast(bytes), label).toStrictEqual(readHtml(bytes));
}

describe('fast reader = cheerio reader on the sample pages', () => {
  it('has sample pages, and is the HTML reader', () => {
    expect(samples.length).toBeGreaterThan(0);
    expect(READERS.html).toBe(readHtmlFast);
  });
  for (const name of samples) {
    it(name, () => expectSame(readFileSync(join(REPORTS, name))));
    it(`${name} in GBK, declared and undeclared`, () => {
      const page = sample(name).replace(/<meta[^>]*charset[^>]*>/gi, '');
      expectSame(iconv.encode(page.replace(/<head[^>]*>/i, '$&<meta charset="gbk">'), 'gbk'), 'declared');
      expectSame(iconv.encode(page, 'gbk'), 'undeclared');
    });
  }
  it(`${samples[0]} with a UTF-8 byte-order mark, and with bytes after one that are not UTF-8`, () => {
    const page = readFileSync(join(REPORTS, samples[0]));
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expectSame(Buffer.concat([bom, page]), 'BOM');
    // A lone lead byte before a comment and its continuation after it: cut as bytes, the two would join.
    expectSame(
      Buffer.concat([
        bom,
        Buffer.from('<p>a'),
        Buffer.from([0xe4]),
        Buffer.from('<!-- x -->'),
        Buffer.from([0xb8, 0xad]),
        Buffer.from('b</p>'),
      ]),
      'broken',
    );
  });
  it('keeps the format it is given', () => {
    const html = sample(samples[0]);
    expect(readHtmlTextFast(html, 'docx')).toStrictEqual(readHtmlText(html, 'docx'));
  });
});

type $ = cheerio.CheerioAPI;
// Layouts seen in real reports (as in test/extract/variants.test.ts), applied to every table.
const VARIANTS: Record<string, ($: $) => void> = {
  'tables split in two': ($) => {
    $('table').each((_, t) => {
      const rows = $(t).find('tr');
      const second = $('<table border="1"></table>');
      rows.slice(Math.floor(rows.length / 2)).appendTo(second);
      $(t).after(second).after('<p>（续表）</p>');
    });
  },
  'extra blank rows and cells': ($) => {
    $('table tr').each((_, tr) => {
      $(tr).prepend('<td></td>').append('<td> </td>');
    });
    $('table').each((_, t) => {
      $(t).find('tr').eq(1).after('<tr><td></td><td></td><td></td></tr>');
      $(t).append('<tr><td>&nbsp;</td></tr>');
    });
  },
  'nested layout table': ($) => {
    $('body').html(`<table width="100%"><tr><td>导航</td></tr><tr><td>${$('body').html() ?? ''}</td></tr></table>`);
  },
  'label variants and full-width digits': ($) => {
    $('td').each((_, td) => {
      const t = $(td).text();
      const v = t
        .replace(/总计/, '合计')
        .replace(/[“”]/g, '')
        .replace(
          /^\s*(\d+)\s*$/,
          (_m, d: string) => ` ${d.replace(/\d/g, (c) => String.fromCharCode(0xff10 + Number(c)))}\u00a0`,
        );
      if (v !== t) $(td).text(v);
    });
  },
  'unrelated tables and headings removed': ($) => {
    $('p, div, span, strong')
      .filter((_, p) => $(p).parents('table').length === 0 && /^[二三四]、/.test($(p).text().trim()))
      .remove();
    $('body').prepend('<table><tr><td>名称</td><td>2024年报</td></tr><tr><td>发布日期<td>2024-01-20</table>');
  },
};
// Made on the serialised page: what cheerio's DOM could not hold.
const TEXT_VARIANTS: Record<string, (html: string) => string> = {
  'no </td> </tr> </th>': (html) => html.replace(/<\/t[dhr]>/gi, ''),
  'upper-case tags, unquoted attributes': (html) =>
    html
      .replace(/<(\/?)(td|tr|table|p|div|span|body|tbody)\b/g, (_m, s: string, t: string) => `<${s}${t.toUpperCase()}`)
      .replace(/(rowspan|colspan)="(\d+)"/g, (_m, a: string, v: string) => `${a.toUpperCase()}=${v}`),
  'cut off mid-table': (html) => html.slice(0, html.indexOf('<td', Math.floor(html.length / 2)) + 10),
  '<br> and <p> in every cell': (html) =>
    html.replace(/<td([^>]*)>/g, '<td$1><p>·<br>').replace(/<\/td>/g, '<br/></p></td>'),
};

describe('fast reader = cheerio reader on layout variants of the sample pages', () => {
  for (const name of samples) {
    for (const [variant, edit] of Object.entries(VARIANTS)) {
      it(`${name}: ${variant}`, () => {
        const $ = cheerio.load(sample(name));
        edit($);
        expectSame($.html());
      });
    }
    for (const [variant, edit] of Object.entries(TEXT_VARIANTS)) {
      it(`${name}: ${variant}`, () => expectSame(edit(sample(name))));
    }
  }
});

const BROKEN: Record<string, string> = {
  'unclosed td, tr, table': '<body><p>前言<table><tr><td>a<td>b<tr><td>c<td>d</table><p>后记',
  'no </table> at all': '<table><tr><td>a</td></tr><p>after</p><table><tr><td>b',
  'stray </td> and </tr>': '<body></td>text</tr><table><tr></td><td>a</td></td><td>b</tr></tr></table></td>tail',
  'table cut off mid-row': '<html><body><table><tr><td rowspan=2>a</td><td>b</td></tr><tr><td>c',
  'table cut off inside a start tag': '<html><body><table><tr><td>a</td><td class="x',
  'table cut off inside an attribute value': '<table><tr><td>a<span title="b',
  'cut off inside a tag name': '<table><tr><td>a</td><td',
  '<p> inside <td>, block tags in cells':
    '<table><tr><td><p>一</p><p>二</p></td><td><div>三<div>四</div></div>五</td></tr></table>',
  'a tr inside a cell (a line break in its text)':
    '<table><tr><td>a<span><tr>b</tr>c</span><div><tr><td>d</td></tr></div></td></tr></table>',
  '<br> inside cells': '<table><tr><td>a<br>b<br/>c</br>d</td><td><br></td></tr></table>',
  'comments and CDATA':
    '<body>a<!-- <table><tr><td>x</td></tr></table> -->b<![CDATA[<td>c</td>]]>d<table><tr><td>e<!--f-->g</td></tr></table>',
  '<script> and <style> holding table text':
    '<body><script>var s = "<table><tr><td>x</td></tr></table>";</script><style>td{}</style><table><tr><td>y<script>"<td>"</script></td></tr></table>',
  entities:
    '<title>报告&nbsp;&amp;&lt;title&gt;</title><p>&lt;script&gt;alert(1)&lt;/script&gt;&nbsp;&#x4e2d;&#20013;&copy &bogus; a&nbspb</p><table><tr><td>&nbsp;</td><td>&#12288;5&#12288;</td></tr></table>',
  'upper-case tags and attributes':
    '<HTML><HEAD><TITLE>T</TITLE></HEAD><BODY><P>x<TABLE><TR><TD ROWSPAN=2>a<TD>b<TR><TD>c</TABLE></BODY></HTML>',
  'attributes without quotes, duplicated':
    '<table><tr><td colspan=2 colspan=3>a</td><td rowspan=2 class=x>b</td></tr><tr><td>c<td>d<td>e</tr></table>',
  'junk spans':
    '<table><tr><td rowspan="2px">a<td colspan="0">b<td colspan=-1>c<td rowspan=x>d<td colspan=" 3">e<td rowspan=1.5>f<td colspan=99999>g</tr><tr><td rowspan=9>h</table>',
  'nested tables everywhere':
    '<table><caption><table><tr><td>cap</td></tr></table></caption><table><tr><td>direct</td></tr></table><tr><td>a<table><tr><td>n1<table><tr><td>n2</td></tr></table></td></tr></table>b</td><div><table><tr><td>in row</td></tr></table></div></tr><tbody><tr><td><object><table><tr><td>in object</td></tr></table></object></td></tr></tbody></table>',
  'rows in sections, sections in sections':
    '<table><thead><tr><th>h</th></tr></thead><tbody><tbody><tr><td>b</td></tr></tbody><tfoot><tr><td>f</td></tr></tfoot><td>loose</td></table>',
  'a tr and td outside any table': '<body><tr><td>a</td></tr><td>b</td>c<th>d</th></body>',
  'title deep, twice, in a cell':
    '<div><div><div><div><title>too deep</title></div></div></div></div><table><tr><td><title>in cell</title></td></tr></table><title>second</title>',
  'no body, head with content':
    '<head><title>t</title><p>in head</p></head><p>after head</p><table><tr><td>a</td></tr></table>',
  'body inside head':
    '<html><head><title>t</title><meta charset="utf-8"><div><body><p>deep body</p></body></div></head></html>',
  'body inside a table': '<table><body><p>x</p><tr><td>y</td></tr></body></table>outside',
  'two bodies': '<html><body><p>one</p></body><body><p>two</p></body></html>',
  'text after </body> and </html>':
    '<html><body><p>in</p></body>after body</html>after html<table><tr><td>z</td></tr></table>',
  'implicit </p>, stray </p>': '<p>a<div>b</div>c</p></p>d<p>e<table><tr><td>f</p>g</td></tr></table>h',
  'lists and headings': '<ul><li>one<li>two<ol><li>three</ol></ul><h1>head<h2>sub</h1>x<dl><dt>t<dd>d</dl>',
  'select, textarea, button, template':
    '<form><select><option>o1<option>o2</select><textarea><table><tr><td>x</textarea><button>b</button><template><p>t</p></template>after</form>',
  'svg and math with self-closing tags':
    '<body><svg><title>s</title><table/><p/></svg><math><td/><mi>x</mi></math><table><tr><td><svg><rect/></svg>c<math><tr/></math></td></tr></table>',
  'whitespace of every kind':
    '<p>\u3000\u3000a\u00a0 b\r\nc\rd\u200b\ufeff e\t</p><table><tr><td>\r\n \u3000 </td><td> 1\u2028 2 </td></tr></table>',
  'doctype, xml declaration, processing instruction':
    '<?xml version="1.0"?><!DOCTYPE html><html><body><?php echo 1 ?><p>x</p></body></html>',
  'empty page': '',
  'text only': 'just text\nand more',
  'only a comment': '<!-- nothing -->',
  // What the pruner (extractors/html/prune.ts) must read exactly as htmlparser2's tokenizer does.
  'attributes holding > and quotes': `<table><tr><td style="a>b" colspan=2 title='x"y'>a</td><td data-x=a"b rowspan=2>b</td><td a=b/ colspan=3>c</td></tr><tr><td colspan = "2" >d</td></tr></table>`,
  'attribute names with quotes and slashes': `<table><tr><td don't colspan=2 x"y=1>a</td><td / colspan=2 / rowspan=2>b</td><td colspan=2/>c</td></tr></table>`,
  'self-closing and unquoted values ending in a slash':
    '<p><br class=x/>a<br />b<br/ >c</p><svg><td colspan=2 /><p/></svg><table><tr><td colspan=2/>d</td></tr></table>',
  'short, long and dashed comments':
    '<!--><td>a<!---><td>b<!-- x -- y --><p>c<!-----><table><tr><td>e<!-- <td colspan=3> -->f</td></tr></table>',
  'an attribute quote never closed': '<table><tr><td title="unclosed>a</td><td>b</td></tr></table><p class="x">after',
  'script, style and title with attributes and odd end tags': `<script type="text/x" src='a>b'>var t = "<td colspan=9>";</script ><p>x</p><STYLE media="x">td{}</STYLE x><p>y<title lang=x>t<b class=y>i</b>tle</title><table><tr><td><script>"</td>"</scripts></script>z</td></tr></table>`,
  'conditional comments, declarations and CDATA':
    '<![if !supportLists]><td colspan=2>a<![endif]><!DOCTYPE x><![CDATA[ <td> ]]]>z<![CDATA[unclosed <td>',
  'entities in span attributes':
    '<table><tr><td colspan="&#50;" rowspan=&quot;2>a</td><td colspan=&#x33;>b</td></tr></table>',
  'a page cut off inside a comment, a script and a declaration': '<p>a<!-- <td>',
  'cut off inside a script': '<p>a<script type=x>var s = "<td colspan=2>',
  'cut off inside a declaration': '<table><tr><td>a<!DOCTYPE',
  'less-than signs that start no tag': '<p>1 < 2, a<b, <3, <<td>x</td>, < td colspan=2>y, </ td>z, </>w, <?php ?>v</p>',
  // Inline elements holding only text, which the pruner takes out (and the ones it must leave).
  'Word cells: spans, o:p, smart tags': `<table><tr><td><p class=MsoNormal><span lang=EN-US style='font-size:10pt'>12<o:p></o:p></span></p></td><td><st1:chsdate Year="2020" w:st="on">2020年</st1:chsdate><b><span>合<i>计</i></span></b></td></tr></table>`,
  'inline elements left open or closed late':
    '<table><tr><td><span>1</td><td>2</span></td><td><b>3<td>4</b></tr><tr><td><font>5</p>6</font><span>7</span x><SPAN>8</span ><em>9</EM></td></tr></table>',
  'inline elements around blocks, breaks and tables':
    '<p><span>a<br>b</span><span>c<p>d</span>e</p><span><table><tr><td>f</td></tr></table></span><a href=x>g<!-- c -->h<?x?>i</a><span>j < k</span><span>l</>m</span>',
  'inline elements self-closing, in svg, in raw text':
    '<body><span/>a</span><svg><span/>b</svg><title><span>t</span></title><textarea><b>x</b></textarea><script>"<span>s</span>"</script><span>c',
  'inline elements directly in tables and rows':
    '<table><span>lost</span><tr><b>lost too</b><td>kept<span></span></td><o:p></o:p></tr></table>',
};

describe('fast reader = cheerio reader on broken markup', () => {
  for (const [name, page] of Object.entries(BROKEN)) it(name, () => expectSame(page));
});

/** mulberry32: a small seeded generator, so a failing page can be made again. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomPage(seed: number): string {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const chance = (p: number) => r() < p;
  const TEXT = [
    '一、总体情况',
    '5',
    ' 12 ',
    '&nbsp;',
    '&lt;script&gt;',
    '\u3000合计\u3000',
    'a\r\nb',
    '\n',
    '  ',
    '&amp;',
    '&#x4e2d;',
    '\u200b',
    '（二）',
    '&copy',
    'x',
  ];
  const INLINE = ['span', 'b', 'font', 'a', 'em', 'SPAN', 'Strong', 'o:p', 'st1:chsdate'];
  const BLOCK = ['p', 'div', 'P', 'Div', 'h2', 'li', 'ul', 'center', 'section', 'pre', 'caption', 'dd'];
  const SKIP = [
    'script',
    'style',
    'noscript',
    'select',
    'option',
    'textarea',
    'title',
    'head',
    'object',
    'svg',
    'iframe',
    'button',
    'template',
  ];
  const SPAN = ['2', '3', '0', '2px', '-1', 'x', ' 2', '1.5', '"2"', "'3'", '100000', ''];
  const VOID = ['<br>', '<br/>', '</br>', '<hr>', '<img src=x.png>', '<input value=1>'];
  const STRAY = [
    '</p>',
    '</div>',
    '</td>',
    '</tr>',
    '</table>',
    '</span>',
    '</body>',
    '</th>',
    '</tbody>',
    '<td>',
    '<tr>',
    '<tbody>',
    '<th>',
    '<table>',
  ];
  const end = (tag: string) => (chance(0.15) ? '' : `</${tag}>`);
  // Attributes the reader ignores, in the forms that trip a careless scanner (the pruner drops them).
  const NOISE = [
    ' class=x',
    ' style="mso-x:1;>"',
    ` title='a"b'`,
    ' data=a"b',
    ' x',
    ' /',
    ' class=x/',
    ` lang=zh-CN`,
    ` o:p=""`,
    ' a=&quot;>',
    ` STYLE='x'`,
  ];
  const noise = () => (chance(0.3) ? pick(NOISE) : '');
  const attrs = () =>
    noise() +
    (chance(0.3) ? ` rowspan=${pick(SPAN)}` : '') +
    noise() +
    (chance(0.3) ? ` colspan="${pick(SPAN)}"` : '') +
    noise();

  const table = (depth: number): string => {
    let s = `<table${chance(0.3) ? ' border=1' : ''}>` + (chance(0.15) ? `<caption>${nodes(depth + 1)}</caption>` : '');
    const section = chance(0.4) ? pick(['tbody', 'thead', 'tfoot', 'TBODY']) : null;
    if (section) s += `<${section}>`;
    const rows = 1 + Math.floor(r() * 4);
    for (let i = 0; i < rows; i++) {
      s += '<tr>';
      const cells = Math.floor(r() * 5);
      for (let j = 0; j < cells; j++) {
        const tag = chance(0.2) ? 'th' : pick(['td', 'td', 'TD']);
        s += `<${tag}${attrs()}>${nodes(depth + 1)}${end(tag)}`;
        if (chance(0.05)) s += pick(TEXT);
      }
      s += end('tr');
    }
    if (section) s += end(section);
    return s + (chance(0.1) ? '' : '</table>');
  };

  const node = (depth: number): string => {
    const k = r();
    if (depth > 4 || k < 0.3) return pick(TEXT);
    if (k < 0.42) {
      const tag = pick(INLINE);
      return `<${tag}${noise()}>${nodes(depth + 1)}${end(tag)}`;
    }
    if (k < 0.56) {
      const tag = pick(BLOCK);
      return `<${tag}${noise()}>${nodes(depth + 1)}${end(tag)}`;
    }
    if (k < 0.62) return pick(VOID);
    if (k < 0.76) return table(depth);
    if (k < 0.82) {
      const tag = pick(SKIP);
      return `<${tag}${noise()}>${chance(0.5) ? '<table><tr><td>skipped</td></tr></table>' : nodes(depth + 1)}</${tag}>`;
    }
    if (k < 0.88) return pick(STRAY);
    if (k < 0.91)
      return pick([
        '<!-- <td>c</td> -->',
        '<![CDATA[<p>d</p>]]>',
        '<!---->',
        '<!-->',
        '<![if !vml]><td colspan=2><![endif]>',
        '<!DOCTYPE html>',
        '<?xml x="<td>"?>',
      ]);
    if (k < 0.94) return pick(['<body>', '</body>', '<html>', '<head>', '</head>', `<title>${pick(TEXT)}</title>`]);
    return `<td${attrs()}>${nodes(depth + 1)}`;
  };
  const nodes = (depth: number): string =>
    Array.from({ length: depth === 0 ? 2 + Math.floor(r() * 8) : Math.floor(r() * 4) }, () => node(depth)).join('');

  let page = nodes(0);
  if (chance(0.5)) page = `<body>${page}${chance(0.7) ? '</body>' : ''}${chance(0.3) ? nodes(0) : ''}`;
  if (chance(0.4))
    page = `<head>${chance(0.7) ? `<title>${pick(TEXT)}</title>` : ''}${chance(0.2) ? nodes(1) : ''}${chance(0.7) ? '</head>' : ''}${page}`;
  if (chance(0.5)) page = `<html>${page}${chance(0.7) ? '</html>' : ''}`;
  if (chance(0.2)) page = page.slice(0, Math.floor(r() * page.length));
  return page;
}

describe('fast reader = cheerio reader on random pages', () => {
  for (let seed = 1; seed <= 200; seed++) it(`seed ${seed}`, () => expectSame(randomPage(seed), randomPage(seed)));
});

/** htmlparser2's events as the reader sees them: tags with their spans, text (adjacent pieces joined), end tags. */
function events(html: string): string[] {
  const out: string[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push(`text ${text}`);
    text = '';
  };
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        flush();
        out.push(`<${name} colspan=${attribs.colspan ?? '-'} rowspan=${attribs.rowspan ?? '-'}>`);
      },
      ontext(data) {
        text += data;
      },
      onclosetag(name) {
        flush();
        out.push(`</${name}>`);
      },
    },
    { decodeEntities: true },
  );
  parser.end(html);
  flush();
  return out;
}

describe('pruned markup tokenises as the page does', () => {
  // Script and style text is dropped on purpose (the reader never reads it).
  const readable = (evs: string[]) => {
    const kept: string[] = [];
    let skipping = 0;
    for (const e of evs) {
      if (/^<(script|style) /.test(e)) skipping++;
      else if (/^<\/(script|style)>$/.test(e)) skipping = Math.max(0, skipping - 1);
      else if (skipping && e.startsWith('text ')) continue;
      kept.push(e);
    }
    return kept;
  };
  // Collapsing inline elements changes the events by design; what it keeps is held to the cheerio reader above.
  const same = (page: string) =>
    expect(readable(events(pruneMarkup(page, { collapseInline: false })))).toStrictEqual(readable(events(page)));
  for (const name of samples) {
    it(name, () => {
      const page = sample(name);
      expect(pruneMarkup(page, { collapseInline: false }).length).toBeLessThan(page.length);
      if (/<span/i.test(page))
        expect(pruneMarkup(page).length).toBeLessThan(pruneMarkup(page, { collapseInline: false }).length);
      same(page);
    });
  }
  for (const [name, page] of Object.entries(BROKEN)) it(name, () => same(page));
  for (let seed = 1; seed <= 200; seed++) it(`random page ${seed}`, () => same(randomPage(seed)));
});

describe('speed', () => {
  it('prints ms per page: cheerio reader, fast reader, floor (decode + tokenise)', () => {
    const floor = (bytes: Uint8Array) => {
      let tokens = 0;
      const parser = new Parser({ onopentag: () => tokens++, ontext: () => tokens++ });
      parser.write(decodeText(bytes, []).text);
      parser.end();
      return tokens;
    };
    // Warmed up, then as many rounds as fit in 150 ms (small pages need many to be steady).
    const msPerPage = (read: (bytes: Uint8Array) => unknown, pages: Uint8Array[]) => {
      const round = () => pages.forEach((p) => read(p));
      for (const t = performance.now(); performance.now() - t < 50; ) round();
      let rounds = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < 150) {
        round();
        rounds++;
      }
      return (performance.now() - t0) / rounds / pages.length;
    };
    const lines: string[] = [];
    const all = samples.map((name) => readFileSync(join(REPORTS, name)));
    const cases: [string, Uint8Array[]][] = [
      ...samples.map((name, i): [string, Uint8Array[]] => [name, [all[i]]]),
      ['all pages (mean)', all],
    ];
    for (const [label, pages] of cases) {
      const [ref, fast, flo] = [readHtml, readHtmlFast, floor].map((read) => msPerPage(read, pages));
      const kb = pages.reduce((n, p) => n + p.length, 0) / pages.length / 1024;
      lines.push(
        `${label.padEnd(34)} ${kb.toFixed(0).padStart(4)} KB  readHtml ${ref.toFixed(2)} ms  readHtmlFast ${fast.toFixed(2)} ms  floor ${flo.toFixed(2)} ms  fast/floor ${(fast / flo).toFixed(2)}`,
      );
    }
    console.log(lines.join('\n'));
  }, 120_000);
});
