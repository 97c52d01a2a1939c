/**
 * Temp tables the rule queries read besides the warehouse: the template's keys with their
 * labels and groups (from domain/template.ts, the one place the keys are defined), and
 * the agency hierarchy (empty without --agencies).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  T2_COLUMNS,
  T2_ROWS,
  T3_COLUMNS,
  T3_GROUP_SUBTOTALS,
  T3_ROWS,
  T4_COLUMNS,
  T4_ROWS,
  TEMPLATE_VERSIONS,
  type TableId,
  normaliseAgency,
} from '../../domain/index.js';
import type { AgencyHierarchy } from './agencies.js';
import { sqlString, sqlStringOrNull } from '../common/index.js';

interface KeyRow {
  table_id: TableId;
  /** '2019' | '2021'; '*' = the first label any version gives (reports whose version is unknown). */
  template: string;
  axis: 'row' | 'col';
  key: string;
  label: string;
  ord: number;
  /** T3 result rows: the group （一）…（六） the row adds into. */
  grp: string | null;
  /** T3 subtotal rows (printed by some reports, not in the template). */
  subtotal: boolean;
}

export function ruleKeys(): KeyRow[] {
  const out: KeyRow[] = [];
  /** A table's keys along one axis, in template order from `first`. */
  const add = (
    table_id: TableId,
    template: string,
    axis: KeyRow['axis'],
    defs: readonly { key: string; label: string; group?: string | null }[],
    first = 0,
    subtotal = false,
  ): void => {
    defs.forEach((d, i) =>
      out.push({
        table_id,
        template,
        axis,
        key: d.key,
        label: d.label,
        ord: first + i,
        grp: d.group ?? null,
        subtotal,
      }),
    );
  };
  for (const v of TEMPLATE_VERSIONS) {
    add(
      'T3',
      v,
      'row',
      T3_ROWS.filter((r) => r.versions.includes(v)),
    );
    add('T3', v, 'row', T3_GROUP_SUBTOTALS, 100, true);
    add('T3', v, 'col', T3_COLUMNS);
    add(
      'T4',
      v,
      'row',
      T4_ROWS.map(({ key, label }) => ({ key, label })),
    );
    add('T4', v, 'col', T4_COLUMNS);
    add(
      'T2',
      v,
      'row',
      T2_ROWS[v].map(({ key, label }) => ({ key, label })),
    );
    add('T2', v, 'col', T2_COLUMNS[v]);
  }
  const any = new Map<string, KeyRow>();
  for (const k of out) {
    const id = `${k.table_id}|${k.axis}|${k.key}`;
    if (!any.has(id)) any.set(id, { ...k, template: '*' });
  }
  return [...out, ...any.values()];
}

async function createKeys(conn: DuckDBConnection): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE rule_keys (
    table_id VARCHAR, template VARCHAR, axis VARCHAR, key VARCHAR, label VARCHAR, ord INTEGER, grp VARCHAR, subtotal BOOLEAN)`);
  const ap = await conn.createAppender('rule_keys', 'main', 'temp');
  for (const k of ruleKeys()) {
    ap.appendVarchar(k.table_id);
    ap.appendVarchar(k.template);
    ap.appendVarchar(k.axis);
    ap.appendVarchar(k.key);
    ap.appendVarchar(k.label);
    ap.appendInteger(k.ord);
    if (k.grp === null) ap.appendNull();
    else ap.appendVarchar(k.grp);
    ap.appendBoolean(k.subtotal);
    ap.endRow();
  }
  ap.closeSync();
}

async function createHierarchy(conn: DuckDBConnection, h: AgencyHierarchy | null): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE agency_hierarchy (
    agency VARCHAR, agency_norm VARCHAR, parent VARCHAR, parent_norm VARCHAR, region VARCHAR, level VARCHAR, line INTEGER)`);
  await conn.run('CREATE OR REPLACE TEMP TABLE agency_aliases (alias_norm VARCHAR, agency_norm VARCHAR)');
  if (!h || h.agencies.length === 0) return;
  const rows = h.agencies.map(
    (a) =>
      `(${[a.agency, a.norm, a.parent, a.parentNorm, a.region, a.level].map(sqlStringOrNull).join(', ')}, ${a.line})`,
  );
  await conn.run(`INSERT INTO agency_hierarchy VALUES ${rows.join(',\n')}`);
  const aliases = h.agencies.flatMap((a) =>
    [a.norm, ...a.aliases.map(normaliseAgency)].map((alias) => `(${sqlString(alias)}, ${sqlString(a.norm)})`),
  );
  await conn.run(`INSERT INTO agency_aliases VALUES ${aliases.join(',\n')}`);
}

export async function createRuleContext(conn: DuckDBConnection, hierarchy: AgencyHierarchy | null): Promise<void> {
  await createKeys(conn);
  await createHierarchy(conn, hierarchy);
}
