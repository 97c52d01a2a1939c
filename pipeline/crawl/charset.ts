/** Decoding of fetched pages: Chinese government sites mix UTF-8, GBK and GB18030, often undeclared. */
import iconv from 'iconv-lite';

// GB2312 and GBK pages routinely contain characters only GB18030 (their superset) maps.
const GB_FAMILY = new Set(['gb2312', 'gbk', 'x-gbk', 'cp936', 'windows-936', 'gb18030', 'euc-cn']);
// Java servers append charset=ISO-8859-1 by default; on these sites it is never the truth.
const UNTRUSTED = new Set(['iso-8859-1', 'latin1', 'us-ascii', 'ascii', 'windows-1252']);

export function charsetFromContentType(contentType: string | null): string | null {
  const match = contentType ? /charset\s*=\s*["']?([\w.:-]+)/i.exec(contentType) : null;
  return match ? match[1].toLowerCase() : null;
}

/** `<meta charset=…>` or `<meta http-equiv="Content-Type" content="…; charset=…">` near the top. */
export function charsetFromMeta(bytes: Uint8Array): string | null {
  const head = Buffer.from(bytes.subarray(0, 4096)).toString('latin1');
  const match = /<meta\b[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head);
  return match ? match[1].toLowerCase() : null;
}

export function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The iconv-lite encoding to decode with: the declaration if usable, else UTF-8 if valid, else GB18030. */
export function detectCharset(bytes: Uint8Array, contentType: string | null): string {
  const declared = [charsetFromContentType(contentType), charsetFromMeta(bytes)]
    .find((c): c is string => c !== null && !UNTRUSTED.has(c));
  if (declared && GB_FAMILY.has(declared)) return 'gb18030';
  if (declared && declared !== 'utf-8' && declared !== 'utf8' && iconv.encodingExists(declared)) return declared;
  // Declared UTF-8 or undeclared: invalid UTF-8 is, on these sites, GBK (often saved by an old editor).
  return isValidUtf8(bytes) ? 'utf-8' : 'gb18030';
}

export function decodeText(bytes: Uint8Array, contentType: string | null = null): string {
  return iconv.decode(Buffer.from(bytes), detectCharset(bytes, contentType));
}
