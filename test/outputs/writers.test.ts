/**
 * The outputs are written a piece at a time (memory flat in the number of reports): the CSV and
 * JSON writers give the same bytes as writing the whole table at once; a page that did not change
 * keeps its file (hard link); the page workers write what the main thread would render with all
 * the run read, and name a page they could not write.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import {
  csvField,
  CsvWriter,
  JsonWriter,
  readCsvExport,
  toCsv,
  toJson,
} from '../../pipeline/outputs/exports/exports.js';
import { FileSink, OutputStaging, presentIn, writePage } from '../../pipeline/outputs/files.js';
import type { ReportGroup } from '../../pipeline/outputs/site/audit-data.js';
import { PagePool } from '../../pipeline/outputs/site/page-pool.js';
import { query, REPORTS, runOn, tempDir } from '../helpers.js';
import { BROKEN_DOCX } from './fixture.js';
import { expectPagesAsRenderedWhole } from './pages.js';

const COLUMNS = ['text', 'n', 'flag', 'other'];
/** Values that need care: formula starts, quotes, line breaks, BOM, commas, edge spaces, Chinese, numbers, NULL. */
const ROWS: (string | number | boolean | null)[][] = [
  ['=SUM(A1)', -3, true, null],
  ["'quoted", 0.1, false, ''],
  ['-3', 1e21, null, ' leading'],
  ['a "b", c', 23466.49, true, 'trailing '],
  ['line\nbreak\r\nCRLF', NaN, false, '\uFEFFbom'],
  ['+1', Infinity, true, '@x'],
  ['\ttab', -0.5, false, '正常的中文，带逗号'],
  ['', 9007199254740993, null, 'x'],
];

function written(fill: (sink: FileSink) => void): string {
  const path = join(tempDir('goa-writers-'), 'out.txt');
  const sink = new FileSink(path);
  fill(sink);
  sink.commit();
  return readFileSync(path, 'utf8');
}

describe('CSV and JSON written in chunks', () => {
  it('encode each field as Papa.unparse does', () => {
    for (const row of ROWS) {
      const papa = Papa.unparse([row], { escapeFormulae: /^[=+\-@\t\r']/, newline: '\r\n' });
      expect(row.map(csvField).join(',')).toBe(papa);
    }
  });

  it('give the same bytes as the whole table at once, in any chunking', () => {
    const table = { columns: COLUMNS, rows: ROWS.map((r) => Object.fromEntries(COLUMNS.map((c, i) => [c, r[i]]))) };
    for (const cut of [[], [1], [0, 3, 3, 7]]) {
      const chunks = [...cut, ROWS.length].map((end, i, all) => ROWS.slice(i ? all[i - 1] : 0, end));
      const csv = written((sink) => {
        const w = new CsvWriter(sink, COLUMNS);
        chunks.forEach((c) => w.rows(c));
        w.end();
      });
      expect(csv).toBe(toCsv(table));
      const json = written((sink) => {
        const w = new JsonWriter(sink, COLUMNS);
        chunks.forEach((c) => w.rows(c));
        w.end();
      });
      expect(json).toBe(toJson(table));
    }
    expect(readCsvExport(toCsv(table)).rows[0]).toEqual({ text: '=SUM(A1)', n: '-3', flag: 'true', other: null });
  });

  it('write an empty table as before', () => {
    const empty = { columns: COLUMNS, rows: [] };
    expect(written((sink) => new CsvWriter(sink, COLUMNS).end())).toBe(toCsv(empty));
    expect(written((sink) => new JsonWriter(sink, COLUMNS).end())).toBe(toJson(empty));
  });

  it('leave the old file in place when aborted', () => {
    const dir = tempDir('goa-writers-');
    writeFileSync(join(dir, 'index.html'), 'old');
    const sink = new FileSink(join(dir, 'index.html'));
    sink.write('half of a new page');
    sink.abort();
    expect(readFileSync(join(dir, 'index.html'), 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['index.html']);
  });
});

describe('writing a page', () => {
  it('writes a changed page aside and leaves an unchanged one as it is', () => {
    const root = tempDir('goa-pages-');
    const previous = join(root, 'reports');
    const next = join(root, 'staging');
    mkdirSync(previous);
    mkdirSync(next);
    writeFileSync(join(previous, 'a.html'), '<p>甲</p>');
    writeFileSync(join(previous, 'b.html'), '<p>乙</p>');
    const unchanged = [
      ['a.html', '<p>甲</p>'],
      ['b.html', '<p>乙，已更正</p>'],
      ['c.html', '<p>丙</p>'],
    ].map(([name, html]) => writePage(next, previous, name, html));
    expect(unchanged).toEqual([true, false, false]);
    expect(existsSync(join(next, 'a.html'))).toBe(false);
    expect(readFileSync(join(next, 'b.html'), 'utf8')).toBe('<p>乙，已更正</p>');
    expect(readFileSync(join(next, 'c.html'), 'utf8')).toBe('<p>丙</p>');
  });

  it('publishes a folder in place: the changed files moved in, the unchanged untouched, the ones not written removed', () => {
    const out = tempDir('goa-inplace-');
    const pages = join(out, 'reports');
    mkdirSync(pages);
    for (const [name, text] of [
      ['a.html', '甲'],
      ['b.html', '乙'],
      ['gone.html', '旧'],
    ])
      writeFileSync(join(pages, name), text);
    const before = statSync(join(pages, 'a.html'));
    const staging = new OutputStaging(out, 'run-1');
    const aside = staging.additions('reports');
    mkdirSync(aside, { recursive: true });
    expect(writePage(aside, pages, 'a.html', '甲')).toBe(true);
    expect(writePage(aside, pages, 'b.html', '乙，已更正')).toBe(false);
    presentIn(aside, ['c.html']); // written by a page worker
    writeFileSync(join(aside, 'c.html'), '丙');
    staging.publish([], [], ['reports']);
    expect(readdirSync(pages).sort()).toEqual(['a.html', 'b.html', 'c.html']);
    const a = statSync(join(pages, 'a.html'));
    expect([a.ino, a.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    expect(readFileSync(join(pages, 'b.html'), 'utf8')).toBe('乙，已更正');
    expect(readdirSync(out)).toEqual(['reports']);
  });
});

/** A report with nothing read but its name: the least a page can show. */
function bareGroup(id: string): ReportGroup {
  return {
    id,
    agency: '某区教育委员会',
    year: 2020,
    template: '2021',
    status: 'ok',
    versionsInYear: 1,
    nDocs: 1,
    label: `${id}.html`,
    docs: [],
    cellsJson: null,
    cells: null,
    cellRows: null,
    findings: [],
    relatedFindings: [],
  };
}

describe('the page workers', () => {
  const setup = (dir: string) => ({ dir, previousDir: null, page: { pageDir: dir, inputDir: dir }, rules: [] });

  it('render and write the pages they are sent', async () => {
    const dir = tempDir('goa-pages-');
    const pool = new PagePool(setup(dir), 2, 2);
    const ids = Array.from({ length: 9 }, (_, i) => `r${String(i).padStart(16, '0')}`);
    for (const id of ids) await pool.render({ page: bareGroup(id), others: [], versions: null, groupOf: [] });
    await pool.close();
    expect([pool.written, pool.unchanged]).toEqual([9, 0]);
    expect(readdirSync(dir).sort()).toEqual(ids.map((id) => `${id}.html`));
    expect(readFileSync(join(dir, `${ids[0]}.html`), 'utf8')).toContain('某区教育委员会');
  });

  it('are the renderers alone: no thread of their own for the writing (one isolate less in the outputs)', async () => {
    if (!existsSync('/proc/self/task')) return; // Linux: the process's threads are listed there
    const threads = () => readdirSync('/proc/self/task').length;
    const before = threads();
    const dir = tempDir('goa-pages-');
    const pool = new PagePool(setup(dir), 1, 4);
    // a Worker's thread is there once it has started: the first page answered says so
    await pool.render({ page: bareGroup('r0000000000000009'), others: [], versions: null, groupOf: [] });
    const ids = Array.from({ length: 12 }, (_, i) => `r${String(i).padStart(16, '0')}`);
    for (const id of ids) await pool.render({ page: bareGroup(id), others: [], versions: null, groupOf: [] });
    const during = threads();
    await pool.close();
    expect(during - before).toBe(1);
    expect(pool.written).toBe(13);
  });

  it('leave a page equal to its published one as it is, and write the others', async () => {
    const work = tempDir('goa-pages-');
    const [previous, dir] = [join(work, 'published'), join(work, 'aside')];
    mkdirSync(previous);
    mkdirSync(dir);
    const first = new PagePool({ ...setup(previous), page: { pageDir: previous, inputDir: previous } }, 1);
    const ids = ['r0000000000000001', 'r0000000000000002'];
    for (const id of ids) await first.render({ page: bareGroup(id), others: [], versions: null, groupOf: [] });
    await first.close();
    const pool = new PagePool(
      { ...setup(dir), previousDir: previous, page: { pageDir: previous, inputDir: previous } },
      1,
    );
    await pool.render({ page: bareGroup(ids[0]), others: [], versions: null, groupOf: [] });
    await pool.render({
      page: { ...bareGroup(ids[1]), agency: '某区财政局' },
      others: [],
      versions: null,
      groupOf: [],
    });
    await pool.close();
    expect([pool.written, pool.unchanged]).toEqual([1, 1]);
    expect(readdirSync(dir)).toEqual([`${ids[1]}.html`]);
    expect(readFileSync(join(dir, `${ids[1]}.html`), 'utf8')).toContain('某区财政局');
  });

  it('report a page they could not write, naming it', async () => {
    const pool = new PagePool(setup(join(tempDir('goa-pages-'), 'missing')), 1);
    await pool.render({ page: bareGroup('r0000000000000001'), others: [], versions: null, groupOf: [] });
    await expect(pool.close()).rejects.toThrow(/report pages: r0000000000000001: .*ENOENT/);
  });

  it('write what the main thread would render with everything the run read', async () => {
    await expectPagesAsRenderedWhole(await runOn(REPORTS, { noOutputs: false }));
  });
});

describe('report pages across runs', () => {
  it('keep the file of every report whose page did not change', async () => {
    const work = tempDir('goa-pages-run-');
    const opts = { db: join(work, 'w.duckdb'), out: join(work, 'out'), noOutputs: false };
    await runOn(REPORTS, opts);
    const pagesDir = join(opts.out, 'reports');
    const before = new Map(
      readdirSync(pagesDir).map((f) => [
        f,
        { ino: statSync(join(pagesDir, f)).ino, html: readFileSync(join(pagesDir, f), 'utf8') },
      ]),
    );

    // an auditor dismisses one finding: the pages showing it change, the others are kept as they are
    const [finding] = await query<{ fingerprint: string }>(
      opts.db,
      `SELECT fingerprint FROM anomalies WHERE related_report_id IS NULL ORDER BY fingerprint LIMIT 1`,
    );
    const reviews = join(opts.out, 'reviews.csv');
    writeFileSync(
      reviews,
      readFileSync(reviews, 'utf8') + `${finding.fingerprint},dismissed,核实无误,审计员,2026-11-27\n`,
    );
    const second = await runOn(REPORTS, opts);
    expect(second.summary.stageMs.outputs).toBeGreaterThan(0);
    const after = readdirSync(pagesDir).sort();
    expect(after).toEqual([...before.keys()].sort());
    let kept = 0;
    for (const f of after) {
      const old = before.get(f)!;
      const html = readFileSync(join(pagesDir, f), 'utf8');
      if (html === old.html) kept++;
      expect(statSync(join(pagesDir, f)).ino === old.ino, f).toBe(html === old.html);
    }
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(before.size);
  });

  it('are written for a run whose only document failed (no cells at all)', async () => {
    const input = tempDir('goa-pages-in-');
    writeFileSync(join(input, '2021_损坏的附件.docx'), BROKEN_DOCX);
    const run = await runOn(input, { noOutputs: false });
    expect(run.exitCode).toBe(3);
    const index = readFileSync(join(run.out, 'index.html'), 'utf8');
    expect(index).toMatch(/2021_损坏的附件\.docx<\/td><td><span class="badge failed">失败/);
    expect(readdirSync(join(run.out, 'reports'))).toHaveLength(1);
  });
});
