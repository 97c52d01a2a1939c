/**
 * A nightly run of a few new reports among many writes again only the export rows that changed:
 * the others are copied from the published files (exports/kept-rows.ts). The files must be the
 * bytes a run writing every row gives, whatever changed: a finding's text, a report's agency (a
 * column joined into its findings' rows), rows added and removed, the run that last saw every
 * finding (a value the same in every row, replaced in the rows copied); and a file not the one
 * recorded has every row written again.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { writeExports } from '../../pipeline/outputs/exports/exports.js';
import { EXPORT_ROWS, ExportRows } from '../../pipeline/outputs/exports/kept-rows.js';
import { FileSink } from '../../pipeline/outputs/files.js';
import { closeWarehouse, openWarehouse } from '../../pipeline/warehouse/index.js';
import { tempDir } from '../helpers.js';

const FILES = ['anomalies.csv', 'anomalies.json', 'reports.csv'] as const;

/** The exports written into `dir`, kept rows from its published files when `keep`; the files' bytes and the counts. */
async function exportInto(conn: DuckDBConnection, dir: string, keep: boolean) {
  const [anomaliesCsv, anomaliesJson, reportsCsv] = FILES.map((f) => new FileSink(join(dir, f)));
  const kept = keep ? await ExportRows.load(conn, dir) : null;
  const counts = await writeExports(conn, { anomaliesCsv, anomaliesJson, reportsCsv }, 'groups', kept);
  for (const f of [anomaliesCsv, anomaliesJson, reportsCsv]) f.commit();
  kept?.save(join(dir, EXPORT_ROWS), (name) => join(dir, name));
  return { counts, bytes: FILES.map((f) => readFileSync(join(dir, f), 'utf8')) };
}

describe('export rows kept from the published files', () => {
  it('give the bytes of every row written, reading only the rows that changed', async () => {
    const dir = tempDir('goa-kept-rows-');
    const w = await openWarehouse(join(dir, 'w.duckdb'));
    const conn = w.conn;
    try {
      // 3,000 reports and 5,000 findings (several of DuckDB's vectors), stored in another order than the exports'
      await conn.run(
        `INSERT INTO reports (report_id, source, sha256, agency, agency_norm, year, status, title, size_bytes, loaded_at)
         SELECT 'r' || lpad(i::VARCHAR, 5, '0'), 'src/' || i, md5(i::VARCHAR), '机关' || (i % 97), '机关' || (i % 97),
                2019 + i % 4, 'ok', CASE WHEN i % 11 = 0 THEN '=标题,"引号"' END, i * 1000, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND
         FROM range(3000) t(i) ORDER BY hash(i)`,
      );
      await conn.run(
        `INSERT INTO anomalies (fingerprint, rule_id, severity, report_id, expected, actual, message, operands,
                                blank_involved, first_seen_run, last_seen_run)
         SELECT 'f' || i, 'R' || (i % 13), 'error', 'r' || lpad((i % 3000)::VARCHAR, 5, '0'), i / 7, -i * 0.1,
                '第' || i || '条\n"行"', '[{"v":' || i || '}]', i % 2 = 0, 'run-1', 'run-1'
         FROM range(5000) t(i) ORDER BY hash(i * 3)`,
      );
      await conn.run(
        `CREATE TEMP TABLE groups AS SELECT report_id, report_id AS group_id, true AS is_representative, 1 AS n_sources,
                false AS is_primary FROM reports`,
      );
      const published = join(dir, 'out');
      const first = await exportInto(conn, published, true);
      expect(first.counts).toEqual({ rows: 8000, read: 8000 });

      // a night: every finding seen by the new run, a finding's message changed, one removed, two
      // added, a report's agency renamed (two findings and its own row), a new report
      await conn.run(`UPDATE anomalies SET last_seen_run = 'run-2'`);
      await conn.run(`UPDATE anomalies SET message = '改了' WHERE fingerprint = 'f10'`);
      await conn.run(`DELETE FROM anomalies WHERE fingerprint = 'f20'`);
      await conn.run(
        `INSERT INTO anomalies (fingerprint, rule_id, severity, report_id, message) VALUES
           ('new1', 'R1', 'warning', 'r00001', '新'), ('new2', 'A0', 'info', 'r03000', '新的')`,
      );
      await conn.run(
        `UPDATE anomalies SET first_seen_run = 'run-2', last_seen_run = 'run-2' WHERE fingerprint LIKE 'new%'`,
      );
      await conn.run(`UPDATE reports SET agency = '新名' WHERE report_id = 'r00030'`);
      await conn.run(
        `INSERT INTO reports (report_id, source, sha256, agency, agency_norm, year, status)
         VALUES ('r03000', 'src/3000', 'x', '新机关', '新机关', 2024, 'ok')`,
      );
      await conn.run(`INSERT INTO groups VALUES ('r03000', 'r03000', true, 1, false)`);

      const second = await exportInto(conn, published, true);
      const whole = await exportInto(conn, join(dir, 'whole'), false);
      expect(second.bytes).toEqual(whole.bytes);
      // f10, new1, new2, the two findings of r00030 (f30, f3030); r00030's and r03000's report rows
      expect(second.counts).toEqual({ rows: 8002, read: 7 });
      expect(second.bytes[0]).toContain(',run-1,run-2');
      expect(second.bytes[0]).not.toContain(',run-1,run-1');

      // nothing changed: nothing read
      expect((await exportInto(conn, published, true)).counts.read).toBe(0);

      // a published file changed by hand is not the one recorded: its rows are all written again
      appendFileSync(join(published, 'reports.csv'), 'edited\r\n');
      const afterEdit = await exportInto(conn, published, true);
      expect(afterEdit.bytes).toEqual(whole.bytes);
      expect(afterEdit.counts.read).toBe(3001);

      // a run id of another length: the findings' rows are all written again (the reports' kept)
      await conn.run(`UPDATE anomalies SET last_seen_run = 'run-3b'`);
      const longer = await exportInto(conn, published, true);
      expect(longer.bytes).toEqual((await exportInto(conn, join(dir, 'whole'), false)).bytes);
      expect(longer.counts.read).toBe(5001);
    } finally {
      await closeWarehouse(w);
    }
  });
});
