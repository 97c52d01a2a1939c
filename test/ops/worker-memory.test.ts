/**
 * A worker's memory is bounded as a whole, not only its JS heap: a DOCX whose zip directory says
 * its document.xml holds 1 KB, and which inflates to 300 MB (outside any V8 heap, in the zip
 * readers' buffers), fails alone with a reason; the page beside it loads; the run's peak memory
 * stays near the budget. Before, it took the process to 566 MB and 31 s with one worker.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { makeInput, query, readSample, ROOT, tempDir } from '../helpers.js';

const CLI = join(ROOT, 'dist', 'pipeline', 'cli.js');

/** A DOCX whose word/document.xml inflates to `mb` MB of spaces inside one w:t, its declared size patched to 1 KB. */
function lyingDocx(mb: number): Uint8Array {
  const head = strToU8(
    '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>',
  );
  const tail = strToU8('</w:t></w:r></w:p></w:body></w:document>');
  const xml = new Uint8Array(head.length + mb * 1048576 + tail.length).fill(0x20);
  xml.set(head, 0);
  xml.set(tail, xml.length - tail.length);
  const zip = zipSync({ '[Content_Types].xml': strToU8('<Types/>'), 'word/document.xml': xml }, { level: 1 });
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const nameAt = (at: number, length: number) => Buffer.from(zip.subarray(at, at + length)).toString();
  for (let i = 0; i + 4 <= zip.length; i++) {
    const sig = view.getUint32(i, true);
    if (sig === 0x04034b50 && nameAt(i + 30, view.getUint16(i + 26, true)) === 'word/document.xml')
      view.setUint32(i + 22, 1024, true);
    if (sig === 0x02014b50 && nameAt(i + 46, view.getUint16(i + 28, true)) === 'word/document.xml')
      view.setUint32(i + 24, 1024, true);
  }
  return zip;
}

describe('worker memory as a whole', () => {
  it('a document inflating far past its declared size fails alone over --worker-memory-mb; the rest loads; the peak stays near the budget', async () => {
    const input = makeInput({
      'a/liar.docx': lyingDocx(300),
      'b/page.html': readSample('2020_北京市朝阳区教育委员会.html'),
    });
    const work = tempDir();
    const db = join(work, 'w.duckdb');
    const r = spawnSync(
      process.execPath,
      [
        CLI,
        '--input',
        input,
        '--db',
        db,
        '--out',
        join(work, 'out'),
        '--workers',
        '1',
        '--worker-memory-mb',
        '128',
        '--log-json',
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(3);
    const rows = await query<{ source: string; status: string; error: string | null }>(
      db,
      'SELECT source, status, error FROM reports ORDER BY source',
    );
    expect(rows[1]).toEqual({ source: 'b/page.html', status: 'ok', error: null });
    expect(rows[0].status).toBe('failed');
    // Stopped for its memory; or refused before, should a reader come to cap what it inflates.
    expect(rows[0].error).toMatch(
      /^read: over the memory budget \(\d+ MB resident, over the \d+ MB allowed with 128 MB per worker\)|inflat/,
    );
    const finished = JSON.parse(r.stderr.split('\n').find((l) => l.includes('"run finished"'))!);
    expect(finished.peak_rss_mb).toBeLessThan(420);
  }, 120_000);
});
