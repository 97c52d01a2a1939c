/**
 * bytes → (sniff) → reader → DocumentModel → recogniser → canonical cells + metadata.
 * Four readers (DOCX, HTML, text, PDF), one recogniser. Every step adds messages; only an unreadable document throws
 * (a StageError naming the stage). Outside extractors/, reached through index.ts, which loads it
 * only when a document is extracted.
 */
import { extractClaims, type Claim } from './claims/index.js';
import { readDocx } from './docx/reader.js';
import { readHtmlFast } from './html/reader.js';
import { readPdf } from './pdf/index.js';
import { StageError, type DocumentModel, type Grid, type InputFormat, type Message, type Result } from './model.js';
import { readMeta, type ReportMeta } from './recognise/meta.js';
import { recogniseTables, type ExtractedCell } from './recognise/tables.js';
import { sniff } from './input/sniff.js';
import type { TableId, TemplateVersion } from '../domain/index.js';
import { readTxt } from './text/reader.js';

export interface Extraction {
  format: InputFormat;
  meta: ReportMeta;
  template: TemplateVersion | null;
  cells: ExtractedCell[];
  /** What the prose says about the tables. */
  claims: Claim[];
  tablesFound: TableId[];
  status: 'ok' | 'partial' | 'failed';
  /** stage: reason, when partial or failed. */
  error: string | null;
}

export type DocumentReader = (bytes: Uint8Array) => Result<DocumentModel> | Promise<Result<DocumentModel>>;

export const READERS: Record<InputFormat, DocumentReader> = {
  docx: readDocx,
  html: readHtmlFast,
  txt: readTxt,
  pdf: readPdf,
};

export async function readDocument(
  bytes: Uint8Array,
  readers: Record<InputFormat, DocumentReader> = READERS,
): Promise<Result<DocumentModel>> {
  const sniffed = sniff(bytes);
  if (sniffed.format === null) throw new StageError('sniff', sniffed.reason);
  return readers[sniffed.format](bytes);
}

/** Recognises the template in a document model: top-level tables first, nested ones only if that finds nothing. */
export function recognise(model: DocumentModel, messages: Message[]): Extraction {
  const grids = model.blocks.flatMap((b) => (b.kind === 'table' ? [b.grid] : []));
  const topLevel: Grid[] = grids.filter((g) => g.depth === 0);
  const scratch: Message[] = [];
  let rec = recogniseTables(topLevel, scratch);
  if (rec.tablesFound.length < 3 && grids.length > topLevel.length) {
    // Layout tables on old sites wrap the report's tables: look inside them too.
    const nestedMessages: Message[] = [];
    const nested = recogniseTables(
      grids.filter((g) => g.depth > 0),
      nestedMessages,
    );
    if (nested.tablesFound.length > rec.tablesFound.length) {
      messages.push({ type: 'info', stage: 'recognise', message: 'statistics tables found inside a layout table' });
      rec = nested;
      scratch.length = 0;
      scratch.push(...nestedMessages);
    }
  }
  messages.push(...scratch);
  const meta = readMeta(model, messages);
  const missing = (['T2', 'T3', 'T4'] as TableId[]).filter((t) => !rec.tablesFound.includes(t));
  let status: Extraction['status'] = 'ok';
  let error: string | null = null;
  if (rec.tablesFound.length === 0) {
    status = 'failed';
    error =
      grids.length === 0
        ? 'recognise: no table in the document (tables printed as images, or not a report)'
        : `recognise: none of T2, T3, T4 found among ${grids.length} tables`;
  } else if (missing.length > 0) {
    status = 'partial';
    error = `recognise: ${missing.join(', ')} not found`;
  }
  if (status !== 'failed' && !rec.template) {
    messages.push({ type: 'warning', stage: 'recognise', message: 'format version not recognisable from the headers' });
  }
  const paragraphs = model.blocks.flatMap((b) => (b.kind === 'paragraph' ? [b.text] : []));
  const claims = extractClaims(paragraphs);
  return {
    format: model.format,
    meta,
    template: rec.template,
    cells: rec.cells,
    claims,
    tablesFound: rec.tablesFound,
    status,
    error,
  };
}

/** Milliseconds spent reading (bytes → model) and recognising (model → cells) one document. */
export interface StageTimings {
  read_ms: number;
  recognise_ms: number;
}

export async function extractDocument(
  bytes: Uint8Array,
  readers?: Record<InputFormat, DocumentReader>,
): Promise<Result<Extraction> & { timings: StageTimings }> {
  const t0 = performance.now();
  const read = await readDocument(bytes, readers);
  const t1 = performance.now();
  const messages: Message[] = [...read.messages];
  const extraction = recognise(read.value, messages);
  return { value: extraction, messages, timings: { read_ms: t1 - t0, recognise_ms: performance.now() - t1 } };
}
