/**
 * The PDF reader: the text layer and the ruling lines of every page (pdfjs-dist) laid out into
 * the same document model the other readers make — paragraphs, and tables as grids with their
 * spans expanded — so the one recogniser reads it. No OCR: a PDF without a text layer fails.
 */
import { result, StageError, type DocumentModel, type Message, type Result } from '../model.js';
import { assemble } from './document.js';
import { multiply, pageGeometry, type Matrix } from './geometry.js';
import { layoutPage, type PageLayout } from './page.js';
import { openPdf, type PdfDocument } from './pdfjs.js';
import { streamTables } from './stream.js';
import { textItems } from './text.js';

/** A report runs to a few dozen pages; more than this is not one (or is a bomb). */
export const MAX_PDF_PAGES = 300;
/** Objects a PDF may declare (its cross-reference /Size). */
export const MAX_PDF_OBJECTS = 200_000;
/** Text characters below which a document counts as having no text layer. */
const MIN_TEXT_CHARS = 20;

/** The largest /Size a cross-reference section or stream declares (read from the bytes' tail, before pdfjs). */
function declaredObjects(bytes: Uint8Array): number {
  const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 1_048_576))).toString('latin1');
  let max = 0;
  for (const m of tail.matchAll(/\/Size\s+(\d{1,12})/g)) max = Math.max(max, Number(m[1]));
  return max;
}

function hasEnd(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(Math.max(0, bytes.length - 2048)))
    .toString('latin1')
    .includes('%%EOF');
}

/** pdfjs's exceptions, told apart by name (they cross no thread, but their classes are the module's). */
function readFailure(e: unknown): StageError {
  if (e instanceof StageError) return e;
  const err = e as { name?: string; message?: string; code?: number };
  const msg = String(err?.message ?? e).split('\n')[0];
  if (err?.name === 'PasswordException') return new StageError('read', `加密的 PDF，需要密码才能打开（${msg}）`);
  if (err?.name === 'InvalidPDFException') return new StageError('read', `PDF 文件损坏，无法解析（${msg}）`);
  return new StageError('read', `PDF 文件无法读取（${msg}）`);
}

export async function readPdf(bytes: Uint8Array): Promise<Result<DocumentModel>> {
  if (!hasEnd(bytes)) throw new StageError('read', 'PDF 文件不完整（结尾缺少 %%EOF，可能下载中断或被截断）');
  const objects = declaredObjects(bytes);
  if (objects > MAX_PDF_OBJECTS)
    throw new StageError('read', `PDF 声明了 ${objects} 个对象，超过上限 ${MAX_PDF_OBJECTS}（PDF 炸弹？）`);
  const messages: Message[] = [];
  let doc: PdfDocument | null = null;
  try {
    // Images are never decoded (maxImageSize 1 pixel): the reader wants text and lines only.
    const opened = await openPdf(bytes, { maxImageSize: 1 });
    doc = opened.doc;
    const { pdfjs } = opened;
    if (doc.numPages > MAX_PDF_PAGES)
      throw new StageError('read', `PDF 有 ${doc.numPages} 页，超过上限 ${MAX_PDF_PAGES} 页（PDF 炸弹？）`);
    const pages: PageLayout[] = [];
    let chars = 0;
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      // The page as shown: its /Rotate and crop box applied (the viewport, y down), then y turned up.
      const viewport = page.getViewport({ scale: 1 });
      const toPage = multiply([1, 0, 0, -1, 0, viewport.height], viewport.transform as Matrix);
      const content = await page.getTextContent({ disableNormalization: false });
      const ops = await page.getOperatorList({ annotationMode: pdfjs.AnnotationMode.DISABLE });
      const items = textItems(content.items, toPage);
      chars += items.reduce((s, i) => s + i.str.replace(/\s/g, '').length, 0);
      const segments = pageGeometry(pdfjs.OPS, ops.fnArray, ops.argsArray, toPage);
      const layout = streamTables(layoutPage(n, viewport.height, items, segments));
      // A table reaching the very edge of the paper was cut there (printed pages keep margins).
      if (layout.tables.some((t) => t.lattice.box.x1 > viewport.width - 3 || t.lattice.box.x0 < 3)) {
        messages.push({
          type: 'warning',
          stage: 'read',
          message: `page ${n}: a table runs past the edge of the page; what was cut off is not in the file`,
        });
      }
      pages.push(layout);
      page.cleanup();
    }
    if (chars < MIN_TEXT_CHARS) {
      throw new StageError(
        'read',
        `扫描件，无文字层（${doc.numPages} 页，共 ${chars} 个字符；本工具不做文字识别 OCR）`,
      );
    }
    return result({ format: 'pdf', blocks: assemble(pages) }, messages);
  } catch (e) {
    throw readFailure(e);
  } finally {
    if (doc) await doc.destroy().catch(() => undefined);
  }
}
