/** The researchers' views (sql/views.sql), created or replaced in the warehouse. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { applyComments } from '../dictionary.js';
import { sqlDir } from '../paths.js';

export async function createViews(conn: DuckDBConnection): Promise<void> {
  await conn.run(readFileSync(join(sqlDir(), 'views.sql'), 'utf8'));
  await applyComments(conn, 'views'); // replacing a view drops its comments
}
