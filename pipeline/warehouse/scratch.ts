/**
 * A scratch database: a file beside the warehouse, attached under a name, for the tables a stage
 * builds for itself (the rules' shared tables, the outputs' materialised views). Unlike temp tables
 * (held in memory, so growing with the warehouse), its tables can be paged out to disk, so the
 * stage's memory stays within DuckDB's limit at any warehouse size. Removed when released.
 */
import { rmSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlIdent, sqlString } from '../common/index.js';

export interface Scratch {
  readonly name: string;
  readonly path: string;
  /** Detaches it and removes its file. */
  release(): Promise<void>;
}

/**
 * Attaches a fresh scratch database as `name`, at `<warehouse file>.<suffix>`; in memory when
 * `inMemory` (the work is small: no file to write, check and delete) or the warehouse is (tests).
 */
export async function attachScratch(
  conn: DuckDBConnection,
  name: string,
  suffix: string,
  inMemory = false,
): Promise<Scratch> {
  const rows = (
    await conn.runAndReadAll('SELECT path FROM duckdb_databases() WHERE database_name = current_database()')
  ).getRowObjectsJS();
  const dbPath = rows[0]?.path as string | null;
  const path = dbPath && !inMemory ? `${dbPath}.${suffix}` : ':memory:';
  const remove = () => {
    if (path === ':memory:') return;
    rmSync(path, { force: true });
    rmSync(`${path}.wal`, { force: true });
  };
  remove();
  await conn.run(`ATTACH ${sqlString(path)} AS ${sqlIdent(name)}`);
  return {
    name,
    path,
    release: async () => {
      await conn.run(`DETACH ${sqlIdent(name)}`);
      remove();
    },
  };
}
