/**
 * The floor: only the unavoidable work per document — read the bytes, unzip word/document.xml
 * and tokenise it with a streaming XML parser (DOCX), or decode and tokenise the markup (HTML),
 * or decode and split lines (text), or have pdfjs parse every page's text content and operator
 * list (PDF). Runs in a worker thread over its share of the files.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { strFromU8, unzipSync } from 'fflate';
import { Parser } from 'htmlparser2';
import { SaxesParser } from 'saxes';
import { decodeText, openPdf } from '../../extractors/index.js';

/** pdfjs's own work on a PDF: the document opened, every page's text and operators, nothing made of them. */
async function floorPdf(bytes: Uint8Array): Promise<number> {
  const { pdfjs, doc } = await openPdf(bytes, { maxImageSize: 1 });
  let tokens = 0;
  try {
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      tokens += (await page.getTextContent()).items.length;
      tokens += (await page.getOperatorList({ annotationMode: pdfjs.AnnotationMode.DISABLE })).fnArray.length;
      page.cleanup();
    }
  } finally {
    await doc.destroy();
  }
  return tokens;
}

async function floorOne(path: string): Promise<number> {
  const bytes = readFileSync(path);
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return floorPdf(bytes);
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    const files = unzipSync(bytes, { filter: (f) => f.name === 'word/document.xml' });
    const sax = new SaxesParser();
    let tokens = 0;
    sax.on('opentag', () => tokens++);
    sax.on('text', () => tokens++);
    sax.write(strFromU8(files['word/document.xml'])).close();
    return tokens;
  }
  const { text } = decodeText(bytes, []);
  if (/^\s*</.test(text) || /<html|<table/i.test(text.slice(0, 4096))) {
    let tokens = 0;
    const p = new Parser({ onopentag: () => tokens++, ontext: () => tokens++ });
    p.write(text);
    p.end();
    return tokens;
  }
  return text.split('\n').length;
}

const paths = workerData.paths as string[];
let tokens = 0;
for (const p of paths) tokens += await floorOne(p);
parentPort!.postMessage({ docs: paths.length, tokens });
