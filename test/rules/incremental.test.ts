/**
 * Incremental rules (pipeline/rules/incremental.ts): a run that adds, changes or removes reports
 * evaluates again only what they can move. Every case runs the same second run twice from the
 * same warehouse: incrementally, and in full (--force); `anomalies`, `resolved_findings`,
 * `rule_results` and the new/resolved counts must be the same, row for row (run ids aside). The
 * warehouse the incremental run published is then evaluated in full once more, in place.
 */
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEPT_REPORT_DOCUMENTS, runRules } from '../../pipeline/rules/index.js';
import { closeWarehouse, openWarehouse } from '../../pipeline/warehouse/warehouse.js';
import { makeInput, query, REPORTS, runOn, tempDir, type PipelineRun } from '../helpers.js';
import { cellsOf, PINGTAN, SEED, SEED_AGENCY, sampleText, variant } from './cases.js';

const ANOMALY_COLUMNS = `fingerprint, rule_id, severity, report_id, related_report_id, table_id, row_key, col_key, expected, actual,
  message, operands, cells, blank_involved, review_decision, review_note`;

/** A warehouse's findings, with the run that first saw each named relative to `runId`. */
async function anomalies(db: string, runId: string): Promise<Record<string, unknown>[]> {
  return query(
    db,
    `SELECT ${ANOMALY_COLUMNS}, first_seen_run = $1 AS first_seen_now, last_seen_run = $1 AS last_seen_now
    FROM anomalies ORDER BY fingerprint, report_id`,
    [runId],
  );
}

async function resolved(db: string, runId: string): Promise<Record<string, unknown>[]> {
  return query(
    db,
    `SELECT * EXCLUDE (resolved_run, first_seen_run, last_seen_run) FROM resolved_findings WHERE resolved_run = $1 ORDER BY ALL`,
    [runId],
  );
}

async function results(db: string, runId: string): Promise<Record<string, unknown>[]> {
  return query(db, 'SELECT * EXCLUDE (run_id) FROM rule_results WHERE run_id = $1 ORDER BY rule_id', [runId]);
}

/** Evaluates every rule over the whole warehouse (a copy) and returns its anomalies. */
async function fullEvaluation(db: string, agenciesCsv?: string): Promise<Record<string, unknown>[]> {
  const copy = join(tempDir('incr-full-'), 'copy.duckdb');
  copyFileSync(db, copy);
  const w = await openWarehouse(copy);
  try {
    await runRules(w.conn, { runId: 'full-check', agenciesCsv });
  } finally {
    await closeWarehouse(w);
  }
  return anomalies(copy, 'full-check');
}

/** What a run does to the warehouse besides the documents it reads (as a merge does: a report gone). */
type Edit = (db: string) => Promise<void>;

async function removeReports(db: string, sources: readonly string[]): Promise<void> {
  const w = await openWarehouse(db);
  try {
    for (const t of ['cells', 'claims', 'reports']) {
      await w.conn.run(
        `DELETE FROM ${t} WHERE report_id IN (SELECT report_id FROM reports WHERE source IN (${sources.map((s) => `'${s}'`).join(', ')}))`,
      );
    }
  } finally {
    await closeWarehouse(w);
  }
}

/**
 * Runs `second` on the warehouse `first` left, incrementally, and on a copy of it in full, and
 * expects the same findings, changes and results; then the published warehouse evaluated in full.
 */
async function expectIncrementalAsFull(
  first: PipelineRun,
  second: string,
  opts: { agencies?: string; edit?: Edit } = {},
): Promise<PipelineRun> {
  const fullDb = join(tempDir('incr-copy-'), 'warehouse.duckdb');
  copyFileSync(first.db, fullDb);
  if (opts.edit) {
    await opts.edit(first.db);
    await opts.edit(fullDb);
  }
  const incremental = await runOn(second, { db: first.db, agencies: opts.agencies });
  const full = await runOn(second, { db: fullDb, agencies: opts.agencies, force: true });
  expect(incremental.summary.rules.evaluation?.mode).toBe('incremental');
  expect(full.summary.rules.evaluation?.mode).toBe('full');
  const a = await anomalies(incremental.db, incremental.summary.runId);
  expect(a.length).toBeGreaterThan(0);
  expect(a).toEqual(await anomalies(full.db, full.summary.runId));
  expect(await resolved(incremental.db, incremental.summary.runId)).toEqual(
    await resolved(full.db, full.summary.runId),
  );
  expect(await results(incremental.db, incremental.summary.runId)).toEqual(await results(full.db, full.summary.runId));
  const { previousRun: _p, ...changes } = incremental.summary.changes!;
  const { previousRun: _q, ...fullChanges } = full.summary.changes!;
  expect(changes).toEqual(fullChanges);
  // the outputs read the rules' kept report_documents instead of the view: the same rows
  const documents = (from: string) => query(incremental.db, `SELECT * FROM ${from} ORDER BY report_id`);
  expect(await documents(KEPT_REPORT_DOCUMENTS)).toEqual(await documents('report_documents'));
  // the same warehouse, evaluated in full in place
  const strip = (rows: Record<string, unknown>[]) => rows.map(({ first_seen_now: _f, last_seen_now: _l, ...r }) => r);
  expect(strip(await fullEvaluation(incremental.db, opts.agencies))).toEqual(strip(a));
  return incremental;
}

describe('the bundled sample, in two runs', () => {
  it('finds what one run over every document finds', async () => {
    const names = readdirSync(REPORTS).sort();
    const part = (pick: (n: string) => boolean) =>
      makeInput(Object.fromEntries(names.filter(pick).map((n) => [n, readFileSync(join(REPORTS, n))])));
    const early = (n: string) => /^20(19|21|23)_/.test(n) || n.endsWith('.txt');
    const first = await runOn(part(early));
    const all = part(() => true);
    const second = await expectIncrementalAsFull(first, all);
    const once = await runOn(all);
    // the same findings; which document stands for a report (the one first seen) depends on the order they came in
    const brief = (rows: Record<string, unknown>[]) =>
      rows.map((r) => [
        r.fingerprint,
        r.rule_id,
        r.severity,
        r.table_id,
        r.row_key,
        r.col_key,
        r.expected,
        r.actual,
        r.message,
      ]);
    expect(brief(await anomalies(second.db, second.summary.runId))).toEqual(
      brief(await anomalies(once.db, once.summary.runId)),
    );
  }, 180_000);
});

describe('a generated corpus with an agency CSV', () => {
  const CSV = [
    'agency,parent,region,level',
    '测试市,,测试,市级',
    '测试局甲,测试市,测试,部门',
    '测试局乙,测试市,测试,部门',
  ].join('\n');
  const P21 = `2021_${PINGTAN}.html`;
  const TITLE = '2020年政府信息公开工作年度报告';
  const peerName = (i: number) => `测试单位${'甲乙丙丁戊己庚辛壬癸子丑寅卯'[i]}`;

  /** 平潭 2021's report with applications moved between 予以公开 and 无法提供. */
  async function peer(i: number, d: number): Promise<string | Uint8Array> {
    const p21 = await cellsOf(P21);
    const moved = Object.fromEntries(
      ['T3|granted|natural_person', 'T3|granted|total']
        .map((k) => [k, String(p21.get(k)!.value! + d)])
        .concat(
          ['T3|unable_not_held|natural_person', 'T3|unable_not_held|total'].map((k) => [
            k,
            String(p21.get(k)!.value! - d),
          ]),
        ),
    );
    return variant(P21, moved, [[PINGTAN, peerName(i)]]);
  }

  it('moves what new, changed and removed reports move, as a full evaluation', async () => {
    const csv = join(tempDir('incr-csv-'), 'agencies.csv');
    writeFileSync(csv, CSV);
    const seed = `${SEED}.html`;
    const files: Record<string, string | Uint8Array> = {
      'jia.html': sampleText(seed, [[SEED_AGENCY, '测试局甲']]),
      'shi.html': await variant(seed, { 'T3|new_received|natural_person': '1', 'T3|new_received|total': '1' }, [
        [SEED_AGENCY, '测试市'],
        [TITLE, '2020年全市政府信息公开工作年度报告'],
      ]),
      [`2021_${PINGTAN}.html`]: readFileSync(join(REPORTS, `2021_${PINGTAN}.html`)),
    };
    // ten peers of 2021 (no level: one group), one far off
    for (const [i, d] of [-4, -3, -2, -1, 0, 1, 2, 3, 4, -20].entries()) files[`peers/${i}.html`] = await peer(i, d);
    const input = makeInput(files);
    const first = await runOn(input, { agencies: csv });
    expect(
      (await query(first.db, "SELECT count(*)::INTEGER AS n FROM anomalies WHERE rule_id = 'XA.OUTLIER'"))[0].n,
    ).toBeGreaterThan(0);

    // the second run: a new year of an existing agency (平潭 2022: XY), two peers that move the
    // outlier's median, a second document of 测试局甲 2020 with other numbers (META.DUPLICATE), a
    // copy of 甲 for 乙 (XA.COPY, a member of 测试市: XA.AGGREGATE), a changed document (its bytes
    // replaced: the old report gone) and a removed one
    writeFileSync(join(input, `2022_${PINGTAN}.html`), readFileSync(join(REPORTS, `2022_${PINGTAN}.html`)));
    writeFileSync(join(input, 'peers', '10.html'), await peer(10, -6));
    writeFileSync(join(input, 'peers', '11.html'), await peer(11, -7));
    writeFileSync(
      join(input, 'jia-2.html'),
      await variant(seed, { 'T3|granted|natural_person': '9' }, [[SEED_AGENCY, '测试局甲']]),
    );
    writeFileSync(join(input, 'yi.html'), sampleText(seed, [[SEED_AGENCY, '测试局乙']]));
    writeFileSync(join(input, 'peers', '3.html'), await peer(3, 7));
    rmSync(join(input, 'peers', '5.html'));
    const second = await expectIncrementalAsFull(first, input, {
      agencies: csv,
      edit: (db) => removeReports(db, ['peers/3.html', 'peers/5.html']),
    });
    const rules = (await query<{ rule_id: string }>(second.db, 'SELECT DISTINCT rule_id FROM anomalies')).map(
      (r) => r.rule_id,
    );
    expect(rules).toEqual(expect.arrayContaining(['META.DUPLICATE', 'XA.COPY', 'XA.OUTLIER', 'XA.AGGREGATE']));
    expect(second.summary.rules.evaluation?.touched).toBeLessThan(10);

    // a third run that only removes the outlier's report: its finding is resolved
    const third = await expectIncrementalAsFull(second, input, {
      agencies: csv,
      edit: async (db) => {
        await removeReports(db, ['peers/9.html']);
        rmSync(join(input, 'peers', '9.html'), { force: true });
        writeFileSync(
          join(input, 'jia-3.html'),
          await variant(seed, { 'T3|granted|natural_person': '8' }, [[SEED_AGENCY, '测试局甲']]),
        );
      },
    });
    expect(third.summary.changes!.resolved).toBeGreaterThan(0);
  }, 240_000);
});

describe('a run that touches many reports', () => {
  it('evaluates in full, a slice at a time, when the reports to read outnumber a slice', async () => {
    const names = readdirSync(REPORTS).filter((n) => n.endsWith('.html'));
    const first = await runOn(makeInput(Object.fromEntries(names.map((n) => [n, readFileSync(join(REPORTS, n))]))));
    const w = await openWarehouse(first.db);
    try {
      await w.conn.run('DELETE FROM rules_state.evaluated_reports'); // every report looks new
      const small = await runRules(w.conn, { runId: 'many', incremental: true, preludeReportsPerSlice: 2 });
      expect(small.evaluation).toEqual({ mode: 'full', reason: `${names.length} reports to read, over 2` });
      await w.conn.run(
        'DELETE FROM rules_state.evaluated_reports WHERE report_id IN (SELECT report_id FROM reports LIMIT 1)',
      );
      expect(
        (await runRules(w.conn, { runId: 'one', incremental: true, preludeReportsPerSlice: 2 })).evaluation?.mode,
      ).toBe('incremental');
    } finally {
      await closeWarehouse(w);
    }
  }, 60_000);
});

describe('rule_results kept per report', () => {
  it('judges again the reports of the year before and after a new one (their neighbour)', async () => {
    // 平潭 2021 alone: the cross-year rules cannot assess it; with 2022 added they can, though
    // neither its findings nor its agency-year moved (2022 printed with its first table only)
    const sample = (n: string) => readFileSync(join(REPORTS, n));
    const noTables = sample(`2022_${PINGTAN}.html`)
      .toString('utf8')
      .replace(/<table[\s\S]*?<\/table>/g, (t, at: number, all: string) => (all.indexOf('<table') === at ? t : ''));
    const input = makeInput({
      [`2021_${PINGTAN}.html`]: sample(`2021_${PINGTAN}.html`),
      '2023_沭阳县发展和改革局.html': sample('2023_沭阳县发展和改革局.html'),
    });
    const first = await runOn(input);
    writeFileSync(join(input, `2022_${PINGTAN}.html`), noTables);
    const second = await expectIncrementalAsFull(first, input);
    expect(await query(second.db, "SELECT status, year FROM reports WHERE source LIKE '2022%'")).toEqual([
      { status: 'partial', year: 2022 },
    ]);
    const jump = await query<{ reports_not_assessable: number }>(
      second.db,
      "SELECT reports_not_assessable FROM rule_results WHERE run_id = $1 AND rule_id = 'XY.JUMP'",
      [second.summary.runId],
    );
    expect(jump[0].reports_not_assessable).toBe(2); // 沭阳 alone, 2022 without T3 and T4; 2021 assessable now
  }, 120_000);
});
