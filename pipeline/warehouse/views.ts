/** The researchers' views (sql/views.sql), created or replaced in the warehouse, with their comments. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { applyComments, DICTIONARY, SCHEMA_VERSION } from './dictionary.js';
import { fillViewsSql } from './metrics-sql.js';
import { allTemplateKeys } from '../../domain/index.js';
import { sqlDir, sqlString } from '../common/index.js';
import { inTransaction } from './transaction.js';

/** The views as this code makes them, and the hash that stands for them (made once a process). */
let wanted: { views: string; hash: string; names: string[] } | null = null;
function wantedViews(): { views: string; hash: string; names: string[] } {
  if (wanted) return wanted;
  const views = fillViewsSql(readFileSync(join(sqlDir(), 'views.sql'), 'utf8'));
  const hash = createHash('sha256')
    .update(views)
    .update('\0')
    .update(readFileSync(join(sqlDir(), 'schema.sql')))
    .update('\0')
    .update(JSON.stringify(DICTIONARY))
    .update('\0')
    .update(String(SCHEMA_VERSION))
    .update('\0')
    .update(JSON.stringify(allTemplateKeys()))
    .digest('hex');
  const names = [...views.matchAll(/CREATE OR REPLACE VIEW (\w+)/g)].map((m) => m[1]);
  wanted = { views, hash, names };
  return wanted;
}

/**
 * Whether the warehouse has the views as this code would make them (the same views.sql, schema.sql,
 * dictionary and template keys, recorded in `warehouse_meta` once they were all applied: see
 * openWarehouse).
 */
export async function viewsAreCurrent(conn: DuckDBConnection): Promise<boolean> {
  const { hash, names } = wantedViews();
  const [meta] = (
    await conn.runAndReadAll(
      `SELECT count(*)::INTEGER FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND table_name = 'warehouse_meta'`,
    )
  ).getRowsJS()[0];
  if (Number(meta) === 0) return false;
  const [state] = (
    await conn.runAndReadAll(
      `SELECT (SELECT max(views_hash) FROM warehouse_meta) AS hash,
              (SELECT count(*) FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
                 AND view_name IN (${names.map(sqlString).join(', ')}))::INTEGER AS present`,
    )
  ).getRowObjectsJS();
  return state.hash === hash && Number(state.present) === names.length;
}

/**
 * Creates the views unless the warehouse already has them as this code would make them
 * (viewsAreCurrent). Replacing a view drops its comments, and commenting its columns again is slow
 * (measured: docs/performance.md): every run opened the warehouse that way, the nightly no-op included.
 */
export async function createViews(conn: DuckDBConnection): Promise<void> {
  if (await viewsAreCurrent(conn)) return;
  const { views, hash } = wantedViews();
  // One commit for the views and the hash that stands for them (each statement was a commit of its own).
  await inTransaction(
    conn,
    `${views};\nDELETE FROM warehouse_meta;\nINSERT INTO warehouse_meta VALUES (${SCHEMA_VERSION}, ${sqlString(hash)});`,
  );
  await applyComments(conn, 'views');
}
