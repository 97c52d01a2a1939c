/**
 * PDFs through the whole pipeline, on its worker threads: a good PDF loads with its cells' pages
 * and its report page links the PDF at each table's page; a scanned, an encrypted, a truncated,
 * a broken PDF and two PDF bombs each fail alone, with the stage and a Chinese reason, and the
 * rest of the batch loads.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_PDF_OBJECTS, MAX_PDF_PAGES } from '../../extractors/pdf/index.js';
import { makeInput, query, ROOT, runOn, type PipelineRun } from '../helpers.js';
import { makePdf } from '../fixtures/make-pdf.js';

const GOOD = '2021_平潭综合实验区.pdf';
const good = readFileSync(join(ROOT, 'test', 'fixtures', 'pdf', GOOD));
const prose = { texts: [{ x: 60, y: 700, text: '某某局2023年政府信息公开工作年度报告' }] };

const BAD: Record<string, [Uint8Array, RegExp]> = {
  'scanned.pdf': [
    makePdf([{ scan: true }, { scan: true }]),
    /^read: 扫描件，无文字层（2 页，共 0 个字符；本工具不做文字识别 OCR）$/,
  ],
  'encrypted.pdf': [makePdf([prose], { encrypted: true }), /^read: 加密的 PDF，需要密码才能打开/],
  'truncated.pdf': [good.subarray(0, Math.floor(good.length / 2)), /^read: PDF 文件不完整（结尾缺少 %%EOF/],
  'broken.pdf': [
    new Uint8Array(Buffer.from('%PDF-1.7\n' + 'x'.repeat(2000) + '\n%%EOF\n')),
    /^read: PDF 文件(损坏|无法读取)/,
  ],
  'too-many-pages.pdf': [
    makePdf(Array.from({ length: MAX_PDF_PAGES + 1 }, () => prose)),
    new RegExp(`^read: PDF 有 ${MAX_PDF_PAGES + 1} 页，超过上限 ${MAX_PDF_PAGES} 页（PDF 炸弹？）`),
  ],
  'too-many-objects.pdf': [
    makePdf([prose], { declaredSize: 5_000_000 }),
    new RegExp(`^read: PDF 声明了 5000000 个对象，超过上限 ${MAX_PDF_OBJECTS}`),
  ],
};

let run: PipelineRun;

beforeAll(async () => {
  const files: Record<string, Uint8Array> = { [GOOD]: good };
  for (const [name, [bytes]] of Object.entries(BAD)) files[`bad/${name}`] = bytes;
  run = await runOn(makeInput(files), { workers: 2, noOutputs: false });
}, 180_000);

describe('PDFs in a run', () => {
  it('each bad PDF fails alone, with the stage and a Chinese reason; the good one loads', async () => {
    const rows = await query<{ source: string; status: string; error: string | null; format: string | null }>(
      run.db,
      'SELECT source, status, error, format FROM reports ORDER BY source',
    );
    expect(rows).toHaveLength(Object.keys(BAD).length + 1);
    for (const [name, [, reason]] of Object.entries(BAD)) {
      const row = rows.find((r) => r.source === `bad/${name}`)!;
      expect(row.status, name).toBe('failed');
      expect(row.error, name).toMatch(reason);
    }
    expect(rows.find((r) => r.source === GOOD)).toMatchObject({ status: 'ok', format: 'pdf', error: null });
    expect(run.exitCode).toBe(3);
  });

  it("the good PDF's cells carry the page they are printed on", async () => {
    const pages = await query<{ table_id: string; first: number; last: number; n: bigint; nulls: bigint }>(
      run.db,
      `SELECT table_id, min(page) AS first, max(page) AS last, count(*) AS n, count(*) FILTER (WHERE page IS NULL) AS nulls
       FROM cells JOIN reports USING (report_id) WHERE source = '${GOOD}' GROUP BY table_id ORDER BY table_id`,
    );
    expect(pages.map((p) => p.table_id)).toEqual(['T2', 'T3', 'T4']);
    for (const p of pages) {
      expect(Number(p.nulls)).toBe(0);
      expect(p.first).toBeGreaterThan(0);
    }
    // T3 runs over page breaks in this file: its cells are on several pages.
    const t3 = pages.find((p) => p.table_id === 'T3')!;
    expect(t3.last).toBeGreaterThan(t3.first);
  });

  it("the report page links the PDF at each table's page", async () => {
    const [r] = await query<{ report_id: string }>(run.db, `SELECT report_id FROM reports WHERE source = '${GOOD}'`);
    const [t3] = await query<{ page: number }>(
      run.db,
      `SELECT min(page) AS page FROM cells WHERE report_id = '${r.report_id}' AND table_id = 'T3'`,
    );
    const html = readFileSync(join(run.out, 'reports', `${r.report_id}.html`), 'utf8');
    // the copy of the PDF beside the pages (data/out/sources/), which opens wherever data/out is copied
    expect(html).toContain(`<a href="../sources/${r.report_id}.pdf#page=${t3.page}">表三 第${t3.page}页</a>`);
  });
});
