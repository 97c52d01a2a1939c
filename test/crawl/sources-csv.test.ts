import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSourcesCsv } from '../../pipeline/crawl/index.js';

describe('readSourcesCsv', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sources-csv-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function csv(name: string, content: string | Buffer): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  }

  it('reads agency,url rows, skipping blank lines and tolerating a BOM, spaces and extra columns', async () => {
    const path = await csv(
      'ok.csv',
      '\uFEFFAgency , URL ,note\r\n甲局,http://a.gov.test/nb/index.html,x\r\n\r\n"乙局（市）", https://b.gov.test/ ,\r\n',
    );
    expect(readSourcesCsv(path)).toEqual([
      { agency: '甲局', url: 'http://a.gov.test/nb/index.html' },
      { agency: '乙局（市）', url: 'https://b.gov.test/' },
    ]);
  });

  it('reads a GBK file', async () => {
    const path = await csv('gbk.csv', iconv.encode('agency,url\n丙局,http://c.gov.test/\n', 'gbk'));
    expect(readSourcesCsv(path)).toEqual([{ agency: '丙局', url: 'http://c.gov.test/' }]);
  });

  it('requires the header', async () => {
    const path = await csv('noheader.csv', '甲局,http://a.gov.test/\n');
    expect(() => readSourcesCsv(path)).toThrow(`${path}: line 1: the header must name the columns agency,url`);
    const empty = await csv('empty.csv', '');
    expect(() => readSourcesCsv(empty)).toThrow(`${empty}: line 1:`);
  });

  it('names the line of a bad row, counting blank lines and quoted newlines', async () => {
    const badUrl = await csv('badurl.csv', 'agency,url\n甲局,http://a.gov.test/\n\n乙局,ftp://b.gov.test/\n');
    expect(() => readSourcesCsv(badUrl)).toThrow(`${badUrl}: line 4: url is not an http(s) URL: "ftp://b.gov.test/"`);
    const missing = await csv('missing.csv', 'agency,url\n"甲\n局",http://a.gov.test/\n乙局\n');
    expect(() => readSourcesCsv(missing)).toThrow(`${missing}: line 4: Too few fields`);
    const noAgency = await csv('noagency.csv', 'agency,url\n,http://a.gov.test/\n');
    expect(() => readSourcesCsv(noAgency)).toThrow(`${noAgency}: line 2: empty agency`);
  });
});
