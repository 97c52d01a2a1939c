/**
 * The report stands alone: copied elsewhere without the input folder or the crawler's archive, its
 * pages' links to the documents still open them (copies under <out>/sources/, linked relatively);
 * a crawled document links its URL and its copy; after a night with nothing new the summary page
 * says when the inputs were last checked.
 */
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderListings } from '../../pipeline/outputs/site/source-links.js';
import { readSample, REPORTS, runOn, tempDir } from '../helpers.js';

/** Every link of the pages' source lists: [page, href, text]. */
function sourceLinks(out: string): [string, string, string][] {
  const pages = join(out, 'reports');
  return readdirSync(pages).flatMap((name) => {
    const page = readFileSync(join(pages, name), 'utf8');
    const list = /<ul class="sources">([\s\S]*?)<\/ul>/.exec(page)?.[1] ?? '';
    return [...list.matchAll(/<a (?:class="[^"]*" )?href="([^"]+)">([^<]*)<\/a>/g)].map(
      (m) => [join(pages, name), m[1], m[2]] as [string, string, string],
    );
  });
}

const reportIdOf = (bytes: Buffer) => `r${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}`;

/** The copied output folder, the originals gone. */
function moved(out: string, ...gone: string[]): string {
  const copy = join(tempDir('goa-moved-'), 'out');
  cpSync(out, copy, { recursive: true });
  for (const dir of [out, ...gone]) rmSync(dir, { recursive: true, force: true });
  return copy;
}

describe('the report copied elsewhere', () => {
  it('links every document to its copy inside the output folder', async () => {
    const input = join(tempDir(), 'reports');
    cpSync(REPORTS, input, { recursive: true });
    const run = await runOn(input, { noOutputs: false });
    const copy = moved(run.out, input);
    const links = sourceLinks(copy);
    expect(new Set(links.map((l) => l[2]))).toEqual(new Set(readdirSync(REPORTS)));
    for (const [page, href, label] of links) {
      expect(href).toMatch(/^\.\.\/sources\/r[0-9a-f]{16}\.(docx|html|txt)$/);
      const bytes = readFileSync(resolve(dirname(page), decodeURIComponent(href)));
      expect(bytes.equals(readFileSync(join(REPORTS, label)))).toBe(true);
      expect(href).toContain(reportIdOf(bytes));
    }
  });

  it('a later run copies the documents it adds (from the path that last held their bytes), the others untouched', async () => {
    const input = join(tempDir(), 'reports');
    const names = readdirSync(REPORTS).sort();
    const later = names.filter((n) => n.endsWith('.docx')).slice(0, 2);
    cpSync(REPORTS, input, { recursive: true });
    for (const n of later) rmSync(join(input, n));
    const first = await runOn(input, { noOutputs: false });
    const sources = join(first.out, 'sources');
    const before = new Map(readdirSync(sources).map((f) => [f, statSync(join(sources, f)).ino]));
    // the two documents come back, one of them under another name
    cpSync(join(REPORTS, later[0]), join(input, later[0]));
    cpSync(join(REPORTS, later[1]), join(input, `renamed-${later[1]}`));
    await runOn(input, { noOutputs: false, db: first.db, out: first.out });
    const after = readdirSync(sources);
    expect(after.length).toBe(before.size + 2);
    for (const [f, ino] of before) expect(statSync(join(sources, f)).ino).toBe(ino);
    for (const n of later) {
      const bytes = readFileSync(join(REPORTS, n));
      expect(readFileSync(join(sources, `${reportIdOf(bytes)}.docx`)).equals(bytes)).toBe(true);
    }
  });

  it('links a crawled document by its URL and by its archived copy', async () => {
    const body = readSample('2022_平潭综合实验区.html');
    const server = http.createServer((req, res) => {
      if (req.url === '/pt/index.html') {
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(
            '<html><head><meta charset="utf-8"></head><body><ul><li><a href="2022.html">平潭综合实验区2022年度政府信息公开工作年度报告</a></li></ul></body></html>',
          );
      } else if (req.url === '/pt/2022.html')
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const raw = join(tempDir(), 'raw');
      const run = await runOn(undefined, {
        noOutputs: false,
        raw,
        sources: [{ agency: '平潭综合实验区', url: `${origin}/pt/index.html` }],
        crawlTuning: { delayMs: 0, timeoutMs: 5000, retries: 0, backoffMs: 10 },
      });
      expect(run.summary.new).toBe(1);
      const copy = moved(run.out, raw);
      const links = sourceLinks(copy);
      expect(links.map((l) => [l[1].replace(/r[0-9a-f]{16}/, 'ID'), l[2]])).toEqual([
        [`${origin}/pt/2022.html`, `${origin}/pt/2022.html`],
        ['../sources/ID.html', '存档副本'],
      ]);
      expect(readFileSync(resolve(dirname(links[1][0]), links[1][1])).equals(body)).toBe(true);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('a night with nothing new', () => {
  it('keeps the outputs and says on the summary page when the inputs were last checked', async () => {
    const first = await runOn(REPORTS, { noOutputs: false });
    const index = () => readFileSync(join(first.out, 'index.html'), 'utf8');
    const checked = () => /最近检查 <time data-last-checked datetime="([^"]+)">([^<]+)<\/time>/.exec(index())!.slice(1);
    const second8 = (d: Date) => d.toISOString().slice(0, 19);
    expect(checked()).toEqual([
      `${second8(first.summary.startedAt)}Z`,
      second8(first.summary.startedAt).replace('T', ' '),
    ]);
    const before = index();
    await new Promise((r) => setTimeout(r, 1100));
    const second = await runOn(REPORTS, { noOutputs: false, db: first.db, out: first.out });
    expect(second.summary.outputs).toEqual([]); // nothing rewritten
    expect(checked()[0]).toBe(`${second8(second.summary.startedAt)}Z`);
    expect(checked()[0]).not.toBe(`${second8(first.summary.startedAt)}Z`);
    const unstamped = (page: string) => page.replace(/datetime="[^"]+">[^<]+</, '');
    expect(unstamped(index())).toBe(unstamped(before));
  });
});

describe('whether a linked file exists, from folder listings', () => {
  it('answers as existsSync does: files, folders, links to files and dangling links, missing folders', () => {
    const dir = tempDir('goa-listing-');
    writeFileSync(join(dir, '报告.docx'), 'x');
    mkdirSync(join(dir, 'sub'));
    symlinkSync(join(dir, '报告.docx'), join(dir, 'link.docx'));
    symlinkSync(join(dir, 'gone.docx'), join(dir, 'dangling.docx'));
    const paths = [
      '报告.docx',
      'sub',
      'link.docx',
      'dangling.docx',
      'absent.docx',
      'sub/absent.docx',
      'nowhere/x.docx',
    ].map((p) => join(dir, p));
    const listings = new FolderListings();
    expect(paths.map(listings.exists)).toEqual(paths.map((p) => existsSync(p)));
    expect(paths.map(listings.exists)).toEqual([true, true, true, false, false, false, false]);
  });
});
