/**
 * Input type from the bytes, not the file name: a DOCX is a zip holding word/document.xml,
 * a PDF starts with %PDF-, a web page has markup, the plain-text export has tab-led cell lines.
 * Everything else is refused with the reason (legacy .doc, images, other zips, binary junk).
 */
import { unzipSync } from 'fflate';
import { byteOrderMark } from './decode.js';
import type { InputFormat } from '../model.js';
import { MAX_INFLATED_BYTES } from './zip.js';

export type Sniffed = { format: InputFormat } | { format: null; reason: string };

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function startsWith(bytes: Uint8Array, sig: number[]): boolean {
  return sig.every((b, i) => bytes[i] === b);
}

/** Lists a zip's entries and their inflated sizes without inflating anything. */
function zipEntries(bytes: Uint8Array): { name: string; size: number }[] | null {
  const entries: { name: string; size: number }[] = [];
  try {
    unzipSync(bytes, {
      filter: (file) => {
        entries.push({ name: file.name, size: file.originalSize });
        return false;
      },
    });
    return entries;
  } catch {
    return null;
  }
}

/**
 * The control characters among the first `n` bytes, or -1 at a NUL. Nothing but `return` follows
 * the loop: V8 compiles a long loop on its own (on-stack replacement) while the first document is
 * in it, and reuses that code; an operation after the loop that had never run was missing from
 * it, and threw it away on every document (`control > n * 0.02` here: 609 deoptimisations in
 * 1,000 HTML pages; measured: docs/performance.md).
 */
function controlCharacters(bytes: Uint8Array, n: number): number {
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0) return -1;
    if (b < 0x09 || (b > 0x0d && b < 0x20)) control++;
  }
  return control;
}

/** A NUL, or more than 2% control characters, in the first 8 KB. */
function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  const control = controlCharacters(bytes, n);
  return control < 0 || control > n * 0.02;
}

/** %PDF- within the first 1024 bytes, as PDF readers accept it (some servers prepend junk). */
function isPdf(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  const at = head.indexOf('%PDF-');
  return at === 0 || (at > 0 && !/<[a-z!]/i.test(head.slice(0, at)));
}

export function sniff(bytes: Uint8Array): Sniffed {
  if (bytes.length === 0) return { format: null, reason: 'empty file' };
  if (startsWith(bytes, ZIP)) {
    const entries = zipEntries(bytes);
    if (!entries) return { format: null, reason: 'a zip archive that cannot be read (truncated or corrupt)' };
    const names = entries.map((e) => e.name);
    const inflated = entries.reduce((sum, e) => sum + e.size, 0);
    if (inflated > MAX_INFLATED_BYTES) {
      return { format: null, reason: `a zip that would inflate to ${Math.round(inflated / 1048576)} MB (zip bomb?)` };
    }
    if (names.includes('word/document.xml')) return { format: 'docx' };
    if (names.includes('[Content_Types].xml'))
      return { format: null, reason: 'an Office file that is not a Word document' };
    return { format: null, reason: 'a zip archive that is not a DOCX' };
  }
  if (isPdf(bytes)) return { format: 'pdf' };
  if (startsWith(bytes, OLE))
    return { format: null, reason: 'a legacy Word .doc or other OLE file (save it as .docx)' };
  if (
    startsWith(bytes, [0x89, 0x50, 0x4e, 0x47]) ||
    startsWith(bytes, [0xff, 0xd8, 0xff]) ||
    startsWith(bytes, [0x47, 0x49, 0x46])
  ) {
    return { format: null, reason: 'an image, not a report' };
  }
  if (startsWith(bytes, [0x7b, 0x5c, 0x72, 0x74, 0x66]))
    return { format: null, reason: 'an RTF file (save it as .docx)' };
  // UTF-16 (its byte-order mark says which end first) is all zero bytes to the binary test.
  const bom = byteOrderMark(bytes);
  const utf16 = bom && bom.charset !== 'utf-8' ? bom : null;
  if (!utf16 && looksBinary(bytes)) return { format: null, reason: 'binary data that is neither DOCX, HTML nor text' };
  const head = utf16
    ? new TextDecoder(utf16.charset).decode(bytes.subarray(utf16.length, utf16.length + 65536))
    : Buffer.from(bytes.subarray(0, 65536)).toString('latin1');
  if (/<(!doctype\s+html|html|head|body|table|meta|div|p)[\s>]/i.test(head)) return { format: 'html' };
  if (/^\t/m.test(head) || bytes.length > 0) return { format: 'txt' };
  return { format: null, reason: 'unrecognised content' };
}
