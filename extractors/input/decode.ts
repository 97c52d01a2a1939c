/**
 * Bytes → text for HTML and the plain-text export. Government sites serve UTF-8 and
 * GBK/GB18030, often without declaring which: BOM first, then a declared charset, then
 * strict UTF-8, then GB18030 (a superset of GBK and GB2312).
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { createRequire } from 'node:module';
import type iconvModule from 'iconv-lite';
import type { Message } from '../model.js';

/**
 * iconv-lite, loaded by the first page that is not UTF-8 (or names a charset): most runs read
 * UTF-8 alone, and as a module import (CommonJS, scanned for its exports) it cost every worker's
 * start-up (docs/performance.md).
 */
let iconvLoaded: typeof iconvModule | null = null;
const iconv = (): typeof iconvModule =>
  (iconvLoaded ??= createRequire(import.meta.url)('iconv-lite') as typeof iconvModule);

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
    /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)/i.exec(head) ??
    /<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_-]+)/i.exec(head);
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
  return iconv().encodingExists(n) ? n : null;
}

/** What the bytes are: their charset, how it was decided, and the length of a byte-order mark to skip. */
export interface Charset {
  readonly charset: string;
  readonly how: Decoded['how'];
  readonly bomLength: number;
}

/** The byte-order mark the bytes start with, if any: the charset it declares and its length. */
export function byteOrderMark(
  bytes: Uint8Array,
): { charset: 'utf-8' | 'utf-16le' | 'utf-16be'; length: number } | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { charset: 'utf-8', length: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { charset: 'utf-16le', length: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { charset: 'utf-16be', length: 2 };
  return null;
}

/** Decides the charset of a page or text file; `contentType` is the HTTP header it was served with, if any. */
export function detectCharset(bytes: Uint8Array, messages: Message[], contentType?: string | null): Charset {
  const bom = byteOrderMark(bytes);
  if (bom) return { charset: bom.charset, how: 'bom', bomLength: bom.length };

  const declared =
    [charsetFromContentType(contentType), declaredCharset(bytes)].find(
      (c): c is string => c !== null && !UNTRUSTED.has(c),
    ) ?? null;
  const charset = declared ? normaliseCharset(declared) : null;
  // Validated without decoding (decoding is most of the cost, and the HTML reader decodes less than all).
  const utf8 = (charset === null || charset === 'utf-8') && isUtf8(bytes);
  if (declared) {
    if (charset === 'utf-8' && !utf8) {
      // Pages saved from GBK sites keep their old utf-8 declaration; the bytes decide.
      messages.push({
        type: 'warning',
        stage: 'decode',
        message: `declared charset ${declared} but the bytes are not UTF-8; read as GB18030`,
      });
      return { charset: 'gb18030', how: 'detected', bomLength: 0 };
    }
    if (charset === 'gb18030' && isUtf8(bytes) && !isAscii(bytes)) {
      // A page re-saved as UTF-8 keeps its old gbk declaration: Chinese in UTF-8 is valid UTF-8, and
      // real GBK text almost never is (its lead bytes would need the continuation bytes UTF-8 asks for).
      messages.push({
        type: 'warning',
        stage: 'decode',
        message: `declared charset ${declared} but the bytes are UTF-8 (valid UTF-8 with non-ASCII text); read as UTF-8`,
      });
      return { charset: 'utf-8', how: 'detected', bomLength: 0 };
    }
    if (charset) return { charset, how: 'declared', bomLength: 0 };
    messages.push({ type: 'warning', stage: 'decode', message: `unknown declared charset ${declared}; detecting` });
  }
  return { charset: utf8 ? 'utf-8' : 'gb18030', how: 'detected', bomLength: 0 };
}

/** The bytes after their byte-order mark, as a Buffer over the same memory. */
export function bodyOf(bytes: Uint8Array, c: Charset): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset + c.bomLength, bytes.byteLength - c.bomLength);
}

/**
 * True when the body is valid UTF-8: then every ASCII byte is a character of its own, and the
 * markup can be read byte by byte (as latin1) and only what is kept decoded.
 */
export function isValidUtf8Body(bytes: Uint8Array, c: Charset): boolean {
  return c.charset === 'utf-8' && (c.how !== 'bom' || isUtf8(bodyOf(bytes, c)));
}

export function decodeWith(bytes: Uint8Array, c: Charset): string {
  const body = bodyOf(bytes, c);
  if (c.charset !== 'utf-8') return iconv().decode(body, c.charset);
  // Invalid sequences (possible only after a BOM) become U+FFFD, as a browser shows them.
  return c.how === 'bom' ? new TextDecoder('utf-8').decode(body) : body.toString('utf8');
}

/** Bytes as GB18030 (file names from Chinese Windows), by iconv-lite, loaded the first time. */
export function decodeGb18030(bytes: Buffer): string {
  return iconv().decode(bytes, 'gb18030');
}

/** Decodes a page or text file; `contentType` is the HTTP header it was served with, if any. */
export function decodeText(bytes: Uint8Array, messages: Message[], contentType?: string | null): Decoded {
  const c = detectCharset(bytes, messages, contentType);
  return { text: decodeWith(bytes, c), charset: c.charset, how: c.how };
}
