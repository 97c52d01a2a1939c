/** Decoding of fetched pages: the extractor's decoder, with the HTTP Content-Type as a hint. */
import { decodeText as decode, detectCharset as detect } from '../../extractors/index.js';

/** The charset a page is decoded with (GBK and GB2312 read as their superset GB18030), decided without decoding it. */
export function detectCharset(bytes: Uint8Array, contentType: string | null): string {
  return detect(bytes, [], contentType).charset;
}

export function decodeText(bytes: Uint8Array, contentType: string | null = null): string {
  return decode(bytes, [], contentType).text;
}
