/**
 * The named entries of a zip, inflated by Node's zlib (native: a DOCX's document.xml inflates
 * in a fifth of the time fflate's JavaScript inflater takes). Only what a DOCX needs: stored and
 * deflated entries, found through the central directory.
 *
 * Inflation is capped by the bytes actually produced, never by what the zip declares: zlib
 * counts its output as it goes and stops at the cap (`maxOutputLength`), so a zip bomb costs
 * the cap's memory and a fraction of a second, whatever its headers say.
 */
import { inflateRawSync } from 'node:zlib';

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * Most the entries of a DOCX may inflate to, together (declared, at sniffing; produced, when
 * read). A report's document.xml is well under 1 MB; a DOCX with photos inflates to about its
 * own size, at most the 50 MB a file may have.
 */
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

/** A zip whose entries inflate past the cap: a bomb, or a lie; not worth reading further. */
export class ZipBombError extends Error {
  constructor(cap: number) {
    super(`the zip's entries inflate past ${Math.round(cap / 1048576)} MB (zip bomb?)`);
    this.name = 'ZipBombError';
  }
}

interface RawEntry {
  name: string;
  flags: number;
  method: number;
  /** The entry's compressed bytes (a view of the zip). */
  data: Uint8Array;
}

/** The entries of the central directory; throws on what this reader does not take (ZIP64, a damaged directory). */
function* centralEntries(bytes: Uint8Array, wanted: (name: string) => boolean): Generator<RawEntry> {
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
  for (let n = 0; n < count; n++) {
    if (view.getUint32(at, true) !== CENTRAL) throw new Error('bad central directory');
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const compressed = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = Buffer.from(bytes.buffer, bytes.byteOffset + at + 46, nameLength).toString(
      flags & 0x800 ? 'utf8' : 'latin1',
    );
    at += 46 + nameLength + extraLength + commentLength;
    if (!wanted(name)) continue;
    if (flags & 1) throw new Error('encrypted entry');
    if (view.getUint32(local, true) !== LOCAL) throw new Error('bad local header');
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const data = bytes.subarray(start, start + compressed);
    if (data.length !== compressed) throw new Error('entry runs past the end');
    if (method !== 0 && method !== 8) throw new Error(`compression method ${method}`);
    yield { name, flags, method, data };
  }
}

/** Inflates one entry, producing at most `room` bytes (zlib stops as soon as it would produce more). */
function inflateAtMost(e: RawEntry, room: number): Uint8Array | null {
  if (e.method === 0) return e.data.length > room ? null : e.data;
  try {
    return inflateRawSync(e.data, { maxOutputLength: Math.max(room, 1) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return null;
    throw err;
  }
}

/**
 * The wanted entries, whatever sizes the zip declares, as long as they inflate to at most
 * `cap` bytes together; past it, ZipBombError. Other oddities (ZIP64, a damaged directory) throw.
 */
export function inflateEntries(
  bytes: Uint8Array,
  wanted: (name: string) => boolean,
  cap = MAX_INFLATED_BYTES,
): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  let produced = 0;
  for (const e of centralEntries(bytes, wanted)) {
    const data = inflateAtMost(e, cap - produced);
    if (!data) throw new ZipBombError(cap);
    produced += data.length;
    out[e.name] = data;
  }
  return out;
}
