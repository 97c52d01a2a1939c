/**
 * The fast DOCX reader inflates each part it reads once. A zip whose directory declares another
 * size than its entry inflates to used to be inflated a first time by a reader that checked the
 * declared size, then again by one that does not trust it. zlib's own inflater is counted (a
 * spy on Node's module, none of the project's parts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { REPORTS } from '../helpers.js';

const inflated = vi.hoisted(() => ({ calls: 0 }));
vi.mock('node:zlib', async (importOriginal) => {
  const zlib = await importOriginal<typeof import('node:zlib')>();
  const inflateRawSync: typeof zlib.inflateRawSync = (...args) => {
    inflated.calls++;
    return zlib.inflateRawSync(...args);
  };
  return { ...zlib, default: { ...zlib, inflateRawSync }, inflateRawSync };
});

const { readDocx } = await import('../../extractors/docx/reader.js');

const CENTRAL = Buffer.from([0x50, 0x4b, 0x01, 0x02]);

/** A sample DOCX whose central directory declares word/document.xml one byte longer than it is. */
function withLyingSize(name: string): Buffer {
  const bytes = Buffer.from(readFileSync(join(REPORTS, name)));
  for (let at = bytes.indexOf(CENTRAL); at >= 0; at = bytes.indexOf(CENTRAL, at + 4)) {
    const nameLength = bytes.readUInt16LE(at + 28);
    if (bytes.subarray(at + 46, at + 46 + nameLength).toString() === 'word/document.xml') {
      bytes.writeUInt32LE(bytes.readUInt32LE(at + 24) + 1, at + 24);
      return bytes;
    }
  }
  throw new Error('no word/document.xml in the directory');
}

describe('the fast DOCX reader inflates each part once', () => {
  const sample = '2021_平潭综合实验区.docx';
  beforeEach(() => {
    inflated.calls = 0;
  });

  it('an honest zip: word/document.xml and _rels/.rels, one inflation each', async () => {
    const read = await readDocx(readFileSync(join(REPORTS, sample)));
    expect(read.messages).toEqual([]);
    expect(inflated.calls).toBe(2);
  });

  it('a zip whose directory lies about a size: still one inflation each, and the same model', async () => {
    const good = await readDocx(readFileSync(join(REPORTS, sample)));
    inflated.calls = 0;
    const read = await readDocx(withLyingSize(sample));
    expect(read.messages).toEqual([]);
    expect(read.value).toStrictEqual(good.value);
    expect(inflated.calls).toBe(2);
  });
});
