/**
 * A worker loads only what it runs (docs/performance.md): reading DOCX, HTML, text and PDF it
 * never loads cheerio or mammoth, which are for the reference readers, the DOCX fallback and
 * crawling. Every module the worker resolves is logged by a resolve hook (Node's module.register)
 * in the worker itself; a DOCX the fast reader hands to mammoth shows the log does see them.
 *
 * Nor does a worker load papaparse (CSV inputs), cli-progress (a terminal's bar) or iconv-lite (pages not in
 * UTF-8) before it needs them: the extraction and page workers each start once per run, and a
 * CommonJS package imported as a module costs each of them its loading, a scan of its source for
 * its exports and the compiler's work on that scan (docs/performance.md, 2026-12-07 cold run).
 * Those are loaded with require, which a resolve hook does not see: checked in require's cache,
 * in a fresh Node.
 */
import { spawnSync } from 'node:child_process';
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

/** A module to `--import` that logs every module URL resolved as an ES module to `log`, and `log`'s lines. */
function resolveLog(): { register: string; urls: () => string[] } {
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
  return {
    register: pathToFileURL(join(dir, 'register.mjs')).href,
    urls: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
  };
}

/** Runs the extraction worker on `docs` and returns every module URL it resolved. */
async function modulesLoadedReading(docs: Uint8Array[]): Promise<string[]> {
  const log = resolveLog();
  const worker = new Worker(join(ROOT, 'dist', 'pipeline', 'ingest', 'extract-worker.js'), {
    execArgv: ['--import', log.register],
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
  return log.urls();
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

const LAZY = ['papaparse', 'cli-progress', 'iconv-lite'];

/** The packages among LAZY that importing `modules` (dist/ paths) loads, after running `then` (a script's body). */
function loadedBy(modules: string[], then = ''): string[] {
  const urls = modules.map((m) => pathToFileURL(join(ROOT, 'dist', m)).href);
  const script = `
    import { createRequire } from 'node:module';
    for (const url of ${JSON.stringify(urls)}) await import(url);
    ${then}
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.log(JSON.stringify(${JSON.stringify(LAZY)}.filter((p) => loaded.some((f) => f.includes('/node_modules/' + p + '/')))));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as string[];
}

describe('a worker loads a CommonJS package only where it is first used', () => {
  it('the extraction worker loads none of papaparse, cli-progress, iconv-lite to read a UTF-8 page', () => {
    const extract = `
      const { extractDocument } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/extractors/index.js')).href)});
      const page = '<html><body><p>2023年度</p><table><tr><td>一</td><td>1</td></tr></table></body></html>';
      await extractDocument(new TextEncoder().encode(page));`;
    expect(loadedBy(['pipeline/ingest/extract-outcome.js'], extract)).toEqual([]);
  });

  it('the page worker loads none of them', () => {
    expect(loadedBy(['pipeline/outputs/site/report-page.js', 'pipeline/outputs/site/audit-data.js'])).toEqual([]);
  });

  it('a GBK page loads iconv-lite when it is read, and is read', () => {
    const gbk = `
      const { decodeText } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'dist/extractors/index.js')).href)});
      // 政府 in GBK, declared
      const bytes = Buffer.concat([Buffer.from('<meta charset="gbk"><p>'), Buffer.from([0xd5, 0xfe, 0xb8, 0xae]), Buffer.from('</p>')]);
      if (!decodeText(bytes, []).text.includes('政府')) throw new Error('GBK not decoded');`;
    expect(loadedBy(['extractors/index.js'], gbk)).toEqual(['iconv-lite']);
  });
});

describe('the main thread loads DuckDB with require', () => {
  it('the run, the rules and the outputs never import @duckdb/node-api as an ES module (a scan of its 124 files at every start)', () => {
    const log = resolveLog();
    const modules = ['pipeline/run/index.js', 'pipeline/rules/index.js', 'pipeline/outputs/index.js'];
    const script = `
      import { createRequire } from 'node:module';
      for (const m of ${JSON.stringify(modules.map((m) => pathToFileURL(join(ROOT, 'dist', m)).href))}) await import(m);
      console.log(Object.keys(createRequire(import.meta.url).cache).some((f) => f.includes('/@duckdb/node-api/')));`;
    const r = spawnSync(process.execPath, ['--import', log.register, '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('true'); // loaded, by require
    expect(log.urls().filter((url) => url.includes('/@duckdb/node-api/'))).toEqual([]);
    // Nor iconv-lite, which only a file name in GBK needs (pipeline/ingest/discover.ts).
    expect(log.urls().filter((url) => url.includes('/iconv-lite/'))).toEqual([]);
  });
});
