/** The claim extractor on the real sample reports, and the wording it must not take for a claim. */
import { describe, expect, it } from 'vitest';
import { extractClaims, type Claim } from '../../extractors/claims/index.js';
import { inferBase } from '../../extractors/claims/shares.js';
import { extractDocument } from '../../extractors/index.js';
import { readDocument } from '../../extractors/extract-document.js';
import { readSample, sampleNames } from '../helpers.js';

const SEED = '2020_北京市朝阳区教育委员会';

async function claimsOf(name: string): Promise<Claim[]> {
  return (await extractDocument(readSample(name))).value.claims;
}

async function proseOf(name: string): Promise<string> {
  const model = (await readDocument(readSample(name))).value;
  return model.blocks.flatMap((b) => (b.kind === 'paragraph' ? [b.text] : [])).join('\n');
}

const short = (c: Claim) => ({ quantity: c.quantity, value: c.value, percent: c.percent, base: c.base });
const read = (...paragraphs: string[]) => extractClaims(paragraphs).map(short);

describe('the seed report', () => {
  it('yields every claim its prose makes', async () => {
    const claims = (await claimsOf(`${SEED}.html`)).map(short);
    const expected: Partial<Claim>[] = [
      { quantity: 't3.received', value: 10 }, // 共受理政府信息公开申请10件 / 在2020年受理的10件
      { quantity: 't3.total_processed', value: 9 }, // 在9件已答复的政府信息公开申请中
      { quantity: 't3.carried_forward', value: 1 }, // 1件结转2021年继续办理
      { quantity: 't3.granted', value: 4, percent: 44.44, base: 't3.total_processed' },
      { quantity: 't3.unable_must_create', value: 1, percent: 11.11, base: 't3.total_processed' },
      // colloquial categories: no row of their own (申请信息不存在 2 + 不属于本机关负责公开 1 = unable_not_held 3)
      { quantity: 'item:申请信息不存在', value: 2, percent: 22.22, base: 't3.total_processed' },
      { quantity: 'item:不属于本行政机关负责公开', value: 1, percent: 11.11, base: 't3.total_processed' },
      { quantity: 'item:属于非政府信息', value: 1, percent: 11.11, base: 't3.total_processed' },
      { quantity: 'channel.当面', value: 4, percent: 40, base: 't3.received' },
      { quantity: 'channel.信函', value: 1, percent: 10, base: 't3.received' },
      { quantity: 'channel.电子邮件', value: 5, percent: 50, base: 't3.received' },
      { quantity: 'parts', value: 10, percent: null, base: '4+1+5' },
      { quantity: 'parts', value: 1975, percent: null, base: '970+662+343' },
    ];
    for (const e of expected) expect(claims).toContainEqual(expect.objectContaining(e));
    // 申请信息不存在 is not read as unable_not_held (3 in the table): that would be a guess.
    expect(claims.filter((c) => c.quantity.includes('unable_not_held'))).toEqual([]);
  });

  it('reads the same claims from each format of each sample', async () => {
    const bases = [...new Set(sampleNames().map((n) => n.replace(/\.[a-z]+$/, '')))];
    for (const base of bases) {
      const [html, docx, txt] = await Promise.all(['html', 'docx', 'txt'].map((ext) => claimsOf(`${base}.${ext}`)));
      expect(docx.map(short), base).toEqual(html.map(short));
      expect(txt.map(short), base).toEqual(html.map(short));
      expect(html.length, base).toBeGreaterThan(0);
    }
  });

  it('keeps each claim with its sentence, at its offset in the prose', async () => {
    for (const name of [`${SEED}.html`, '2022_平潭综合实验区.docx']) {
      const prose = await proseOf(name);
      for (const c of await claimsOf(name)) {
        expect(prose.slice(c.offset, c.offset + c.sentence.length)).toBe(c.sentence);
        expect(c.sentence).toMatch(new RegExp(`${c.value}`));
      }
    }
    const granted = (await claimsOf(`${SEED}.txt`)).find((c) => c.quantity === 't3.granted')!;
    expect(granted.sentence).toBe('在9件已答复的政府信息公开申请中，“同意公开”的4件，占已答复总数的44.44%；');
  });
});

describe('the corpus reports', () => {
  it('yield their T3, T4 and T2 claims', async () => {
    expect((await claimsOf('2021_平潭综合实验区.html')).map(short)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ quantity: 't3.received', value: 70 }),
        expect.objectContaining({ quantity: 't3.total_processed', value: 69 }),
        expect.objectContaining({ quantity: 't3.carried_forward', value: 1 }),
      ]),
    );
    const c2022 = (await claimsOf('2022_平潭综合实验区.html')).map(short);
    for (const e of [
      { quantity: 't3.received', value: 75 }, // 74 new + 1 carried over: the rule accepts either reading
      { quantity: 't3.received@natural_person', value: 72 },
      { quantity: 't3.received@commercial', value: 3 },
      { quantity: 't4.litigation.total', value: 1 },
      { quantity: 't4.review.total', value: 2 },
      { quantity: 't2.normative_docs.in_force', value: 698 },
      { quantity: 't2.normative_docs.issued', value: 88 },
    ]) {
      expect(c2022).toContainEqual(expect.objectContaining(e));
    }
    expect((await claimsOf('2023_沭阳县发展和改革局.html')).map(short)).toContainEqual(
      expect.objectContaining({ quantity: 't3.received', value: 26 }),
    );
  });

  it('take no other count received for a request (网络问政, 群众诉求, 受理点)', async () => {
    const received = (await claimsOf('2023_沭阳县发展和改革局.txt')).filter((c) => c.quantity.startsWith('t3.'));
    expect(received.map((c) => c.value)).toEqual([26]); // not 全年受理网络问政182件
    expect((await claimsOf('2019_平潭综合实验区.txt')).filter((c) => c.quantity !== 'parts')).toEqual([]); // 受理各类群众诉求259起
  });
});

describe('wording that is no claim, or not one to check', () => {
  it('skips counts of other things, changes, approximations and per-item counts', () => {
    expect(read('我委设立了1个专门的政府信息公开申请受理点，在15个工作日内答复申请。')).toEqual([]);
    expect(read('办理人大建议15件，按时办结15件；全年受理群众诉求259起。')).toEqual([]);
    expect(read('全年共收到政府信息公开申请100余件，较上年增加20件。')).toEqual([]);
    expect(read('全年共收到申请约50件。')).toEqual([]);
    expect(read('行政复议、行政诉讼各1件。')).toEqual([]);
    expect(read('发布政策、规范性文件类信息68条，清理规范性文件12件，累计制发规范性文件300件。')).toEqual([]);
  });

  it('skips on-time and late counts, which are a subset of the answered ones', () => {
    expect(read('共办结申请100件，其中按时答复98件，延期答复2件。').map((c) => c.quantity)).toEqual([
      't3.total_processed',
      'parts',
    ]);
  });

  it('records two readings of an ambiguous count instead of choosing one', () => {
    expect(read('本年度收到的政府信息公开申请中，因本机关不掌握等原因无法提供265件。')).toEqual([
      { quantity: 't3.unable_not_held|t3.group.unable', value: 265, percent: null, base: null },
    ]);
  });

  it('checks a share only against the base it names', () => {
    const c = read('本年度共收到政府信息公开申请20件，其中予以公开8件，占总数的40%；部分公开2件，占已答复总数的10%。');
    expect(c).toContainEqual({ quantity: 't3.granted', value: 8, percent: 40, base: '总数' }); // 总数 of what? not checked
    expect(c).toContainEqual({ quantity: 't3.partial', value: 2, percent: 10, base: 't3.total_processed' });
  });

  it('sums no list whose parts overlap or are results of the requests received', () => {
    expect(
      read('主动公开政府信息2000条，其中网站公开2000条，微信公众号公开800条。').filter((c) => c.quantity === 'parts'),
    ).toEqual([]);
    expect(read('共收到申请20件，其中予以公开10件，部分公开12件。').filter((c) => c.quantity === 'parts')).toEqual([]);
  });

  it('reads full-width digits, Chinese numerals before 件/起, and 被申请行政复议 as T4', () => {
    expect(read('全年共收到政府信息公开申请１２件，被申请行政复议一件，一件事一次办。')).toEqual([
      { quantity: 't3.received', value: 12, percent: null, base: null },
      { quantity: 't4.review.total', value: 1, percent: null, base: null },
    ]);
  });

  it('reads T4 counts only about open government (a 司法局 also decides reviews)', () => {
    expect(read('全年共收到行政复议申请150件，审结140件。')).toEqual([]);
    expect(read('四、政府信息公开行政复议、行政诉讼情况', '本年度我局被申请行政复议1件。')).toEqual([
      { quantity: 't4.review.total', value: 1, percent: null, base: null },
    ]);
  });

  it('reads T4 results in the block last named', () => {
    expect(
      read('因政府信息公开被申请行政复议3件，其中维持2件，纠正1件；提起行政诉讼2件，尚未审结1件。').map(
        (c) => `${c.quantity}=${c.value}`,
      ),
    ).toEqual([
      't4.review.total=3',
      't4.review.upheld=2',
      't4.review.corrected=1',
      't4.litigation.total=2',
      't4.litigation.pending=1',
    ]);
  });
});

describe('claims: what the words say', () => {
  const read = (text: string) =>
    extractClaims([text]).map((c) => `${c.quantity}=${c.value}${c.base ? ` of ${c.base}` : ''}`);
  it('reads 顺延/结转到下年度 as carried forward and （含上年度结转申请N件） as carried over', () => {
    expect(read('本年度共收到政府信息公开申请70件，办结69件，另有1件申请按照《条例》规定顺延到下年度答复。')).toContain(
      't3.carried_forward=1',
    );
    expect(read('本年度共收到政府信息公开申请70件（含上年度结转申请2件）。')).toContain('t3.carried_over=2');
    expect(read('共收到政府信息公开申请10件，予以公开及部分公开5件。')).toContain('t3.granted_partial=5');
  });
  it('infers the base several shares of one unnamed base use', () => {
    expect(read('申请中，予以公开4件，占比44.44%；部分公开2件，占比22.22%；不予公开1件，占比12.11%。')).toEqual([
      't3.granted=4 of inferred:9',
      't3.partial=2 of inferred:9',
      't3.group.denied=1 of inferred:9',
    ]);
    expect(
      inferBase([
        { value: 4, percent: 44.44 },
        { value: 2, percent: 22.22 },
        { value: 1, percent: 12.11 },
      ]),
    ).toBe(9);
    // two shares cannot outvote each other; disagreeing shares leave the base unknown
    expect(
      inferBase([
        { value: 4, percent: 44.44 },
        { value: 1, percent: 12.11 },
      ]),
    ).toBeNull();
    expect(
      inferBase([
        { value: 4, percent: 44.44 },
        { value: 1, percent: 12.11 },
        { value: 3, percent: 50 },
      ]),
    ).toBeNull();
  });
});
