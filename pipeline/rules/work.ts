/**
 * The rules' scratch space: a database file beside the warehouse, attached as `rules_work` for
 * the shared tables of sql/rules/_*.sql. Unlike temp tables (held in memory), its tables can be paged
 * out to disk, so the rules' memory stays within DuckDB's limit at any warehouse size.
 */
import { rmSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../common/index.js';

export interface RulesWork {
  readonly path: string;
  release(): Promise<void>;
}

/** `inMemory`: the work is small (an incremental run's): no file to write, check and delete. */
export async function attachRulesWork(conn: DuckDBConnection, inMemory = false): Promise<RulesWork> {
  const rows = (
    await conn.runAndReadAll('SELECT path FROM duckdb_databases() WHERE database_name = current_database()')
  ).getRowObjectsJS();
  const dbPath = rows[0]?.path as string | null;
  // An in-memory warehouse (tests) gets an in-memory scratch space.
  const path = dbPath && !inMemory ? `${dbPath}.rules-work` : ':memory:';
  const remove = () => {
    if (path === ':memory:') return;
    rmSync(path, { force: true });
    rmSync(`${path}.wal`, { force: true });
  };
  remove();
  await conn.run(`ATTACH ${sqlString(path)} AS rules_work`);
  await conn.run("SET search_path = 'main,rules_work.main'");
  return {
    path,
    release: async () => {
      await conn.run('RESET search_path');
      await conn.run('DETACH rules_work');
      remove();
    },
  };
}
