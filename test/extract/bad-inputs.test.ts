/**
 * Bad input never stops a run and never loses anything: each bad document gets a `reports` row
 * with status failed or partial and an error naming the stage and the reason, the summary lists
 * it, and the good documents of the same batch load as usual.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document, Packer, Paragraph } from 'docx';
import { strToU8, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { goldCells, makeInput, query, readSample, runOn, type PipelineRun } from '../helpers.js';

const SEED = '2020_北京市朝阳区教育委员会';

async function docxWithoutTables(): Promise<Uint8Array> {
  const doc = new Document({
    sections: [
      { children: [new Paragraph('某某局2023年政府信息公开工作年度报告'), new Paragraph('本年度无统计表。')] },
    ],
  });
  return new Uint8Array(await Packer.toBuffer(doc));
}

function zipBomb(): Uint8Array {
  // 300 MB of zeros deflate to a few hundred KB: the declared size gives it away before inflating.
  return zipSync(
    { '[Content_Types].xml': strToU8('<Types/>'), 'word/document.xml': new Uint8Array(300 * 1024 * 1024) },
    { level: 1 },
  );
}

const seedHtml = readSample(`${SEED}.html`).toString('utf8');

/** name → [file content, expected status, pattern the error must match] */
let BAD: Record<string, [string | Uint8Array, 'failed' | 'partial', RegExp]>;

let run: PipelineRun;
let rows: { source: string; status: string; error: string | null; report_id: string }[];

beforeAll(async () => {
  BAD = {
    'empty.html': ['', 'failed', /^sniff: empty file/],
    'truncated.docx': [
      readSample(`${SEED}.docx`).subarray(0, 6000),
      'failed',
      /^sniff: a zip archive that cannot be read/,
    ],
    'not-a-docx.docx': [
      zipSync({ 'readme.txt': strToU8('hello') }),
      'failed',
      /^sniff: a zip archive that is not a DOCX/,
    ],
    'no-tables.docx': [await docxWithoutTables(), 'failed', /^recognise: no table in the document/],
    'no-tables.html': [
      '<html><head><title>某某局2023年政府信息公开工作年度报告</title></head><body><p>本年度无统计表。</p></body></html>',
      'failed',
      /^recognise: no table/,
    ],
    'tables-as-images.html': [
      '<html><body><p>某某局2023年政府信息公开工作年度报告</p><p>二、主动公开政府信息情况</p><img src="t2.png"><p>三、收到和处理政府信息公开申请情况</p><img src="t3.png"></body></html>',
      'failed',
      /^recognise: no table in the document \(tables printed as images/,
    ],
    'truncated.pdf': ['%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n', 'failed', /^read: PDF 文件不完整/],
    'legacy.doc': [
      new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...new Array(500).fill(0)]),
      'failed',
      /^sniff: a legacy Word \.doc/,
    ],
    'junk.bin': [
      new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)),
      'failed',
      /^sniff: binary data/,
    ],
    'bomb.docx': [zipBomb(), 'failed', /^sniff: a zip that would inflate to \d+ MB/],
    'broken-markup.html': [
      '<html><body><p>某某局2023年政府信息公开工作年度报告<table><tr><td>一、本年新收政府信息公开申请数量<td>5<td>0</tr><tr><td><b>二、上年结转',
      'failed',
      /^recognise: none of T2, T3, T4 found/,
    ],
    'truncated-page.html': [
      seedHtml.slice(0, seedHtml.indexOf('四、政府信息公开行政复议')),
      'partial',
      /^recognise: T4 not found/,
    ],
  };
  const files: Record<string, string | Uint8Array> = { [`${SEED}.html`]: readSample(`${SEED}.html`) };
  for (const [name, [content]] of Object.entries(BAD)) files[`bad/${name}`] = content;
  const input = makeInput(files);
  // A 100 MB file, over the 50 MB default limit: refused before it is read.
  writeFileSync(join(input, 'bad', 'huge.html'), Buffer.alloc(100 * 1024 * 1024, 0x20));
  run = await runOn(input, { workers: 2 });
  rows = await query(run.db, 'SELECT source, status, error, report_id FROM reports ORDER BY source');
}, 120_000);

describe('a batch with every kind of bad input', () => {
  it('finishes with exit code 3 and loads the good report untouched', async () => {
    expect(run.exitCode).toBe(3);
    const good = rows.find((r) => r.source === `${SEED}.html`)!;
    expect(good.status).toBe('ok');
    const cells = await query<{ n: bigint }>(
      run.db,
      "SELECT count(*) AS n FROM cells WHERE report_id = $1 AND kind <> 'derived'",
      [good.report_id],
    );
    expect(Number(cells[0].n)).toBe(goldCells(SEED).length);
  });

  it('records each bad document with its status and the stage and reason', () => {
    for (const [name, [, status, pattern]] of Object.entries(BAD)) {
      const row = rows.find((r) => r.source === `bad/${name}`);
      expect(row, name).toBeDefined();
      expect({ name, status: row!.status }).toEqual({ name, status });
      expect(row!.error, name).toMatch(pattern);
    }
    const huge = rows.find((r) => r.source === 'bad/huge.html')!;
    expect(huge.status).toBe('failed');
    expect(huge.error).toMatch(/^read: file is 100\.0 MB, over the 50 MB limit/);
  });

  it('lists every failed and partial document in the summary and the document ledger', async () => {
    const s = run.summary;
    expect(s.seen).toBe(Object.keys(BAD).length + 2);
    expect(s.failed.map((f) => f.source).sort()).toEqual(
      rows
        .filter((r) => r.status === 'failed')
        .map((r) => r.source)
        .sort(),
    );
    expect(s.partial.map((f) => f.source)).toEqual(['bad/truncated-page.html']);
    const ledger = await query<{ n: bigint }>(run.db, 'SELECT count(*) AS n FROM documents');
    expect(Number(ledger[0].n)).toBe(s.seen);
  });

  it('a second run over the same batch re-reads nothing and changes nothing', async () => {
    const before = await query(run.db, 'SELECT * FROM reports ORDER BY report_id');
    const again = await runOn(run.input, { db: run.db, workers: 1 });
    expect(again.summary.unchanged).toBe(again.summary.seen);
    expect(again.summary.new).toBe(0);
    expect(again.exitCode).toBe(0);
    const after = await query(run.db, 'SELECT * FROM reports ORDER BY report_id');
    expect(after).toEqual(before);
  });
});
