/**
 * Merging shard warehouses: each `--shard i/n` run loads one hash-partition of the inputs into its
 * own warehouse; `--merge` copies their reports, cells, claims and ledgers into one warehouse,
 * where the rules then run over everything (cross-report rules need all shards together).
 */
import { existsSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { UsageError, sqlString } from '../common/index.js';

/** Tables keyed by report, replaced per report; ledgers merged by their keys. */
const BY_REPORT = ['reports', 'cells', 'claims'] as const;

export interface MergeSummary {
  shards: number;
  reports: number;
}

export async function mergeShards(conn: DuckDBConnection, shardFiles: readonly string[]): Promise<MergeSummary> {
  let reports = 0;
  for (const [i, file] of shardFiles.entries()) {
    if (!existsSync(file)) throw new UsageError(`--merge: ${file} does not exist`);
    const alias = `shard${i}`;
    await conn.run(`ATTACH ${sqlString(file)} AS ${alias} (READ_ONLY)`);
    try {
      await conn.run('BEGIN TRANSACTION');
      const ids = `(SELECT report_id FROM ${alias}.reports)`;
      for (const t of BY_REPORT) await conn.run(`DELETE FROM ${t} WHERE report_id IN ${ids}`);
      for (const t of BY_REPORT) await conn.run(`INSERT INTO ${t} BY NAME SELECT * FROM ${alias}.${t}`);
      await conn.run(`INSERT INTO documents BY NAME SELECT * FROM ${alias}.documents
        ON CONFLICT (source, sha256) DO UPDATE SET last_seen = greatest(documents.last_seen, excluded.last_seen),
          first_seen = least(documents.first_seen, excluded.first_seen), status = excluded.status`);
      await conn.run(`INSERT INTO fetches BY NAME SELECT * FROM ${alias}.fetches`);
      await conn.run('COMMIT');
      const n = await conn.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${alias}.reports`);
      reports += Number(n.getRowObjectsJS()[0].n);
    } catch (e) {
      await conn.run('ROLLBACK');
      throw new Error(`merge ${file}: ${(e as Error).message}`);
    } finally {
      await conn.run(`DETACH ${alias}`);
    }
  }
  return { shards: shardFiles.length, reports };
}
