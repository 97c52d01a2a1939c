/**
 * Writing the anomalies stays within DuckDB's memory at scale: a run of 20,000 reports (16,000
 * findings) crashed with "Out of Memory Error" at the default 160 MB when every finding was
 * numbered by a window and sorted with all its columns. Here 10,000 wide findings (a long
 * message, operands and cells) are written at 48 MB: the old query needed more than 56.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFindings, writeAnomalies } from '../../pipeline/rules/findings.js';
import { closeWarehouse, limitDbMemory, openWarehouse, type Warehouse } from '../../pipeline/warehouse/warehouse.js';
import { tempDir } from '../helpers.js';

let w: Warehouse | null = null;
afterAll(async () => {
  if (w) await closeWarehouse(w);
});

describe('writing the anomalies', () => {
  it('keeps one finding per fingerprint of 10,000 wide findings within 48 MB of DuckDB memory', async () => {
    w = await openWarehouse(join(tempDir('goa-anomalies-memory-'), 'w.duckdb'), '1GB');
    await createFindings(w.conn);
    // every finding its own (distinct expected values), plus 100 repeated: the same fingerprint twice
    await w.conn.run(`INSERT INTO rule_findings
      SELECT 'T3.ROW_SUM', 'warning', 'r' || lpad((i % 10000)::VARCHAR, 16, '0'), NULL, 'T3', 'row' || (i % 50), 'total', i % 10000, i % 10000 + 1,
             repeat('说明', 100) || (i % 10000), '[' || repeat('{"row_key":"granted","value":12},', 20) || '{"i":' || (i % 10000) || '}]',
             '[{"table_id":"T3","row_key":"x","col_key":"y","i":' || (i % 10000) || '}]', false
      FROM range(10100) t(i)`);
    await limitDbMemory(w.conn, '48MB');
    await writeAnomalies(w.conn, 'run-1');
    const [row] = (
      await w.conn.runAndReadAll(`SELECT count(*)::INTEGER AS n, count(DISTINCT fingerprint)::INTEGER AS fingerprints,
        count(*) FILTER (WHERE message = repeat('说明', 100) || (expected::INTEGER)::VARCHAR AND operands LIKE '%"i":' || (expected::INTEGER)::VARCHAR || '}]')::INTEGER AS whole
        FROM anomalies`)
    ).getRowObjectsJS();
    expect(row).toEqual({ n: 10000, fingerprints: 10000, whole: 10000 });
  }, 120_000);
});
