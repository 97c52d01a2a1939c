/**
 * What a nightly run (a few new documents among many known) starts, and what it leaves alone:
 * only the extraction workers its new documents need, started before the warehouse is open when
 * files are newer than it; known files taken as they were, in the files' order; a warehouse this
 * code has opened before not rewritten (its schema, comments and template keys) when opened again.
 */
import { copyFileSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { allTemplateKeys } from '../../domain/index.js';
import { discover, statFiles, type InputFile } from '../../pipeline/ingest/discover.js';
import { ExtractPool } from '../../pipeline/ingest/extract-pool.js';
import { prestartForNewer } from '../../pipeline/ingest/ingest.js';
import { restoreThreads, runRules } from '../../pipeline/rules/index.js';
import { closeWarehouse, openWarehouse } from '../../pipeline/warehouse/warehouse.js';
import { query, REPORTS, runOn, tempDir } from '../helpers.js';

const page = readFileSync(join(REPORTS, '2020_北京市朝阳区教育委员会.html'));

describe('the extraction workers of a run with few documents to read', () => {
  let pool: ExtractPool | null = null;
  afterEach(async () => {
    await pool?.close();
    pool = null;
  });

  it('prestart(n) starts n of the pool (at least one, at most its size) and reads with them until closed', async () => {
    pool = new ExtractPool({ workers: 2 });
    pool.prestart(1);
    expect(pool.started).toBe(1);
    const outcomes = await Promise.all([1, 2, 3].map(() => pool!.extract(Buffer.from(page))));
    for (const o of outcomes) expect(o.extraction?.tablesFound).toEqual(['T2', 'T3', 'T4']);
    expect(pool.started).toBe(1); // three documents, one worker
    pool.prestart(0);
    expect(pool.started).toBe(1); // never fewer than started
    pool.prestart(5);
    expect(pool.started).toBe(2); // never more than the pool's size
    await pool.close();
    expect((await pool.extract(Buffer.from(page))).failure).toBeNull();
    expect(pool.started).toBe(2); // closed, the next document starts the whole pool
  }, 60_000);

  it('before the warehouse is open, as many as the files newer than it need; none when none is', async () => {
    const input = tempDir('goa-in-');
    const files: InputFile[] = [];
    for (let i = 0; i < 30; i++) {
      const path = join(input, `${i}.html`);
      copyFileSync(join(REPORTS, '2020_北京市朝阳区教育委员会.html'), path);
      files.push({ path, source: `${i}.html` });
    }
    // the warehouse written ten minutes ago; three files since, the rest twenty minutes ago
    const since = Date.now() / 1000 - 600;
    for (const [i, f] of files.entries()) {
      const t = i < 3 ? since + 300 : since - 600;
      utimesSync(f.path, t, t);
    }
    const stats = statFiles([...files, { path: join(input, 'gone.html'), source: 'gone.html' }]);
    expect(Number.isNaN(stats.size[30])).toBe(true); // not there: left to the ingest, which says why

    pool = new ExtractPool({ workers: 2 });
    prestartForNewer(pool, stats, Date.now() + 60_000); // nothing newer than the warehouse
    expect(pool.started).toBe(0);
    prestartForNewer(pool, stats, since * 1000); // three new files: one worker
    expect(pool.started).toBe(1);
    await pool.close();
    prestartForNewer(pool, stats, 0); // all thirty: the whole pool
    expect(pool.started).toBe(2);
  }, 60_000);
});

describe('finding the files', () => {
  it('lists folders by their names as text, and by their bytes where a name is not UTF-8, in one order', () => {
    const input = tempDir('goa-in-');
    const gbk = Buffer.from([0xb1, 0xa8, 0xb8, 0xe6]); // 报告 in GBK
    const folder = Buffer.concat([Buffer.from(`${input}/b/`), gbk]);
    mkdirSync(join(input, 'b'));
    mkdirSync(folder);
    for (const name of ['a.html', 'c/2021.html', 'b/z.html', '.hidden.html']) {
      mkdirSync(join(input, name, '..'), { recursive: true });
      writeFileSync(join(input, name), 'x');
    }
    writeFileSync(Buffer.concat([folder, Buffer.from('/2020.html')]), 'x');
    writeFileSync(Buffer.concat([Buffer.from(`${input}/b/`), gbk, Buffer.from('.html')]), 'x');
    const found = discover(input);
    // (as before the folders were listed by text: by bytes, each name decoded, in the order of the decoded names)
    expect(found.map((f) => f.source)).toEqual([
      'a.html',
      'b/z.html',
      'b/报告/2020.html',
      'b/报告.html',
      'c/2021.html',
    ]);
    expect(found.map((f) => typeof f.path)).toEqual(['string', 'string', 'object', 'object', 'string']);
    expect(found[0].path).toBe(join(input, 'a.html'));
  });
});

describe('known files taken as they were', () => {
  it('in the files order: a new path holding known bytes, before the trusted file, is the document, the trusted one its duplicate', async () => {
    const work = tempDir();
    const input = join(work, 'in');
    mkdirSync(input);
    const name = '2020_北京市朝阳区教育委员会.html';
    const hourAgo = (Date.now() - 3_600_000) / 1000;
    copyFileSync(join(REPORTS, name), join(input, `b_${name}`));
    utimesSync(join(input, `b_${name}`), hourAgo, hourAgo);
    const opts = { db: join(work, 'w.duckdb'), out: join(work, 'out') };
    const first = await runOn(input, opts);
    expect(first.summary.new).toBe(1);

    copyFileSync(join(REPORTS, name), join(input, `a_${name}`)); // sorted first, its time now
    const second = await runOn(input, opts);
    expect(second.summary).toMatchObject({ seen: 2, new: 0, unchanged: 1, duplicates: 1, reprocessed: 0 });
    const ledger = await query<{ source: string; last_seen_run: string }>(
      opts.db,
      'SELECT source, last_seen_run FROM documents ORDER BY source',
    );
    expect(ledger.map((d) => d.source)).toEqual([`a_${name}`, `b_${name}`]);
    expect(new Set(ledger.map((d) => d.last_seen_run))).toEqual(new Set([second.summary.runId]));

    const third = await runOn(input, opts); // both trusted now
    expect(third.summary).toMatchObject({ seen: 2, new: 0, unchanged: 1, duplicates: 1 });
  }, 60_000);
});

describe('the rules of a run with few reports to read', () => {
  it('run on one of DuckDB threads, and leave the connection with the threads it had', async () => {
    const run = await runOn(REPORTS);
    const w = await openWarehouse(run.db);
    try {
      const threads = async () =>
        Number((await w.conn.runAndReadAll("SELECT current_setting('threads')")).getRowsJS()[0][0]);
      await w.conn.run('SET threads = 3');
      const summary = await runRules(w.conn, { runId: 'again', incremental: true });
      expect(summary.evaluation).toMatchObject({ mode: 'incremental', touched: 0 });
      expect(await threads()).toBe(3);
      // left on one thread for the run's next statements (its results, the checkpoint), then put back
      await runRules(w.conn, { runId: 'left', incremental: true, leaveOneThread: true });
      expect(await threads()).toBe(1);
      await restoreThreads(w.conn);
      expect(await threads()).toBe(3);
      await restoreThreads(w.conn); // nothing left to put back
      expect(await threads()).toBe(3);
    } finally {
      await closeWarehouse(w);
    }
  }, 60_000);
});

describe('a warehouse opened again', () => {
  it('is left as it is when this code made it (the views hash stands for its schema, comments and keys), made again when not', async () => {
    const db = join(tempDir(), 'w.duckdb');
    const keys = allTemplateKeys().length;
    let w = await openWarehouse(db);
    await w.conn.run('DELETE FROM template_keys');
    await closeWarehouse(w);
    w = await openWarehouse(db); // current: not rewritten
    expect(Number((await w.conn.runAndReadAll('SELECT count(*) FROM template_keys')).getRowsJS()[0][0])).toBe(0);
    await w.conn.run("UPDATE warehouse_meta SET views_hash = 'an older version'");
    await w.conn.run('DROP VIEW t3');
    await closeWarehouse(w);
    w = await openWarehouse(db); // made by other code: schema, comments, keys and views again
    try {
      expect(Number((await w.conn.runAndReadAll('SELECT count(*) FROM template_keys')).getRowsJS()[0][0])).toBe(keys);
      const views = await w.conn.runAndReadAll("SELECT count(*) FROM duckdb_views() WHERE view_name = 't3'");
      expect(Number(views.getRowsJS()[0][0])).toBe(1);
      const comments = await w.conn.runAndReadAll(
        "SELECT comment FROM duckdb_tables() WHERE table_name = 'reports' AND database_name = current_database()",
      );
      expect(String(comments.getRowsJS()[0][0] ?? '')).not.toBe('');
    } finally {
      await closeWarehouse(w);
    }
  }, 60_000);
});
