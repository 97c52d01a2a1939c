/**
 * The rules' scratch space: a database file beside the warehouse (warehouse/scratch.ts), attached
 * as `rules_work` for the shared tables of sql/rules/_*.sql and put on the search path.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { attachScratch } from '../warehouse/index.js';

export interface RulesWork {
  readonly path: string;
  release(): Promise<void>;
}

/** `inMemory`: the work is small (an incremental run's): no file to write, check and delete. */
export async function attachRulesWork(conn: DuckDBConnection, inMemory = false): Promise<RulesWork> {
  const scratch = await attachScratch(conn, 'rules_work', 'rules-work', inMemory);
  await conn.run("SET search_path = 'main,rules_work.main'");
  return {
    path: scratch.path,
    release: async () => {
      await conn.run('RESET search_path');
      await scratch.release();
    },
  };
}
