/** GBK/GB18030 pages with and without a declared charset read right, as do BOM'd and GBK text exports. */
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { extractDocument } from '../../extractors/index.js';
import { sniff } from '../../extractors/input/sniff.js';
import { goldCells, readSample } from '../helpers.js';

const BASE = '2023_沭阳县发展和改革局';
const html = readSample(`${BASE}.html`).toString('utf8');
const withoutCharset = html.replace(/<meta[^>]*charset[^>]*>/gi, '');

async function expectGold(bytes: Uint8Array) {
  const { value: x, messages } = await extractDocument(bytes);
  const got = new Map(x.cells.map((c) => [`${c.table_id}|${c.row_key}|${c.col_key}`, c]));
  for (const g of goldCells(BASE)) {
    const c = got.get(`${g.table_id}|${g.row_key}|${g.col_key}`);
    expect({ k: `${g.row_key}.${g.col_key}`, v: c?.value, raw: c?.raw.trim() }).toEqual({
      k: `${g.row_key}.${g.col_key}`,
      v: g.value,
      raw: g.raw.trim(),
    });
  }
  expect(x.meta.agency).toBe('沭阳县发展和改革局');
  expect(x.meta.year).toBe(2023);
  return messages;
}

describe('charsets', () => {
  it('GBK page declaring <meta charset="gbk">', async () => {
    const page = withoutCharset.replace(/<head[^>]*>/i, '$&<meta charset="gbk">');
    await expectGold(iconv.encode(page, 'gbk'));
  });
  it('GB2312 page declaring it in http-equiv Content-Type', async () => {
    const page = withoutCharset.replace(
      /<head[^>]*>/i,
      '$&<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
    );
    await expectGold(iconv.encode(page, 'gb18030'));
  });
  it('GBK page with no charset declared (detected)', async () => {
    const messages = await expectGold(iconv.encode(withoutCharset, 'gbk'));
    expect(messages.some((m) => /gb18030 \(detected\)/.test(m.message))).toBe(true);
  });
  it('GBK bytes under a stale utf-8 declaration', async () => {
    const page = withoutCharset.replace(/<head[^>]*>/i, '$&<meta charset="utf-8">');
    const messages = await expectGold(iconv.encode(page, 'gbk'));
    expect(messages.some((m) => /not UTF-8; read as GB18030/.test(m.message))).toBe(true);
  });
  it('UTF-8 with a BOM and no declaration', async () => {
    await expectGold(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(withoutCharset)]));
  });
  it('UTF-16 with a byte-order mark, little- and big-endian (sniffed as HTML, not refused as binary)', async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(withoutCharset, 'utf16le')]);
    const be = Buffer.from(le);
    be.swap16(); // FF FE → FE FF and every code unit big-endian
    expect(sniff(le)).toEqual({ format: 'html' });
    expect(sniff(be)).toEqual({ format: 'html' });
    await expectGold(le);
    await expectGold(be);
  });
  it('a UTF-8 page that declares charset=gbk is read as UTF-8, with a warning', async () => {
    const page = withoutCharset.replace(
      /<head[^>]*>/i,
      '$&<meta http-equiv="Content-Type" content="text/html; charset=gbk">',
    );
    const messages = await expectGold(Buffer.from(page, 'utf8'));
    expect(messages).toContainEqual(
      expect.objectContaining({
        type: 'warning',
        stage: 'decode',
        message: expect.stringMatching(/declared charset gbk but the bytes are UTF-8.*read as UTF-8/),
      }),
    );
  });
  it('the plain-text export in GBK', async () => {
    const { value: x } = await extractDocument(iconv.encode(readSample(`${BASE}.txt`).toString('utf8'), 'gbk'));
    expect(x.cells.filter((c) => c.kind !== 'derived').length).toBe(goldCells(BASE).length);
    expect(x.meta.agency).toBe('沭阳县发展和改革局');
  });
  it('a page is binary with a NUL or more than 2% control characters in its first 8 KB, text with 2%', () => {
    // 8,000 bytes of markup with `control` unit separators (0x1f) spread through them
    const page = (control: number) => {
      const bytes = Buffer.from(`<html><body><p>${'报告'.repeat(2000)}`.padEnd(8000, 'x')).subarray(0, 8000);
      for (let k = 0; k < control; k++) bytes[100 + k * 37] = 0x1f;
      return bytes;
    };
    expect(sniff(page(160))).toEqual({ format: 'html' }); // 2%
    expect(sniff(page(161)).format).toBeNull();
    const nul = page(0);
    nul[7000] = 0;
    expect(sniff(nul).format).toBeNull();
    // the same decisions on every call: the check runs on every document
    for (let k = 0; k < 300; k++) expect(sniff(page(k % 2 ? 160 : 161)).format).toBe(k % 2 ? 'html' : null);
  });
});
