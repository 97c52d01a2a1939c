/**
 * What the rules and outputs of a run depend on besides the reports: the rule files, the views,
 * the agency CSV, the review decisions, where outputs go and the code that writes them. A run that loads no report and
 * finds this fingerprint unchanged since the last completed run has nothing to recompute (the
 * rules are deterministic), which is what makes the nightly no-op fast.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { outputsCodeHash } from '../outputs/index.js';
import { sqlDir } from '../common/index.js';
import { RULES_VERSION } from '../rules/index.js';

export interface RunInputs {
  agencies?: string;
  /** The review decisions in force (fingerprint, decision, note), in any order. */
  reviews?: readonly (readonly [string, string, string | null])[];
  out?: string;
  parquet?: string;
  outputs: boolean;
  /** Folder of rule files (default: the project's sql/rules). */
  rulesDir?: string;
}

export function fingerprintRunInputs(inputs: RunInputs): string {
  const hash = createHash('sha256');
  const add = (label: string, value: string | Buffer) => hash.update(label).update('\0').update(value).update('\0');
  add('rules version', RULES_VERSION);
  const rules = inputs.rulesDir ?? join(sqlDir(), 'rules');
  for (const f of readdirSync(rules).sort()) add(`rule ${f}`, readFileSync(join(rules, f)));
  add('views', readFileSync(join(sqlDir(), 'views.sql')));
  const file = (path?: string) => (path && existsSync(path) ? readFileSync(path) : 'none');
  add('agencies', file(inputs.agencies));
  add('reviews', JSON.stringify([...(inputs.reviews ?? [])].map((r) => [...r]).sort()));
  add(
    'outputs',
    inputs.outputs ? `${resolve(inputs.out ?? '')}|${inputs.parquet ? resolve(inputs.parquet) : ''}` : 'none',
  );
  if (inputs.outputs) add('outputs code', outputsCodeHash());
  return hash.digest('hex');
}

/** The inputs fingerprint of the last run that completed and published. */
export async function lastRunInputs(conn: DuckDBConnection): Promise<string | null> {
  const r = await conn.runAndReadAll(
    'SELECT inputs_hash FROM runs WHERE ended_at IS NOT NULL ORDER BY started_at DESC LIMIT 1',
  );
  const rows = r.getRowObjectsJS();
  return rows.length ? ((rows[0].inputs_hash as string | null) ?? null) : null;
}
