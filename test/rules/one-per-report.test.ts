/**
 * One finding per report: the seed published as a web page, a DOCX and a text export, all three
 * with the same wrong 总计 (（一）予以公开 printed 5, the applicants add up to 4), is one report.
 * Each finding exists once, with a fingerprint that does not depend on which document was seen
 * first; the summary, anomalies.csv/json, the `findings` view and the index give the same count;
 * one review line dismisses it everywhere. A fourth document with other numbers is another report
 * (META.DUPLICATE).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { makeInput, query, runOn, tempDir, type PipelineRun } from '../helpers.js';
import { SEED, variant } from './cases.js';

const WRONG = { 'T3|granted|total': '5' };
const FORMATS = ['html', 'docx', 'txt'] as const;

async function documents(): Promise<Record<string, string | Uint8Array>> {
  const files: Record<string, string | Uint8Array> = {};
  for (const f of FORMATS) files[`${SEED}.${f}`] = await variant(`${SEED}.${f}`, WRONG);
  return files;
}

/** Runs on the documents `first` alone, then on all three (so `first` is the document first seen). */
async function runFirstSeen(first: (typeof FORMATS)[number]): Promise<PipelineRun> {
  const all = await documents();
  const input = makeInput({ [`${SEED}.${first}`]: all[`${SEED}.${first}`] });
  const work = tempDir('goa-one-');
  const opts = { db: join(work, 'warehouse.duckdb'), out: join(work, 'out'), noOutputs: false };
  await runOn(input, opts);
  for (const [name, bytes] of Object.entries(all)) writeFileSync(join(input, name), bytes);
  return runOn(input, opts);
}

const fingerprints = async (db: string) =>
  await query<{ fingerprint: string; rule_id: string }>(
    db,
    'SELECT fingerprint, rule_id FROM anomalies ORDER BY fingerprint',
  );

const indexCount = (out: string) => Number(/全部发现（(\d+)）/.exec(readFileSync(join(out, 'index.html'), 'utf8'))![1]);

describe('a report in three documents', () => {
  it('has each finding once, with the same fingerprint whichever document came first', async () => {
    const a = await runFirstSeen('txt');
    const b = await runFirstSeen('docx');
    const fa = await fingerprints(a.db);
    expect(await fingerprints(b.db)).toEqual(fa);
    expect(fa.filter((f) => f.rule_id === 'T3.ROW_TOTAL')).toHaveLength(1);
    expect(new Set(fa.map((f) => f.fingerprint)).size).toBe(fa.length);
    // each on the report's representative document (docs/contract.md: report_id is the report's representative)
    for (const run of [a, b]) {
      const off = await query(
        run.db,
        'SELECT a.rule_id FROM anomalies a JOIN report_documents g USING (report_id) WHERE NOT g.is_representative',
      );
      expect(off).toEqual([]);
    }

    // every count agrees: anomalies, the findings view, the summary (and its log line), the exports, the index
    const n = fa.length;
    expect(n).toBeGreaterThan(0);
    expect(a.summary.rules.findings).toBe(n);
    const [view] = await query<{ n: bigint; groups: bigint }>(
      a.db,
      'SELECT count(*) AS n, count(DISTINCT group_id) AS groups FROM findings',
    );
    expect(Number(view.n)).toBe(n);
    expect(Number(view.groups)).toBe(1);
    const csv = Papa.parse(readFileSync(join(a.out, 'anomalies.csv'), 'utf8').replace(/^\uFEFF/, ''), {
      header: true,
      skipEmptyLines: true,
    });
    expect(csv.data).toHaveLength(n);
    expect(JSON.parse(readFileSync(join(a.out, 'anomalies.json'), 'utf8'))).toHaveLength(n);
    expect(indexCount(a.out)).toBe(n);
    // the report's page shows each finding once, saying the report came in three documents
    const [{ group_id }] = await query<{ group_id: string }>(a.db, 'SELECT DISTINCT group_id FROM findings');
    const page = readFileSync(join(a.out, 'reports', `${group_id}.html`), 'utf8');
    for (const f of fa) expect(page.split(f.fingerprint).length - 1, f.rule_id).toBe(1);
    expect(page).toContain('本报告有 3 份来源文件（数字相同），此发现只计一次。');

    // one review line dismisses it everywhere
    const [row] = await query<{ fingerprint: string }>(
      a.db,
      `SELECT fingerprint FROM anomalies WHERE rule_id = 'T3.ROW_TOTAL'`,
    );
    writeFileSync(
      join(a.out, 'reviews.csv'),
      `fingerprint,decision,note,reviewer,date\n${row.fingerprint},dismissed,已核实,王审计,2024-06-01\n`,
    );
    const again = await runOn(a.input, { db: a.db, out: a.out, noOutputs: false });
    const open = await query<{ rule_id: string }>(a.db, `SELECT rule_id FROM findings WHERE counted`);
    expect(open).toHaveLength(n - 1);
    expect(open.map((f) => f.rule_id)).not.toContain('T3.ROW_TOTAL');
    expect(indexCount(again.out)).toBe(n - 1);
    // the run's summary (and its log line) counts as the pages do, the dismissed finding apart
    expect(again.summary.rules).toMatchObject({ findings: n - 1, dismissed: 1 });
  });

  it('stays two reports, with one META.DUPLICATE, when another document of the year has other numbers', async () => {
    const files = await documents();
    files[`${SEED}_更正.html`] = await variant(`${SEED}.html`, { 'T3|granted|total': '6' });
    const run = await runOn(makeInput(files), { noOutputs: false });
    const dup = await query<{ rule_id: string }>(
      run.db,
      `SELECT rule_id FROM anomalies WHERE rule_id = 'META.DUPLICATE'`,
    );
    expect(dup).toHaveLength(1);
    const groups = await query<{ group_id: string; n: bigint }>(
      run.db,
      'SELECT group_id, count(*) AS n FROM report_documents GROUP BY group_id ORDER BY n',
    );
    expect(groups.map((g) => Number(g.n))).toEqual([1, 3]);
    const rowTotals = await query<{ actual: number }>(
      run.db,
      `SELECT actual FROM anomalies WHERE rule_id = 'T3.ROW_TOTAL' ORDER BY actual`,
    );
    expect(rowTotals.map((r) => r.actual)).toEqual([5, 6]);
    expect(run.summary.rules.findings).toBe(indexCount(run.out));
  });
});
