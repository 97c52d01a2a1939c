/**
 * The named entries of a zip, inflated by Node's zlib (native: a DOCX's document.xml inflates
 * in a fifth of the time fflate's JavaScript inflater takes). Only what a DOCX needs: stored and
 * deflated entries, found through the central directory. Anything else (ZIP64, encryption, other
 * methods, a damaged directory) throws, and the caller falls back to fflate.
 */
import { inflateRawSync } from 'node:zlib';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export function unzipEntries(bytes: Uint8Array, wanted: ReadonlySet<string>): Record<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record: 22 bytes, then a comment of at most 65,535 bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('no end of central directory');
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  if (count === 0xffff || at === 0xffffffff) throw new Error('ZIP64');
  const out: Record<string, Uint8Array> = {};
  for (let n = 0; n < count; n++) {
    if (view.getUint32(at, true) !== CENTRAL) throw new Error('bad central directory');
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const compressed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = Buffer.from(bytes.buffer, bytes.byteOffset + at + 46, nameLength).toString(flags & 0x800 ? 'utf8' : 'latin1');
    at += 46 + nameLength + extraLength + commentLength;
    if (!wanted.has(name)) continue;
    if (flags & 1) throw new Error('encrypted entry');
    if (view.getUint32(local, true) !== LOCAL) throw new Error('bad local header');
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const data = bytes.subarray(start, start + compressed);
    if (data.length !== compressed) throw new Error('entry runs past the end');
    if (method === 0) out[name] = data;
    else if (method === 8) out[name] = inflateRawSync(data, { maxOutputLength: Math.max(size, 1) });
    else throw new Error(`compression method ${method}`);
    if (out[name].length !== size) throw new Error('inflated size differs from the declared one');
  }
  return out;
}
