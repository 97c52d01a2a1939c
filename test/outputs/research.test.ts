/**
 * For researchers: the documented views of the published warehouse (sql/views.sql) and the
 * --parquet export, Hive-partitioned by year and readable by DuckDB as is.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { query, REPORTS, runOn, tempDir, type PipelineRun } from '../helpers.js';

let run: PipelineRun;
let parquet: string;

beforeAll(async () => {
  parquet = join(tempDir('goa-pq-'), 'parquet');
  run = await runOn(REPORTS, { noOutputs: false, parquet });
});

describe('views', () => {
  it('group the documents of one report and keep one representative', async () => {
    const groups = await query<{ agency_norm: string; year: number; reports: bigint; documents: bigint; reps: bigint }>(
      run.db,
      `SELECT agency_norm, year, count(DISTINCT group_id) AS reports, count(*) AS documents, count(*) FILTER (WHERE is_representative) AS reps
       FROM report_documents GROUP BY ALL ORDER BY year`,
    );
    // the sample holds each report in three formats with identical numbers
    expect(groups.map((g) => [g.year, Number(g.reports), Number(g.documents), Number(g.reps)])).toEqual([
      [2019, 1, 3, 1],
      [2020, 1, 3, 1],
      [2021, 1, 3, 1],
      [2022, 1, 3, 1],
      [2023, 1, 3, 1],
    ]);
  });

  it('rebuild T3, T4 and T2 with one row per report and table row', async () => {
    const t3 = await query<{ report_id: string; template: string; n: bigint }>(
      run.db,
      'SELECT report_id, template, count(*) AS n FROM t3 GROUP BY ALL',
    );
    expect(t3).toHaveLength(5);
    for (const r of t3) expect(Number(r.n)).toBe(r.template === '2019' ? 23 : 25);
    const [cy] = await query<Record<string, number>>(
      run.db,
      `SELECT natural_person, commercial, research, social_org, legal_service, other_org, total FROM t3
       WHERE agency = '北京市朝阳区教育委员会' AND row_key = 'granted'`,
    );
    expect(cy).toEqual({
      natural_person: 4,
      commercial: 0,
      research: 0,
      social_org: 0,
      legal_service: 0,
      other_org: 0,
      total: 4,
    });
    const t4 = await query<{ block: string; total: number }>(
      run.db,
      `SELECT block, total FROM t4 WHERE year = 2020 ORDER BY block`,
    );
    expect(t4.map((r) => r.block)).toEqual(['litigation_after_review', 'litigation_direct', 'review']);
    const [fees] = await query<{ amount: number }>(
      run.db,
      `SELECT amount FROM t2 WHERE year = 2020 AND row_key = 'procurement'`,
    );
    expect(fees.amount).toBe(23466.49);
  });

  it('compute the documented rates from the table cells', async () => {
    const rows = await query<Record<string, number | string | boolean | null>>(
      run.db,
      `SELECT m.*, t.granted AS g, t.partial AS p, t.total_processed AS tp
       FROM report_metrics m JOIN (
         SELECT report_id, max(total) FILTER (WHERE row_key = 'granted') AS granted, max(total) FILTER (WHERE row_key = 'partial') AS partial,
                max(total) FILTER (WHERE row_key = 'total_processed') AS total_processed FROM t3 GROUP BY report_id) t USING (report_id)
       ORDER BY year`,
    );
    expect(rows).toHaveLength(5);
    for (const r of rows) {
      expect(r.substantive_open_rate).toBeCloseTo(((r.g as number) + (r.p as number)) / (r.tp as number), 12);
      expect(r.is_primary).toBe(true);
    }
    const cy = rows.find((r) => r.year === 2020)!;
    expect([cy.requests_received, cy.granted, cy.total_processed, cy.grant_rate]).toEqual([10, 4, 9, 4 / 9]);
  });

  it('answer "which agencies granted less than 40% of requests" in one query', async () => {
    const rows = await query<{ agency: string; year: number; grant_rate: number }>(
      run.db,
      `SELECT agency, year, granted, total_processed, round(100 * grant_rate, 1) AS pct
       FROM report_metrics WHERE is_primary AND year = 2022 AND grant_rate < 0.40 ORDER BY grant_rate`,
    );
    expect(rows.map((r) => [r.agency, r.year])).toEqual([['平潭综合实验区', 2022]]);
  });
});

describe('--parquet', () => {
  it('writes Hive partitions by year that DuckDB reads as is', async () => {
    expect(readdirSync(join(parquet, 'cells')).sort()).toEqual([
      'year=2019',
      'year=2020',
      'year=2021',
      'year=2022',
      'year=2023',
    ]);
    const inst = await DuckDBInstance.create(':memory:');
    const conn = await inst.connect();
    try {
      for (const table of ['reports', 'cells', 'anomalies']) {
        const read = await conn.runAndReadAll(
          `SELECT year, count(*) AS n FROM read_parquet('${join(parquet, table)}/*/*.parquet', hive_partitioning = true) GROUP BY year ORDER BY year`,
        );
        const fromParquet = read.getRowObjectsJS().map((r) => [Number(r.year), Number(r.n)]);
        const fromDb = (
          await query<{ year: number; n: bigint }>(
            run.db,
            `SELECT r.year, count(*) AS n FROM ${table} t JOIN reports r ${table === 'reports' ? 'ON r.report_id = t.report_id' : 'USING (report_id)'} GROUP BY ALL ORDER BY 1`,
          )
        ).map((r) => [r.year, Number(r.n)]);
        expect(fromParquet, table).toEqual(fromDb);
      }
      // the columns of the table come back unchanged (the partition column last)
      const cells = await conn.runAndReadAll(
        `SELECT * FROM read_parquet('${join(parquet, 'cells')}/*/*.parquet', hive_partitioning = true) WHERE year = 2020 AND row_key = 'granted' AND col_key = 'total' ORDER BY report_id`,
      );
      expect(cells.columnNames()).toEqual([
        'report_id',
        'table_id',
        'row_key',
        'col_key',
        'value',
        'raw',
        'kind',
        'grid_table',
        'grid_row',
        'grid_col',
        'unit',
        'page',
        'year',
      ]);
      expect(cells.getRowObjectsJS().map((r) => r.value)).toEqual([4, 4, 4]);
    } finally {
      conn.closeSync();
      inst.closeSync();
    }
  });
});
