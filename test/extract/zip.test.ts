/** The native zip path reads exactly what fflate reads, and refuses (for fflate to try) what it does not take. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { inflateEntries } from '../../extractors/input/zip.js';
import { readDocx } from '../../extractors/docx/reader.js';
import { REPORTS } from '../helpers.js';

const docxFiles = readdirSync(REPORTS).filter((f) => f.endsWith('.docx'));

/** The named entries, inflated by the native path (whatever sizes the directory declares). */
const unzipEntries = (bytes: Uint8Array, names: ReadonlySet<string>) =>
  inflateEntries(bytes, (name) => names.has(name));

describe('inflateEntries', () => {
  it.each(docxFiles)('%s: every entry as fflate inflates it', (name) => {
    const bytes = readFileSync(join(REPORTS, name));
    const reference = unzipSync(bytes);
    const names = new Set(Object.keys(reference));
    expect(names.size).toBeGreaterThan(3);
    const ours = unzipEntries(bytes, names);
    expect(Object.keys(ours).sort()).toEqual([...names].sort());
    for (const n of names) expect(Buffer.from(ours[n]).equals(Buffer.from(reference[n])), n).toBe(true);
  });

  it('reads stored entries, names in UTF-8, and a zip with a comment after its directory', () => {
    const zip = zipSync(
      { 'a.txt': [Buffer.from('stored'), { level: 0 }], '文件.xml': Buffer.from('<x>中文</x>'.repeat(50)) },
      { comment: 'a comment' } as never,
    );
    const out = unzipEntries(zip, new Set(['a.txt', '文件.xml']));
    expect(Buffer.from(out['a.txt']).toString()).toBe('stored');
    expect(Buffer.from(out['文件.xml']).toString()).toBe('<x>中文</x>'.repeat(50));
  });

  it('throws on what it does not take: no directory, a truncated entry, another compression method', () => {
    const bytes = readFileSync(join(REPORTS, docxFiles[0]));
    expect(() => unzipEntries(bytes.subarray(0, 1000), new Set(['word/document.xml']))).toThrow();
    const zip = Buffer.from(zipSync({ 'word/document.xml': Buffer.from('<w:document/>'.repeat(10)) }));
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const other = Buffer.from(zip);
    other.writeUInt16LE(12, central + 10); // bzip2
    expect(() => unzipEntries(other, new Set(['word/document.xml']))).toThrow(/method 12/);
    const cut = Buffer.concat([zip.subarray(0, 40), zip.subarray(central)]);
    expect(() => unzipEntries(cut, new Set(['word/document.xml']))).toThrow();
  });

  it('a DOCX whose directory lies about a size is read as the honest one', async () => {
    // A directory that lies about the entry's size: neither the native path nor fflate trusts it.
    const bytes = Buffer.from(readFileSync(join(REPORTS, docxFiles[0])));
    const central = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    expect(central).toBeGreaterThan(0);
    const good = await readDocx(readFileSync(join(REPORTS, docxFiles[0])));
    let lied = false;
    for (
      let at = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
      at >= 0;
      at = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), at + 4)
    ) {
      const nameLength = bytes.readUInt16LE(at + 28);
      if (bytes.subarray(at + 46, at + 46 + nameLength).toString() === 'word/document.xml') {
        bytes.writeUInt32LE(bytes.readUInt32LE(at + 24) + 1, at + 24);
        lied = true;
      }
    }
    expect(lied).toBe(true);
    expect(Buffer.from(unzipEntries(bytes, new Set(['word/document.xml']))['word/document.xml'])).toEqual(
      Buffer.from(unzipSync(bytes)['word/document.xml']),
    );
    expect((await readDocx(bytes)).value).toStrictEqual(good.value);
  });
});
