/** The researchers' views (sql/views.sql), created or replaced in the warehouse. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sqlDir } from '../paths.js';

export async function createViews(conn: DuckDBConnection): Promise<void> {
  await conn.run(readFileSync(join(sqlDir(), 'views.sql'), 'utf8'));
}
