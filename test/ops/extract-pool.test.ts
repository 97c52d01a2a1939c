/**
 * A worker that dies (here: a real document too big for a real, small heap) fails the document
 * it was reading, and only that one: the documents queued behind it are read again on a new worker.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sha256Of } from '../../pipeline/common/index.js';
import { ExtractPool } from '../../pipeline/ingest/extract-pool.js';
import { packCells, unpackCells } from '../../extractors/packed-cells.js';
import { patchDocumentXml } from '../fixtures/make-docx.js';
import { readSample, REPORTS, tempDir } from '../helpers.js';

const page = readFileSync(join(REPORTS, '2020_北京市朝阳区教育委员会.html'));
// 40 MB of prose in one page: far more than a 48 MB heap can hold as text.
const huge = Buffer.from(`<html><body><p>${'政府信息公开'.repeat(2_500_000)}</p></body></html>`);

describe('ExtractPool', () => {
  let pool: ExtractPool | null = null;
  afterEach(async () => {
    await pool?.close();
    pool = null;
  });

  it('closed (the ingest closes it once every document is read), it stops its workers and starts them again for the next document', async () => {
    pool = new ExtractPool({ workers: 1 });
    expect((await pool.extract(Buffer.from(page))).failure).toBeNull();
    expect(pool.started).toBe(1);
    await pool.close();
    expect(pool.started).toBe(0);
    await pool.close(); // twice: the run closes it again after the ingest
    const again = await pool.extract(Buffer.from(page));
    expect(again.failure).toBeNull();
    expect(again.extraction?.tablesFound).toEqual(['T2', 'T3', 'T4']);
  }, 60_000);

  it('a worker killed by a document fails that document; the ones queued behind it are read again', async () => {
    pool = new ExtractPool({ workers: 1, heapMb: 48 });
    const [big, after, next] = await Promise.all([
      pool.extract(Buffer.from(huge)),
      pool.extract(Buffer.from(page), { reload: () => Buffer.from(page) }),
      pool.extract(Buffer.from(page), { reload: () => Buffer.from(page) }),
    ]);
    expect(big.extraction).toBeNull();
    expect(big.failure).toMatch(/^read: worker (crashed|exited)/);
    for (const o of [after, next]) {
      expect(o.failure).toBeNull();
      expect(o.extraction?.tablesFound).toEqual(['T2', 'T3', 'T4']);
    }
  }, 60_000);

  it('a document too big for the heap, read again and again, kills its worker each time and never the process', async () => {
    // (a reader that built the page's text by concatenation aborted the whole process now and
    // then, V8's "Reached heap limit" in the worker taken as fatal: the batch lost with it)
    pool = new ExtractPool({ workers: 1, heapMb: 48 });
    for (let i = 0; i < 8; i++) {
      const big = await pool.extract(Buffer.from(huge));
      expect(big.failure).toMatch(/^read: worker (crashed|exited)/);
    }
    expect((await pool.extract(Buffer.from(page))).failure).toBeNull();
  }, 120_000);

  it('without a way to read them again, the documents queued behind a crash fail with it, saying so', async () => {
    pool = new ExtractPool({ workers: 1, heapMb: 48 });
    const [big, after] = await Promise.all([pool.extract(Buffer.from(huge)), pool.extract(Buffer.from(page))]);
    expect(big.failure).toMatch(/^read: worker (crashed|exited)/);
    expect(after.failure).toMatch(/while it was queued behind another document$/);
    // The pool goes on with a new worker.
    expect((await pool.extract(Buffer.from(page))).failure).toBeNull();
  }, 60_000);

  it('a file replaced or deleted while queued behind a crash fails with a reason; its new bytes are never taken for the old', async () => {
    pool = new ExtractPool({ workers: 1, heapMb: 48 });
    const dir = tempDir();
    const [replaced, deleted] = [join(dir, 'replaced.html'), join(dir, 'deleted.html')];
    writeFileSync(replaced, page);
    writeFileSync(deleted, page);
    const other = readSample('2021_平潭综合实验区.html');
    // While the first document runs its worker out of memory, the file queued behind it is replaced.
    let pending = [
      pool.extract(Buffer.from(huge)),
      pool.extract(readFileSync(replaced), { sha256: sha256Of(page), reload: () => readFileSync(replaced) }),
    ];
    writeFileSync(replaced, other);
    const [big, changed] = await Promise.all(pending);
    expect(big.failure).toMatch(/^read: worker (crashed|exited)/);
    expect(changed.extraction).toBeNull();
    expect(changed.failure).toMatch(
      /^read: the file changed while it was queued \(sha256 [0-9a-f]{12}… when hashed, [0-9a-f]{12}… when read again/,
    );
    // ... or deleted.
    pending = [
      pool.extract(Buffer.from(huge)),
      pool.extract(readFileSync(deleted), { sha256: sha256Of(page), reload: () => readFileSync(deleted) }),
    ];
    rmSync(deleted);
    const [, gone] = await Promise.all(pending);
    expect(gone.extraction).toBeNull();
    expect(gone.failure).toMatch(/^read: could not be read again after its worker died .*ENOENT/);
    expect((await pool.extract(Buffer.from(page))).failure).toBeNull();
  }, 60_000);

  it('results are matched to their documents by id and hash, not by the order they come back in', async () => {
    pool = new ExtractPool({ workers: 1 });
    // The fast DOCX reader refuses a DOCTYPE: mammoth reads it, asynchronously, while the page waits behind it.
    const docx = patchDocumentXml(readSample('2023_沭阳县发展和改革局.docx'), (xml) =>
      xml.replace(/^(<\?xml[^>]*\?>)/, '$1<!DOCTYPE w:document>'),
    );
    const docxSha = sha256Of(docx); // before its bytes are handed over
    const [d, h] = await Promise.all([
      pool.extract(docx, { sha256: docxSha }),
      pool.extract(Buffer.from(page), { sha256: sha256Of(page) }),
    ]);
    expect([d.extraction?.format, d.sha256, d.extraction?.meta.agency]).toEqual([
      'docx',
      docxSha,
      expect.stringContaining('沭阳县'),
    ]);
    expect([h.extraction?.format, h.sha256]).toEqual(['html', sha256Of(page)]);
    // Bytes that are not those the caller hashed fail, saying so.
    const wrong = await pool.extract(Buffer.from(page), { sha256: '0'.repeat(64) });
    expect(wrong.extraction).toBeNull();
    expect(wrong.failure).toMatch(
      /^read: the bytes parsed \(sha256 [0-9a-f]{12}…\) are not the bytes hashed \(000000000000…\)/,
    );
  }, 60_000);

  it('hands a whole Buffer over without copying, and copies a view into a shared pool', async () => {
    pool = new ExtractPool({ workers: 1 });
    const whole = Buffer.from(page);
    const small = Buffer.from('x'.repeat(10)); // pooled: a view into a larger buffer
    const [a, b] = await Promise.all([pool.extract(whole), pool.extract(small)]);
    expect(whole.byteLength).toBe(0); // transferred
    expect(small.toString()).toBe('x'.repeat(10)); // copied
    expect(a.failure).toBeNull();
    expect(b.failure ?? b.extraction?.error).toMatch(/^(sniff|recognise)/); // read, found to be no report
  }, 60_000);
});

describe('ExtractPool.prestart', () => {
  it('starts the workers before any document, which they then read; without it they start with the first', async () => {
    const lazy = new ExtractPool({ workers: 2 });
    const early = new ExtractPool({ workers: 2 });
    try {
      expect(lazy.started).toBe(0);
      early.prestart();
      expect(early.started).toBe(2);
      early.prestart(); // no second set
      expect(early.started).toBe(2);
      const outcomes = await Promise.all([early.extract(Buffer.from(page)), lazy.extract(Buffer.from(page))]);
      for (const o of outcomes) expect(o.extraction?.tablesFound).toEqual(['T2', 'T3', 'T4']);
      expect(lazy.started).toBe(2);
    } finally {
      await Promise.all([lazy.close(), early.close()]);
    }
  }, 60_000);

  it('starts nothing for a pool that extracts in the calling thread', async () => {
    const inThread = new ExtractPool({ workers: 0 });
    inThread.prestart();
    expect(inThread.started).toBe(0);
    await inThread.close();
  });
});

describe('ExtractPool without workers', () => {
  it('extracts in the calling thread, the same as a worker does', async () => {
    const inThread = new ExtractPool({ workers: 0 });
    const onWorker = new ExtractPool({ workers: 1 });
    try {
      const [a, b] = await Promise.all([inThread.extract(Buffer.from(page)), onWorker.extract(Buffer.from(page))]);
      expect(a.failure).toBeNull();
      expect(a.extraction).toStrictEqual(b.extraction);
    } finally {
      await Promise.all([inThread.close(), onWorker.close()]);
    }
  }, 60_000);
});

describe('cells packed to cross threads', () => {
  it('give back, cell for cell, what the extractor made (nulls, blanks, text, units and derived cells included)', async () => {
    const { extractDocument } = await import('../../extractors/index.js');
    const { value } = await extractDocument(page);
    const cells = [
      ...value.cells,
      {
        table_id: 'T2',
        row_key: 'x',
        col_key: 'amount',
        value: 7.5,
        raw: '75000元',
        kind: 'number',
        grid_table: 0,
        grid_row: 3,
        grid_col: 4,
        unit: '元',
        page: 2,
      },
      {
        table_id: 'T3',
        row_key: 'total',
        col_key: 'total',
        value: null,
        raw: '见附件',
        kind: 'text',
        grid_table: 1,
        grid_row: 2,
        grid_col: 0,
        unit: null,
        page: null,
      },
      {
        table_id: 'T3',
        row_key: 'y',
        col_key: 'total',
        value: 3,
        raw: '',
        kind: 'derived',
        grid_table: null,
        grid_row: null,
        grid_col: null,
        unit: null,
        page: null,
      },
    ] as typeof value.cells;
    const packed = packCells(cells);
    expect(packed.count).toBe(cells.length);
    expect(new Set(packed.strings).size).toBe(packed.strings.length); // each string once
    expect(unpackCells(structuredClone(packed))).toStrictEqual(cells);
    expect(value.cells.length).toBeGreaterThan(150);
  });
});
