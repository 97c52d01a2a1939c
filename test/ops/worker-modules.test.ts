/**
 * A worker loads only what it runs (docs/performance.md): reading DOCX, HTML, text and PDF it
 * never loads cheerio or mammoth, which are for the reference readers, the DOCX fallback and
 * crawling. Every module the worker resolves is logged by a resolve hook (Node's module.register)
 * in the worker itself; a DOCX the fast reader hands to mammoth shows the log does see them.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import type { ExtractOutcome } from '../../pipeline/ingest/extract-pool.js';
import { patchDocumentXml } from '../fixtures/make-docx.js';
import { ROOT, readSample, tempDir } from '../helpers.js';

const REFERENCE_ONLY = /\/node_modules\/(cheerio|mammoth)\//;

/** Runs the extraction worker on `docs` and returns every module URL it resolved. */
async function modulesLoadedReading(docs: Uint8Array[]): Promise<string[]> {
  const dir = tempDir('goa-modules-');
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'modules.log');
  writeFileSync(log, '');
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, resolved.url + '\\n');
  return resolved;
}
`,
  );
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)});\n`,
  );
  const worker = new Worker(join(ROOT, 'dist', 'pipeline', 'ingest', 'extract-worker.js'), {
    execArgv: ['--import', pathToFileURL(join(dir, 'register.mjs')).href],
  });
  try {
    const answers = new Promise<ExtractOutcome[]>((resolve, reject) => {
      const got: ExtractOutcome[] = [];
      worker.on('message', (out: ExtractOutcome) => {
        got.push(out);
        if (got.length === docs.length) resolve(got);
      });
      worker.on('error', reject);
    });
    for (const [id, bytes] of docs.entries())
      worker.postMessage({ id, sha256: '', bytes: new Uint8Array(bytes).buffer });
    const outcomes = await answers;
    expect(outcomes.map((o) => o.failure)).toEqual(docs.map(() => null));
  } finally {
    await worker.terminate();
  }
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
}

describe('an extraction worker loads only what it runs', () => {
  it('reading DOCX, HTML (UTF-8 and GBK), text and PDF: its own readers, never cheerio or mammoth', async () => {
    const docs = [
      readSample('2021_平潭综合实验区.docx'),
      readSample('2020_北京市朝阳区教育委员会.html'),
      iconv.encode(readSample('2020_北京市朝阳区教育委员会.html').toString('utf8'), 'gbk'),
      readSample('2019_平潭综合实验区.txt'),
      readFileSync(join(ROOT, 'test', 'fixtures', 'pdf', '2022_平潭综合实验区.pdf')),
    ];
    const loaded = await modulesLoadedReading(docs);
    // What the production readers run on: htmlparser2 (HTML), pdfjs-dist (PDF).
    expect(loaded.some((url) => url.includes('/node_modules/htmlparser2/'))).toBe(true);
    expect(loaded.some((url) => url.includes('/node_modules/pdfjs-dist/'))).toBe(true);
    expect(loaded.filter((url) => REFERENCE_ONLY.test(url) || /reference-(mammoth|cheerio)/.test(url))).toEqual([]);
  });

  it('a DOCX the fast reader hands back: mammoth and cheerio are loaded then (the log sees them)', async () => {
    const refused = patchDocumentXml(readSample('2023_沭阳县发展和改革局.docx'), (xml) =>
      xml.replace(/^(<\?xml[^>]*\?>)/, '$1<!DOCTYPE w:document>'),
    );
    const loaded = await modulesLoadedReading([refused]);
    expect(loaded.some((url) => url.includes('/node_modules/mammoth/'))).toBe(true);
    expect(loaded.some((url) => url.includes('/node_modules/cheerio/'))).toBe(true);
  });
});
