/**
 * Nothing misattributed: every document's cells, agency and format land under its own path and
 * hash, whatever order the worker finishes in (a DOCX that falls back to mammoth finishes after
 * the documents sent behind it), and whatever happens to a file while it waits in the queue.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { patchDocumentXml } from '../fixtures/make-docx.js';
import { makeInput, query, readSample, runOn } from '../helpers.js';

/** The sample DOCX with a document type declaration: the fast reader refuses it, mammoth reads it (asynchronously). */
function fallbackDocx(): Uint8Array {
  return patchDocumentXml(readSample('2023_沭阳县发展和改革局.docx'), (xml) =>
    xml.replace(/^(<\?xml[^>]*\?>)/, '$1<!DOCTYPE w:document>'),
  );
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('results land on their own documents', () => {
  it('a DOCX read by the mammoth fallback among other reports: each keeps its own agency, format and cells (--workers 1)', async () => {
    const docx = fallbackDocx();
    const files = {
      'a/沭阳.docx': docx,
      'b/朝阳.html': readSample('2020_北京市朝阳区教育委员会.html'),
      'c/平潭.txt': readSample('2021_平潭综合实验区.txt'),
    };
    const input = makeInput(files);
    const run = await runOn(input, { workers: 1 });
    const rows = await query<{
      source: string;
      sha256: string;
      format: string;
      agency: string;
      year: number;
      status: string;
    }>(run.db, 'SELECT source, sha256, format, agency, year, status FROM reports ORDER BY source');
    expect(rows.map((r) => [r.source, r.sha256, r.format, r.agency, r.year, r.status])).toEqual([
      ['a/沭阳.docx', sha(docx), 'docx', expect.stringContaining('沭阳县发展和改革局'), 2023, 'ok'],
      [
        'b/朝阳.html',
        sha(readFileSync(join(input, 'b/朝阳.html'))),
        'html',
        expect.stringContaining('北京市朝阳区教育委员会'),
        2020,
        'ok',
      ],
      [
        'c/平潭.txt',
        sha(readFileSync(join(input, 'c/平潭.txt'))),
        'txt',
        expect.stringContaining('平潭综合实验区'),
        2021,
        'ok',
      ],
    ]);
    // It went to the fallback (an info message, not stored in the warehouse).
    const { readDocx } = await import('../../extractors/docx/reader.js');
    expect((await readDocx(docx)).messages.map((m) => m.message).join('\n')).toMatch(
      /fell back to mammoth: document type declaration/,
    );
    // The same cells as a run of each document alone.
    for (const [name, bytes] of Object.entries(files)) {
      const alone = await runOn(makeInput({ [name]: bytes }), { workers: 1 });
      const cellsOf = (db: string) =>
        query(
          db,
          'SELECT table_id, row_key, col_key, value, raw, kind FROM cells JOIN reports USING (report_id) WHERE source = $1 ORDER BY ALL',
          [name],
        );
      expect(await cellsOf(run.db), name).toEqual(await cellsOf(alone.db));
    }
  }, 120_000);
});
