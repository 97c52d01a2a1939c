/** Past one machine: shards of the input, merged, equal a single run (warehouse and Parquet). */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { query, REPORTS, runOn, tempDir } from '../helpers.js';

const REPORT_COLS =
  'report_id, source, sha256, format, agency, agency_norm, year, template, status, error, title, tables_found';

async function content(db: string) {
  return {
    reports: await query(db, `SELECT ${REPORT_COLS} FROM reports ORDER BY report_id`),
    cells: await query(db, 'SELECT * FROM cells ORDER BY ALL'),
    claims: await query(db, 'SELECT * FROM claims ORDER BY ALL'),
    // a finding is the report's (its representative: the document first seen, which a merge of shards sees in another
    // order)
    anomalies: await query(
      db,
      `SELECT a.fingerprint, a.rule_id, a.severity, r.agency_norm, r.year, rr.agency_norm AS related_agency, rr.year AS related_year,
              a.table_id, a.row_key, a.col_key, a.expected, a.actual, a.message
       FROM anomalies a JOIN reports r USING (report_id) LEFT JOIN reports rr ON rr.report_id = a.related_report_id ORDER BY a.fingerprint`,
    ),
  };
}

describe('--shard i/n and --merge', () => {
  it('two shards merged equal one run; their Parquet read together equals the single run', async () => {
    const work = tempDir();
    const single = await runOn(REPORTS, {
      db: join(work, 'single.duckdb'),
      parquet: join(work, 'pq-single'),
      noOutputs: false,
      out: join(work, 'out-single'),
    });
    const shards = [];
    for (const index of [0, 1]) {
      shards.push(
        await runOn(REPORTS, {
          db: join(work, `shard${index}.duckdb`),
          shard: { index, count: 2 },
          parquet: join(work, 'pq', `shard${index}`),
          noOutputs: false,
          out: join(work, `out-shard${index}`),
        }),
      );
    }
    const seen = shards.map((s) => s.summary.seen);
    expect(seen[0] + seen[1]).toBe(single.summary.seen);
    expect(Math.min(...seen)).toBeGreaterThan(0);

    const merged = await runOn(undefined, { db: join(work, 'merged.duckdb'), merge: shards.map((s) => s.db) });
    expect(merged.exitCode).toBe(0);
    expect(await content(merged.db)).toEqual(await content(single.db));

    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    const count = async (glob: string) =>
      Number(
        (
          await conn.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${glob}', hive_partitioning = true)`)
        ).getRowObjectsJS()[0].n,
      );
    expect(await count(join(work, 'pq', '*', 'cells', '*', '*.parquet'))).toBe(
      await count(join(work, 'pq-single', 'cells', '*', '*.parquet')),
    );
    expect(await count(join(work, 'pq', '*', 'reports', '*', '*.parquet'))).toBe(
      await count(join(work, 'pq-single', 'reports', '*', '*.parquet')),
    );
    conn.closeSync();
    inst.closeSync();
  });
});
