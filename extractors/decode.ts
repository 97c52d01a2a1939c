/**
 * Bytes → text for HTML and the plain-text export. Government sites serve UTF-8 and
 * GBK/GB18030, often without declaring which: BOM first, then a declared charset, then
 * strict UTF-8, then GB18030 (a superset of GBK and GB2312).
 */
import iconv from 'iconv-lite';
import { type Message } from './model.js';

const UTF8_BOM = [0xef, 0xbb, 0xbf];

export interface Decoded {
  readonly text: string;
  readonly charset: string;
  /** How the charset was decided: bom | declared | detected. */
  readonly how: 'bom' | 'declared' | 'detected';
}

/** The charset a page declares in <meta charset> or http-equiv Content-Type, if any. */
export function declaredCharset(bytes: Uint8Array): string | null {
  // The declaration must be in the first bytes and is ASCII in every charset we meet.
  const head = Buffer.from(bytes.subarray(0, 4096)).toString('latin1');
  const m =
    /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)/i.exec(head) ??
    /<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-]+)/i.exec(head);
  return m ? m[1].toLowerCase() : null;
}

/** The charset of an HTTP Content-Type header, if it names one. */
export function charsetFromContentType(contentType: string | null | undefined): string | null {
  const m = contentType ? /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType) : null;
  return m ? m[1].toLowerCase() : null;
}

// Java servers append charset=ISO-8859-1 by default; on these sites it is never the truth.
const UNTRUSTED = new Set(['iso-8859-1', 'latin1', 'us-ascii', 'ascii', 'windows-1252']);

function normaliseCharset(name: string): string | null {
  const n = name.toLowerCase().replace(/_/g, '-');
  if (n === 'utf8' || n === 'utf-8') return 'utf-8';
  if (['gbk', 'gb2312', 'gb-2312', 'gb18030', 'x-gbk', 'cp936', 'euc-cn', 'hz-gb-2312'].includes(n)) return 'gb18030';
  if (n === 'big5' || n === 'big5-hkscs') return 'big5';
  return iconv.encodingExists(n) ? n : null;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The text if the bytes are valid UTF-8, else null (decoded once: this is on the hot path). */
function tryUtf8(bytes: Uint8Array): string | null {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return null;
  }
}

/** Decodes a page or text file; `contentType` is the HTTP header it was served with, if any. */
export function decodeText(bytes: Uint8Array, messages: Message[], contentType?: string | null): Decoded {
  if (UTF8_BOM.every((b, i) => bytes[i] === b)) {
    return { text: new TextDecoder('utf-8').decode(bytes.subarray(3)), charset: 'utf-8', how: 'bom' };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: iconv.decode(Buffer.from(bytes.subarray(2)), 'utf-16le'), charset: 'utf-16le', how: 'bom' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: iconv.decode(Buffer.from(bytes.subarray(2)), 'utf-16be'), charset: 'utf-16be', how: 'bom' };

  const declared = [charsetFromContentType(contentType), declaredCharset(bytes)].find((c): c is string => c !== null && !UNTRUSTED.has(c)) ?? null;
  const charset = declared ? normaliseCharset(declared) : null;
  const utf8 = charset === null || charset === 'utf-8' ? tryUtf8(bytes) : null;
  if (declared) {
    if (charset === 'utf-8' && utf8 === null) {
      // Pages saved from GBK sites keep their old utf-8 declaration; the bytes decide.
      messages.push({ type: 'warning', stage: 'decode', message: `declared charset ${declared} but the bytes are not UTF-8; read as GB18030` });
      return { text: iconv.decode(Buffer.from(bytes), 'gb18030'), charset: 'gb18030', how: 'detected' };
    }
    if (charset && charset !== 'utf-8') return { text: iconv.decode(Buffer.from(bytes), charset), charset, how: 'declared' };
    if (charset === 'utf-8') return { text: utf8!, charset, how: 'declared' };
    messages.push({ type: 'warning', stage: 'decode', message: `unknown declared charset ${declared}; detecting` });
  }
  if (utf8 !== null) return { text: utf8, charset: 'utf-8', how: 'detected' };
  return { text: iconv.decode(Buffer.from(bytes), 'gb18030'), charset: 'gb18030', how: 'detected' };
}
