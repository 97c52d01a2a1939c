/**
 * The production DOCX reader: word/document.xml (docx/package.ts) read in one streaming pass
 * (docx/body-reader.ts over docx/xml-tokenizer.ts) into the same DocumentModel as the mammoth
 * reader (docx/reference-mammoth.ts), which stays the reference and reads what this one refuses.
 */
import { BodyReader } from './body-reader.js';
import { documentXml, type PackageRefusal } from './package.js';
import { Refusal } from './xml-tokenizer.js';
import { result, StageError, type DocumentModel, type Message, type Result } from '../model.js';

type FastRead = { model: DocumentModel } | PackageRefusal;

function readFast(bytes: Uint8Array): FastRead {
  const doc = documentXml(bytes);
  if ('refused' in doc) return doc;
  try {
    return { model: new BodyReader().read(doc.xml) };
  } catch (e) {
    return { refused: e instanceof Refusal ? e.message : `unexpected ${(e as Error).name}: ${(e as Error).message}` };
  }
}

/**
 * Reads a DOCX in one streaming pass; null when the document holds something only mammoth
 * reads faithfully (or fflate cannot unzip it). Never throws.
 */
export function readDocxFast(bytes: Uint8Array): Result<DocumentModel> | null {
  const fast = readFast(bytes);
  return 'model' in fast ? result(fast.model) : null;
}

/**
 * The DOCX reader: the fast one, or mammoth for what the fast one refuses (an info message
 * says why). Throws mammoth's StageError('read', …) for a file that is not a readable DOCX.
 */
export async function readDocx(bytes: Uint8Array): Promise<Result<DocumentModel>> {
  const fast = readFast(bytes);
  if ('model' in fast) return result(fast.model);
  if (fast.unreadable) throw new StageError('read', fast.refused);
  // The reference reader, loaded only when needed (mammoth and cheerio are most of a worker's memory).
  const { readDocxMammoth } = await import('./reference-mammoth.js');
  const slow = await readDocxMammoth(bytes);
  const note: Message = { type: 'info', stage: 'read', message: `fell back to mammoth: ${fast.refused}` };
  return result(slow.value, [note, ...slow.messages]);
}
