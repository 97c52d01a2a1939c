/**
 * The parts of a DOCX package the production reader reads: word/document.xml and the package
 * relationships, each inflated once, or the reason it cannot have them (mammoth may still read
 * the file, unless it is a zip bomb).
 */
import { strFromU8, unzipSync } from 'fflate';
import { padGridBefore } from './grid-before.js';
import { inflateEntries, ZipBombError } from '../input/zip.js';
import { includesFrom } from './xml-tokenizer.js';

const DOCUMENT_PART = 'word/document.xml';
const PACKAGE_RELS = '_rels/.rels';
const OFFICE_DOCUMENT_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument';

/** Why the package cannot be read here; `unreadable`: by no reader (a zip bomb), else mammoth may. */
export type PackageRefusal = { refused: string; unreadable?: true };

/** The main document part mammoth would read, when the package relationships name one. */
function mainDocumentTargets(rels: string): string[] {
  const targets: string[] = [];
  for (const m of rels.matchAll(/<(?:\w+:)?Relationship\b([^>]*)>/g)) {
    const attr = (name: string) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']*)["']`).exec(m[1])?.[1];
    if (attr('Type') === OFFICE_DOCUMENT_REL) targets.push((attr('Target') ?? '').replace(/^\//, ''));
  }
  return targets;
}

const WANTED_PARTS: ReadonlySet<string> = new Set([DOCUMENT_PART, PACKAGE_RELS]);

/** word/document.xml and the package relationships, or why the fast reader cannot have them. */
function wantedParts(bytes: Uint8Array): { parts: Record<string, Uint8Array> } | PackageRefusal {
  try {
    // Node's zlib, without trusting the declared sizes: what comes out is counted against the cap.
    return { parts: inflateEntries(bytes, (name) => WANTED_PARTS.has(name)) };
  } catch (e) {
    // A zip bomb goes no further: not to fflate, not to mammoth.
    if (e instanceof ZipBombError) return { refused: e.message, unreadable: true };
    // ZIP64, a damaged directory, …: below
  }
  try {
    // What the native path does not take (ZIP64, …) fflate may still read; it inflates into
    // buffers of the declared sizes, which sniffing capped.
    return { parts: unzipSync(bytes, { filter: (f) => WANTED_PARTS.has(f.name) }) };
  } catch (e) {
    // mammoth's unzipper may still read it; if not, it raises the read error.
    return { refused: `fflate cannot unzip it (${(e as Error).message.split('\n')[0]})` };
  }
}

/**
 * word/document.xml as the body reader scans it: one latin1 character per byte (the markup is
 * ASCII; the text is decoded from UTF-8 where it is kept), without a UTF-8 byte-order mark,
 * gridBefore rows padded as the mammoth reader pads them.
 */
export function documentXml(bytes: Uint8Array): { xml: string } | PackageRefusal {
  const got = wantedParts(bytes);
  if ('refused' in got) return got;
  const entries = got.parts;
  const rels = entries[PACKAGE_RELS];
  if (rels && mainDocumentTargets(strFromU8(rels)).some((t) => t !== DOCUMENT_PART))
    return { refused: 'main document part is not word/document.xml' };
  const part = entries[DOCUMENT_PART];
  if (!part) return { refused: 'no word/document.xml' };
  let xml = Buffer.from(part.buffer, part.byteOffset, part.byteLength).toString('latin1');
  if (xml.startsWith('\u00ef\u00bb\u00bf')) xml = xml.slice(3); // UTF-8 byte order mark
  // Same placeholder cells the mammoth reader adds, so both put gridBefore rows' cells alike.
  if (includesFrom(xml, '<w:gridBefore', 7)) xml = padGridBefore(xml);
  return { xml };
}
