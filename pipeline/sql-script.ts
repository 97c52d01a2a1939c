/**
 * Runs a file of SQL statements one statement at a time (DuckDB's own parser splits them). Run
 * as one multi-statement query, DuckDB held memory across the statements: at 10,000 reports
 * the rules' prelude ran out of its 256 MB that the same statements one by one stay within.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

export async function runScript(conn: DuckDBConnection, sql: string): Promise<void> {
  const statements = await conn.extractStatements(sql);
  for (let i = 0; i < statements.count; i++) {
    const prepared = await statements.prepare(i);
    try {
      await prepared.run();
    } finally {
      prepared.destroySync();
    }
  }
}
