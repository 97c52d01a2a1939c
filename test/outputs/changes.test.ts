/**
 * What a run checked and what changed since the previous run (issue 21): rule_results for every
 * rule, the findings new and resolved, on the index page, in the workbook and in the last
 * --log-json line. Real runs over the sample's HTML reports; the second run (the CLI, as the
 * scheduler runs it) sees one document changed.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as cheerio from 'cheerio';
import { beforeAll, describe, expect, it } from 'vitest';
import { findingChanges, runRules } from '../../pipeline/rules/index.js';
import { closeWarehouse, openWarehouse } from '../../pipeline/warehouse/warehouse.js';
import { query, REPORTS, ROOT, runOn, tempDir } from '../helpers.js';
import { MUTATED_FILE, mutatedHtml } from './fixture.js';

const CLI = join(ROOT, 'dist', 'pipeline', 'cli.js');
let input: string;
let db: string;
let out: string;
let firstRun: string;
let secondRun: string;
let before: Set<string>;
let after: Set<string>;
let lastLog: Record<string, unknown>;

const fingerprints = async (file: string) =>
  new Set((await query<{ fingerprint: string }>(file, 'SELECT fingerprint FROM anomalies')).map((r) => r.fingerprint));
const minus = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x)).sort();

beforeAll(async () => {
  input = tempDir('goa-changes-in-');
  for (const f of readdirSync(REPORTS).filter((f) => f.endsWith('.html'))) cpSync(join(REPORTS, f), join(input, f));
  const work = tempDir('goa-changes-');
  db = join(work, 'warehouse.duckdb');
  out = join(work, 'out');
  mkdirSync(out);
  const first = await runOn(input, { db, out, noOutputs: false });
  firstRun = first.summary.runId;
  before = await fingerprints(db);

  // one document changed: （一）予以公开 · 自然人 printed 5 instead of 4
  writeFileSync(join(input, MUTATED_FILE), mutatedHtml(5));
  const second = spawnSync(
    process.execPath,
    [CLI, '--input', input, '--db', db, '--out', out, '--log-json', '--workers', '1'],
    { encoding: 'utf8', timeout: 120_000 },
  );
  expect(second.status, second.stderr).toBe(0);
  const lines = second.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  lastLog = lines[lines.length - 1];
  secondRun = lastLog.run_id as string;
  after = await fingerprints(db);
}, 180_000);

describe('findings new and resolved since the previous run', () => {
  it('are exactly the findings the changed document brought, in the warehouse and the last log line', async () => {
    const added = minus(after, before);
    expect(added.length).toBeGreaterThan(0);
    const news = await query<{ fingerprint: string; agency: string; year: number }>(
      db,
      'SELECT fingerprint, agency, year FROM findings WHERE first_seen_run = $1 ORDER BY fingerprint',
      [secondRun],
    );
    expect(news.map((n) => n.fingerprint)).toEqual(added);
    // the new version of 朝阳区教育委员会 2020: its sums fail, and it differs from the version kept from the first run
    expect(new Set(news.map((n) => `${n.agency} ${n.year}`))).toEqual(new Set(['北京市朝阳区教育委员会 2020']));
    const rules = await query<{ rule_id: string }>(
      db,
      'SELECT DISTINCT rule_id FROM anomalies WHERE first_seen_run = $1 ORDER BY 1',
      [secondRun],
    );
    expect(rules.map((r) => r.rule_id)).toEqual(['META.DUPLICATE', 'T3.RESULT_TOTAL', 'T3.ROW_TOTAL']);
    // the earlier version stays in the warehouse, so nothing of the first run's is gone
    expect(minus(before, after)).toEqual([]);
    expect(await query(db, 'SELECT * FROM resolved_findings WHERE resolved_run = $1', [secondRun])).toEqual([]);
    expect(lastLog).toMatchObject({ message: 'run finished', new_findings: added.length, resolved_findings: 0 });
  });

  it('are listed on the index page', () => {
    const $ = cheerio.load(readFileSync(join(out, 'index.html'), 'utf8'));
    expect($('#changes + p').text()).toContain(firstRun);
    const listed = $('tr[data-row="new"]')
      .map((_, tr) => $(tr).find('code').first().text())
      .get()
      .sort();
    expect(listed).toEqual(['META.DUPLICATE', 'T3.RESULT_TOTAL', 'T3.ROW_TOTAL']);
    expect($('#resolved').text()).toBe('已消除的发现（0）');
  });

  it('are recorded as resolved when the numbers no longer fail', async () => {
    // the new version corrected in place: its numbers become the first version's again
    const w = await openWarehouse(db);
    try {
      const [doc] = (
        await w.conn.runAndReadAll('SELECT report_id FROM reports WHERE source = $1 AND loaded_run = $2', [
          MUTATED_FILE,
          secondRun,
        ])
      ).getRowObjectsJS();
      await w.conn.run(
        `UPDATE cells SET value = 4, raw = '4' WHERE report_id = $1 AND table_id = 'T3' AND row_key = 'granted' AND col_key = 'natural_person'`,
        [doc.report_id as string],
      );
      await runRules(w.conn, { runId: 'run-after-correction' });
      const changes = await findingChanges(w.conn, 'run-after-correction');
      const now = new Set(
        (await w.conn.runAndReadAll('SELECT fingerprint FROM anomalies'))
          .getRowObjectsJS()
          .map((r) => r.fingerprint as string),
      );
      const resolved = (
        await w.conn.runAndReadAll(
          "SELECT fingerprint, rule_id FROM resolved_findings WHERE resolved_run = 'run-after-correction' ORDER BY fingerprint",
        )
      ).getRowObjectsJS();
      expect(resolved.map((r) => r.fingerprint)).toEqual(minus(after, now));
      expect(resolved.map((r) => r.rule_id).sort()).toEqual(['META.DUPLICATE', 'T3.RESULT_TOTAL', 'T3.ROW_TOTAL']);
      expect(changes).toMatchObject({ new: 0, resolved: 3 });
    } finally {
      await closeWarehouse(w);
    }
  });
});

describe('what each rule checked', () => {
  it('has a rule_results row for every rule, checked = passed + failed + not assessable', async () => {
    const rows = await query<Record<string, number | string>>(
      db,
      'SELECT * FROM rule_results WHERE run_id = $1 ORDER BY rule_id',
      [secondRun],
    );
    const rules = await query<{ rule_id: string }>(db, 'SELECT rule_id FROM rules ORDER BY rule_id');
    expect(rows.map((r) => r.rule_id)).toEqual(rules.map((r) => r.rule_id));
    for (const r of rows) {
      // the five reports of the sample and the changed version of one
      expect(r.reports_checked, String(r.rule_id)).toBe(6);
      expect(
        Number(r.reports_passed) + Number(r.reports_failed) + Number(r.reports_not_assessable),
        String(r.rule_id),
      ).toBe(r.reports_checked);
    }
    const byId = Object.fromEntries(rows.map((r) => [r.rule_id, r]));
    expect(byId['T3.ROW_TOTAL']).toMatchObject({
      reports_checked: 6,
      reports_failed: 1,
      reports_passed: 5,
      reports_not_assessable: 0,
    });
    // the 2019 report of 平潭 has no report of 2018 or 2020 beside it; 沭阳 and 朝阳 have one year each
    expect(byId['XY.CARRY_OVER']).toMatchObject({ reports_not_assessable: 4 });
    expect(await query(db, 'SELECT DISTINCT run_id FROM rule_results ORDER BY run_id')).toHaveLength(2);
  });

  it('is shown on the index page, every rule with its counts', async () => {
    const $ = cheerio.load(readFileSync(join(out, 'index.html'), 'utf8'));
    const shown = $('table.checks tbody tr')
      .map((_, tr) => [
        $(tr)
          .find('td')
          .map((__, td) => $(td).text())
          .get(),
      ])
      .get() as unknown as string[][];
    const rows = await query<Record<string, number | string>>(
      db,
      'SELECT rule_id, reports_checked, reports_passed, reports_failed, reports_not_assessable, findings FROM rule_results WHERE run_id = $1',
      [secondRun],
    );
    expect(shown).toHaveLength(rows.length);
    for (const r of rows) {
      const row = shown.find((s) => s[0] === r.rule_id)!;
      expect([row[3], row[4], row[5], row[6], row[7]].map(Number), String(r.rule_id)).toEqual([
        r.reports_checked,
        r.reports_passed,
        r.reports_failed,
        r.reports_not_assessable,
        r.findings,
      ]);
    }
  });
});
