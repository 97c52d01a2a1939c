/**
 * The bundled sample (the seed in three formats and four corpus reports in three formats each,
 * all internally consistent): no finding of severity error, exactly the findings its real
 * numbers call for, and a second run over the same warehouse keeps every finding's id and the
 * run it was first seen in.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { closeWarehouse, openWarehouse } from '../../pipeline/warehouse/warehouse.js';
import { isNarrative, RULE_IDS } from '../../domain/rule-catalogue.js';
import { loadRuleFiles } from '../../pipeline/rules/files.js';
import { rulesDir, runRules } from '../../pipeline/rules/index.js';
import { RULES_VERSION } from '../../pipeline/rules/version.js';
import { query, REPORTS, runOn, tempDir, type PipelineRun } from '../helpers.js';
import { findingsOf, type Finding } from './cases.js';

let first: PipelineRun;
let second: PipelineRun;
let before: Finding[];
let after: Finding[];

beforeAll(async () => {
  first = await runOn(REPORTS, { workers: 2 });
  before = await findingsOf(first.db);
  second = await runOn(REPORTS, { workers: 2, db: first.db });
  after = await findingsOf(second.db);
}, 120_000);

// Narrative rules are another module's; these tests speak for the table rules.
const tableRules = (fs: Finding[]) => fs.filter((f) => !isNarrative(f.rule_id));

describe('the bundled sample', () => {
  it('has no finding of severity error', () => {
    expect(before.filter((f) => f.severity === 'error').map((f) => `${f.rule_id} ${f.source}: ${f.message}`)).toEqual(
      [],
    );
  });

  it('has exactly the findings its real numbers call for', () => {
    expect(
      tableRules(before).map((f) => [f.rule_id, f.source, f.table_id, f.row_key, f.col_key, f.expected, f.actual]),
    ).toEqual(
      [
        // 平潭 2019 prints 采购总金额 as 75394432.52元 in its 万元 column (converted to 7539.443252 万元)
        ['T2.UNIT', '2019_平潭综合实验区.docx', 'T2', 'procurement', 'amount', 7539.443252, 75394432.52],
        ['T2.UNIT', '2019_平潭综合实验区.html', 'T2', 'procurement', 'amount', 7539.443252, 75394432.52],
        ['T2.UNIT', '2019_平潭综合实验区.txt', 'T2', 'procurement', 'amount', 7539.443252, 75394432.52],
        // 平潭 2022: 行政诉讼（未经复议直接起诉） fell from 12 to 1 (the representative of 2022 is the document first seen)
        ...before
          .filter((f) => f.rule_id === 'XY.JUMP')
          .map((f) => ['XY.JUMP', f.source, 'T4', 'litigation_direct', 'total', 12, 1]),
        // 沭阳 2023 leaves 125 T3 cells blank
        ['VAL.BLANK_CELL', '2023_沭阳县发展和改革局.docx', 'T3', null, null, null, 125],
        ['VAL.BLANK_CELL', '2023_沭阳县发展和改革局.html', 'T3', null, null, null, 125],
        ['VAL.BLANK_CELL', '2023_沭阳县发展和改革局.txt', 'T3', null, null, null, 125],
      ].sort((a, b) => String(a[1]).localeCompare(String(b[1])) || String(a[0]).localeCompare(String(b[0]))),
    );
    // one finding of the report, listed for each of its three documents
    expect(before.filter((f) => f.rule_id === 'XY.JUMP')).toHaveLength(3);
    expect(new Set(before.filter((f) => f.rule_id === 'XY.JUMP').map((f) => f.fingerprint)).size).toBe(1);
    expect(before.find((f) => f.rule_id === 'XY.JUMP')!.message).toBe(
      '行政诉讼（未经复议直接起诉）（总计）从 2021 年的 12 变为 1（×0.08），超出 0.2～5 倍',
    );
  });

  it('chains 平潭 2021 → 2022 (both in the 2021 format) without a finding: carried over 1 = carried forward 1, in force 665 + 88 − 55 = 698', () => {
    expect(before.filter((f) => f.rule_id === 'XY.CARRY_OVER' || f.rule_id === 'XY.IN_FORCE_CHAIN')).toEqual([]);
  });

  it('treats the three documents of each report as one (no META.DUPLICATE)', () => {
    expect(before.filter((f) => f.rule_id === 'META.DUPLICATE')).toEqual([]);
  });

  it('fills the rules table from the rule files and records the rules version', async () => {
    const rows = await query<{ rule_id: string; severity: string; file: string }>(
      first.db,
      'SELECT rule_id, severity, file FROM rules ORDER BY rule_id',
    );
    expect(rows.map((r) => r.rule_id)).toEqual(
      loadRuleFiles(rulesDir())
        .rules.map((r) => r.id)
        .sort(),
    );
    expect(rows.map((r) => r.rule_id).filter((id) => !RULE_IDS.includes(id as never))).toEqual([]);
    const runs = await query<{ rules_version: string }>(first.db, 'SELECT DISTINCT rules_version FROM runs');
    expect(runs).toEqual([{ rules_version: RULES_VERSION }]);
  });
});

describe('a second run over the same warehouse', () => {
  it('finds the same findings with the same fingerprints, first seen in the first run', () => {
    const ids = (fs: Finding[]) => fs.map((f) => f.fingerprint).sort();
    expect(ids(after)).toEqual(ids(before));
    // findingsOf lists a finding for each document of its report: as many fingerprints as (finding, document) pairs
    expect(new Set(after.map((f) => `${f.fingerprint} ${f.source}`)).size).toBe(after.length);
    for (const f of after) {
      expect(f.first_seen_run).toBe(first.summary.runId);
      expect(f.last_seen_run).toBe(second.summary.runId);
    }
    expect(before.every((f) => /^[0-9a-f]{32}$/.test(f.fingerprint))).toBe(true);
  });
});

describe('report-scoped rules run a slice of reports at a time', () => {
  const shape = (fs: Finding[]) =>
    fs.map((f) => [f.fingerprint, f.rule_id, f.source, f.message, f.cells, f.operands, f.expected, f.actual]);

  /** The findings of the rules run on a copy of the first run's warehouse, after `prepare`. */
  async function findingsSliced(
    name: string,
    slices: { reportsPerSlice: number; preludeReportsPerSlice?: number },
    prepare?: (conn: DuckDBConnection) => Promise<void>,
  ): Promise<Finding[]> {
    const copy = join(tempDir('goa-slices-'), `${name}.duckdb`);
    copyFileSync(first.db, copy);
    const w = await openWarehouse(copy);
    try {
      await prepare?.(w.conn);
      await runRules(w.conn, { runId: name, ...slices });
    } finally {
      await closeWarehouse(w);
    }
    return findingsOf(copy);
  }

  it('finds the same findings with one report per slice as with all at once', async () => {
    const sliced = await findingsSliced('sliced', { reportsPerSlice: 1 });
    expect(loadRuleFiles(rulesDir()).rules.filter((r) => r.scope === 'report').length).toBeGreaterThan(10);
    expect(sliced.length).toBe(before.length);
    expect(shape(sliced)).toEqual(shape(before));
  }, 60_000);

  it('finds the same findings when the prelude and the rules are sliced differently', async () => {
    // boundaries that do not line up: the rules' slices read prelude tables filled in other slices
    const uneven = await findingsSliced('uneven', { reportsPerSlice: 3, preludeReportsPerSlice: 2 });
    expect(shape(uneven)).toEqual(shape(before));
  }, 60_000);

  it('finds the same findings when the reports’ cells are not stored together', async () => {
    // the cells in an order that mixes the reports: no slice's cells are a range of rows of their own
    const interleaved = await findingsSliced(
      'interleaved',
      { reportsPerSlice: 2, preludeReportsPerSlice: 3 },
      async (conn) => {
        const order = 'ORDER BY hash(row_key || col_key), report_id';
        await conn.run(`CREATE TEMP TABLE shuffled AS SELECT * FROM cells ${order}`);
        await conn.run('DELETE FROM cells');
        await conn.run(`INSERT INTO cells SELECT * FROM shuffled ${order}`);
        await conn.run('CHECKPOINT');
        const runs = await conn.runAndReadAll(
          `SELECT count(*) FILTER (WHERE report_id IS DISTINCT FROM prev)::INTEGER, count(DISTINCT report_id)::INTEGER
         FROM (SELECT report_id, lag(report_id) OVER (ORDER BY rowid) AS prev FROM cells)`,
        );
        const [stretches, reports] = runs.getRows()[0] as number[];
        expect(stretches).toBeGreaterThan(10 * reports);
      },
    );
    expect(shape(interleaved)).toEqual(shape(before));
  }, 60_000);
});

describe('a slice that fails', () => {
  /** The prelude files, and one report-scoped rule that fails in its first slice, saying how many reports it sees. */
  function rulesWithFailingSlice(): string {
    const dir = join(tempDir('goa-rules-'), 'rules');
    mkdirSync(dir);
    for (const { file, sql } of loadRuleFiles(rulesDir()).preludes) writeFileSync(join(dir, file), sql);
    writeFileSync(
      join(dir, 'VAL.NEGATIVE.sql'),
      [
        '-- id: VAL.NEGATIVE',
        '-- severity: error',
        '-- scope: report',
        'SELECT report_id, NULL AS related_report_id, NULL AS table_id, NULL AS row_key, NULL AS col_key, NULL AS expected, NULL AS actual,',
        "       error('slice failed: ' || (SELECT count(DISTINCT report_id) FROM cells)) AS message, NULL AS operands, NULL AS cells, false AS blank_involved",
        'FROM reports',
      ].join('\n'),
    );
    return dir;
  }

  it('names its rule, and leaves every table whole for what follows', async () => {
    const copy = join(tempDir('goa-slices-'), 'failing.duckdb');
    copyFileSync(first.db, copy);
    const w = await openWarehouse(copy);
    try {
      const all = await w.conn.runAndReadAll('SELECT count(*)::INTEGER, count(DISTINCT report_id)::INTEGER FROM cells');
      await expect(
        runRules(w.conn, { runId: 'failing', reportsPerSlice: 2, rulesDir: rulesWithFailingSlice() }),
      ).rejects.toThrow(/rule VAL\.NEGATIVE \(sql\/rules\/VAL\.NEGATIVE\.sql\): .*slice failed: [12]\b/);
      const after = await w.conn.runAndReadAll(
        'SELECT count(*)::INTEGER, count(DISTINCT report_id)::INTEGER FROM cells',
      );
      expect(after.getRows()).toEqual(all.getRows());
      const views = await w.conn.runAndReadAll(
        "SELECT count(*)::INTEGER FROM duckdb_views() WHERE temporary AND view_name IN ('cells', 'reports', 'claims')",
      );
      expect(views.getRows()).toEqual([[0]]);
    } finally {
      await closeWarehouse(w);
    }
  }, 60_000);

  it('refuses a prelude it cannot split into its statements', async () => {
    const dir = join(tempDir('goa-rules-'), 'rules');
    mkdirSync(dir);
    writeFileSync(
      join(dir, '_bad.sql'),
      'CREATE OR REPLACE TEMP MACRO one() AS 1; CREATE OR REPLACE TEMP MACRO two() AS 2;\n',
    );
    const w = await openWarehouse(':memory:');
    try {
      await expect(runRules(w.conn, { runId: 'bad', rulesDir: dir })).rejects.toThrow(
        'sql/rules/_bad.sql: 2 statements, but 1 ending with ";" at the end of a line',
      );
    } finally {
      await closeWarehouse(w);
    }
  });
});
