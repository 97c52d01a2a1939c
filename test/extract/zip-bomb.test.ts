/**
 * Zip bombs fail fast, with a reason, in bounded memory: inflation is capped by the bytes actually
 * produced, not by what the zip declares. Real crafted zips, read in a child process (the compiled
 * readers) whose peak RSS is measured.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, crc32, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';

interface Entry {
  name: string;
  /** Deflated bytes (method 8). */
  data: Buffer;
  /** Size the headers declare (the truth, or a lie). */
  declared: number;
  crc: number;
}

/** A zip written field by field, so its headers can say what they like. */
function zip(entries: Entry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(e.crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.declared, 22);
    local.writeUInt16LE(name.length, 26);
    const dir = Buffer.alloc(46);
    dir.writeUInt32LE(0x02014b50, 0);
    dir.writeUInt16LE(20, 4);
    dir.writeUInt16LE(20, 6);
    dir.writeUInt16LE(8, 10);
    dir.writeUInt32LE(e.crc, 16);
    dir.writeUInt32LE(e.data.length, 20);
    dir.writeUInt32LE(e.declared, 24);
    dir.writeUInt16LE(name.length, 28);
    dir.writeUInt32LE(offset, 42);
    parts.push(local, name, e.data);
    central.push(dir, name);
    offset += 30 + name.length + e.data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cd, end]);
}

const honest = (name: string, text: string): Entry => {
  const raw = Buffer.from(text);
  return { name, data: deflateRawSync(raw), declared: raw.length, crc: crc32(raw) };
};

const TYPES =
  '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>';
const RELS =
  '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>';
const HEAD =
  '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>';
const PARAGRAPH = '<w:p><w:r><w:t>某某局2023年政府信息公开工作年度报告</w:t></w:r></w:p>';

/**
 * A word/document.xml deflate stream inflating to `mb` MB of paragraphs, made of one MB's deflated
 * blocks repeated (sync-flushed blocks concatenate), so a GB costs a second and a few MB to write.
 */
function documentStream(mb: number): { data: Buffer; size: number; crc: number } {
  const mbOfParagraphs = Buffer.from(PARAGRAPH.repeat(Math.floor((1 << 20) / Buffer.byteLength(PARAGRAPH))));
  const block = deflateRawSync(mbOfParagraphs, { finishFlush: constants.Z_SYNC_FLUSH });
  const head = deflateRawSync(Buffer.from(HEAD), { finishFlush: constants.Z_SYNC_FLUSH });
  const blocks = Math.round((mb * (1 << 20)) / mbOfParagraphs.length);
  const tail = deflateRawSync(Buffer.from('</w:body></w:document>'));
  const size = Buffer.byteLength(HEAD) + blocks * mbOfParagraphs.length + 22;
  return { data: Buffer.concat([head, ...new Array(blocks).fill(block), tail]), size, crc: 0 };
}

/** Extracts one file in a child process; its outcome, wall time and peak RSS. */
function extractInChild(path: string): { outcome: string; ms: number; peakMb: number } {
  const script = `
    import { readFileSync } from 'node:fs';
    const { extractDocument } = await import(${JSON.stringify(join(ROOT, 'dist', 'extractors', 'index.js'))});
    const t0 = Date.now();
    let outcome;
    try { const r = await extractDocument(readFileSync(process.argv[1])); outcome = 'read: ' + r.value.status; }
    catch (e) { outcome = e.message; }
    console.log(JSON.stringify({ outcome, ms: Date.now() - t0, peakMb: Math.round(process.resourceUsage().maxRSS / 1024) }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, path], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0)
    return { outcome: `child failed: ${r.signal ?? r.status} ${r.stderr.slice(-300)}`, ms: Infinity, peakMb: Infinity };
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const dir = tempDir('goa-bomb-');

/** A DOCX of the given parts beside [Content_Types].xml and the package relationships, written to a file. */
function docxFile(name: string, parts: Entry[]): string {
  const file = join(dir, name);
  writeFileSync(file, zip([honest('[Content_Types].xml', TYPES), honest('_rels/.rels', RELS), ...parts]));
  return file;
}

const doctypeDocument = honest(
  'word/document.xml',
  HEAD.replace('?>', '?><!DOCTYPE w:document>') + PARAGRAPH + '</w:body></w:document>',
);

describe('zip bombs', () => {
  const gb = documentStream(1024);
  const honest200 = documentStream(200);
  /** case → [the parts beside the package's, the failure expected, most ms, most MB of peak RSS] */
  const cases: Record<string, [Entry[], RegExp, number, number]> = {
    'a zip whose directory lies about sizes (1 KB declared, 1 GB inflated) fails at reading': [
      [{ name: 'word/document.xml', data: gb.data, declared: 1024, crc: 0 }],
      /^read: .*inflate past \d+ MB \(zip bomb\?\)/,
      5_000,
      400,
    ],
    'a zip declaring 250 MB (under the old cap) that inflates to 1 GB is refused without inflating': [
      [{ name: 'word/document.xml', data: gb.data, declared: 250 << 20, crc: 0 }],
      /^sniff: a zip that would inflate to 250 MB \(zip bomb\?\)/,
      2_000,
      300,
    ],
    'a DOCX that goes to mammoth (a DOCTYPE in document.xml) with a bomb in another part: mammoth never sees it': [
      [doctypeDocument, { name: 'word/styles.xml', data: gb.data, declared: 2048, crc: 0 }],
      /^read: .*inflate past \d+ MB \(zip bomb\?\)/,
      5_000,
      400,
    ],
    'a 200 KB zip that honestly inflates to 200 MB is refused before inflating': [
      [{ name: 'word/document.xml', data: honest200.data, declared: honest200.size, crc: 0 }],
      /^sniff: a zip that would inflate to 200 MB \(zip bomb\?\)/,
      2_000,
      300,
    ],
  };

  it.each(Object.keys(cases))('%s', (name) => {
    const [parts, failure, ms, mb] = cases[name];
    const r = extractInChild(docxFile(`${name.length}.docx`, parts));
    expect(r.outcome).toMatch(failure);
    expect(r.ms).toBeLessThan(ms);
    expect(r.peakMb).toBeLessThan(mb);
  });

  it('the bombs are small files', () => {
    expect(gb.data.length).toBeLessThan(4 << 20);
    expect(honest200.data.length).toBeLessThan(1 << 20);
  });

  it('a document well under the cap, honestly declared, is still read (no table: a failed recognise, not a refusal)', () => {
    const doc = documentStream(8);
    expect(
      extractInChild(
        docxFile('large.docx', [{ name: 'word/document.xml', data: doc.data, declared: doc.size, crc: 0 }]),
      ).outcome,
    ).toBe('read: failed');
  });
});
