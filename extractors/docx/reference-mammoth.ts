/**
 * The reference DOCX reader, through mammoth: docx → mammoth's HTML → the HTML table walker
 * (html/reference-cheerio.ts). Not the production path (docx/reader.ts, which the equivalence
 * tests hold to this one), but its fallback for what it refuses, imported only then.
 * Two mammoth traps are handled here:
 * - rows using w:gridBefore come out shifted left without warning, so such rows get
 *   placeholder cells in document.xml before mammoth sees it;
 * - "cell merging may be incorrect" marks the table's layout as suspect.
 */
import * as cheerio from 'cheerio';
import type { AnyNode } from 'domhandler';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import mammoth from 'mammoth';
import { padGridBefore } from './grid-before.js';
import { inflateEntries, ZipBombError } from '../input/zip.js';
import { modelFromDom } from '../html/reference-cheerio.js';
import { result, StageError, type DocumentModel, type Message, type Result } from '../model.js';

const GRID_BEFORE = /<w:gridBefore\b/;

/**
 * The zip mammoth reads: every entry inflated here, counting what comes out (a zip bomb throws
 * ZipBombError at the cap instead of filling memory inside mammoth's unzipper), gridBefore rows
 * padded, stored again uncompressed with true sizes.
 */
function repackedForMammoth(bytes: Uint8Array): Uint8Array {
  let entries: Record<string, Uint8Array>;
  try {
    entries = inflateEntries(bytes, () => true);
  } catch (e) {
    if (e instanceof ZipBombError) throw e;
    // What the native reader does not take (ZIP64, …): fflate inflates into buffers of the
    // declared sizes, which sniffing capped.
    entries = unzipSync(bytes);
  }
  const doc = entries['word/document.xml'];
  if (doc) {
    const xml = strFromU8(doc);
    if (GRID_BEFORE.test(xml)) entries['word/document.xml'] = strToU8(padGridBefore(xml));
  }
  return zipSync(entries, { level: 0 });
}

export async function readDocxMammoth(bytes: Uint8Array): Promise<Result<DocumentModel>> {
  const messages: Message[] = [];
  let converted: { value: string; messages: { type: string; message: string }[] };
  try {
    const buffer = Buffer.from(repackedForMammoth(bytes));
    converted = await mammoth.convertToHtml({ buffer }, { ignoreEmptyParagraphs: false });
  } catch (e) {
    if (e instanceof ZipBombError) throw new StageError('read', e.message);
    throw new StageError('read', `not a readable DOCX (${(e as Error).message.split('\n')[0]})`);
  }
  const suspect = converted.messages.find((m) => /cell merging may be incorrect/.test(m.message));
  for (const m of converted.messages) {
    // Mammoth reports every unknown style; only what bears on tables and text is worth keeping.
    if (/style|image|unrecognised element/i.test(m.message) && !/merging/.test(m.message)) continue;
    messages.push({ type: m.type === 'error' ? 'error' : 'warning', stage: 'read', message: `mammoth: ${m.message}` });
  }
  const $ = cheerio.load(`<body>${converted.value}</body>`);
  const body = $('body').get(0) as AnyNode;
  let model = modelFromDom([body], 'docx');
  if (suspect) {
    model = {
      ...model,
      blocks: model.blocks.map((b) =>
        b.kind === 'table' ? { kind: 'table', grid: { ...b.grid, layoutSuspect: suspect.message } } : b,
      ),
    };
  }
  return result(model, messages);
}
