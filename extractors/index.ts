/**
 * The public face of extractors/: nothing outside this folder imports any other file in it.
 *
 * What the rest of the pipeline reads from here without extracting anything (the charset
 * detection, the message types, the packed cells, the extractor's version) is loaded at once (the
 * canonical keys and agency names it uses are domain/'s); the readers and the recogniser
 * (extract-document.ts) only when a document is extracted, so the main thread, which extracts
 * nothing as long as there are workers, never loads them.
 * Neither does a worker load the reference readers (cheerio, mammoth): the DOCX reader imports
 * mammoth only for a document it hands back.
 */
import type { DocumentReader, Extraction, StageTimings } from './extract-document.js';
import type { InputFormat, Result } from './model.js';

export type { DocumentReader, Extraction, StageTimings } from './extract-document.js';
export type { ExtractedCell } from './recognise/tables.js';
export type { DocumentModel, Grid, InputFormat, Message, Result, Severity } from './model.js';
export { StageError } from './model.js';
export { EXTRACTOR_VERSION } from './version.js';
export { decodeGb18030, decodeText, detectCharset } from './input/decode.js';
/** pdfjs-dist as the PDF reader opens it (the benchmark's floor parses PDFs with it alone). */
export { openPdf } from './pdf/pdfjs.js';

/** Reads and recognises one document (bytes → canonical cells, metadata, claims), with the time each stage took. */
export async function extractDocument(
  bytes: Uint8Array,
  readers?: Record<InputFormat, DocumentReader>,
): Promise<Result<Extraction> & { timings: StageTimings }> {
  const extraction = await import('./extract-document.js');
  return extraction.extractDocument(bytes, readers);
}
export { gridAt, packExtraction, stringAt, valueAt } from './packed-cells.js';
export type { PackedExtraction } from './packed-cells.js';
