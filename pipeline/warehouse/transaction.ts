/** Statements run as one transaction: DuckDB commits each statement of its own (a sync of the WAL on a file). */
import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Runs `sql` (any number of statements) as one transaction: one
 * commit instead of one per statement; none of it on failure.
 */
export async function inTransaction(conn: DuckDBConnection, sql: string): Promise<void> {
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run(sql);
    await conn.run('COMMIT');
  } catch (e) {
    await conn.run('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
