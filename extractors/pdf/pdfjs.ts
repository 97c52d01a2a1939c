/**
 * pdfjs-dist, loaded once per thread and only when a PDF arrives (the other readers never pay
 * for it). Node's build runs without a worker of its own (the "fake worker" in this thread,
 * which is already an extraction worker), without eval, without system fonts, and reads the
 * CJK CMaps and standard fonts from the installed package by file path: never a network.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

type PdfjsModule = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
export type PdfOps = PdfjsModule['OPS'];
export type PdfDocument = Awaited<ReturnType<PdfjsModule['getDocument']>['promise']>;

const PACKAGE_DIR = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

/**
 * Where the package keeps its CMaps, standard fonts and wasm decoders (folders, with a trailing slash as pdfjs wants).
 */
export const PDFJS_DATA = {
  cMapUrl: `${join(PACKAGE_DIR, 'cmaps')}/`,
  standardFontDataUrl: `${join(PACKAGE_DIR, 'standard_fonts')}/`,
  wasmUrl: `${join(PACKAGE_DIR, 'wasm')}/`,
};

let loading: Promise<PdfjsModule> | null = null;

export function loadPdfjs(): Promise<PdfjsModule> {
  loading ??= (async () => {
    // The worker's code, imported here, is what pdfjs runs in this thread ("fake worker").
    const workerModule = 'pdfjs-dist/legacy/build/pdf.worker.mjs'; // no type declarations: imported by name
    const worker: unknown = await import(workerModule);
    (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = worker;
    return import('pdfjs-dist/legacy/build/pdf.mjs');
  })();
  return loading;
}

/** Opens a document from bytes (pdfjs takes the buffer over: it gets a copy). */
export async function openPdf(
  bytes: Uint8Array,
  limits: { maxImageSize: number },
): Promise<{ pdfjs: PdfjsModule; doc: PdfDocument }> {
  const pdfjs = await loadPdfjs();
  const task = pdfjs.getDocument({
    data: new Uint8Array(bytes),
    ...PDFJS_DATA,
    cMapPacked: true,
    isEvalSupported: false,
    useSystemFonts: false,
    disableFontFace: true,
    useWorkerFetch: false,
    isOffscreenCanvasSupported: false,
    isImageDecoderSupported: false,
    stopAtErrors: false,
    maxImageSize: limits.maxImageSize,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
  });
  return { pdfjs, doc: await task.promise };
}
