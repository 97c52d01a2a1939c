/**
 * An in-memory warehouse holding real extractions, and the NARR.* rule queries run on it through
 * the rule runner's own collector (so the findings' column contract is checked too) — without
 * the other rules or the prelude's tables (only the shared macros), so these tests depend on
 * nothing but the claims and the cells.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractDocument } from '../../extractors/index.js';
import { packExtraction } from '../../extractors/packed-cells.js';
import { createRuleContext } from '../../pipeline/rules/context.js';
import { parseRuleFile } from '../../pipeline/rules/files.js';
import { collectFindings, createFindings } from '../../pipeline/rules/findings.js';
import { loadReport, openWarehouse, type Warehouse } from '../../pipeline/warehouse/warehouse.js';
import { ROOT } from '../helpers.js';

export interface Finding {
  rule_id: string;
  report_id: string;
  source: string;
  table_id: string | null;
  row_key: string | null;
  col_key: string | null;
  expected: number;
  actual: number;
  message: string;
  operands: string;
  cells: string;
  blank_involved: boolean;
}

export const NARR_FILES = readdirSync(join(ROOT, 'sql', 'rules'))
  .filter((f) => /^NARR\..*\.sql$/.test(f))
  .sort();

export async function warehouseOf(docs: readonly { name: string; bytes: Uint8Array }[]): Promise<Warehouse> {
  const w = await openWarehouse(':memory:');
  for (const d of docs) {
    const { value, messages } = await extractDocument(d.bytes);
    await loadReport(w.conn, {
      sha256: createHash('sha256').update(d.bytes).digest('hex'),
      source: d.name,
      size: d.bytes.length,
      extraction: packExtraction(value),
      failure: null,
      messages,
      filedYear: null,
      extractorVersion: 'test',
      runId: 'test',
    });
  }
  return w;
}

/** Runs every NARR.* rule file on the warehouse; the findings with the source of their report. */
export async function narrFindings(w: Warehouse): Promise<Finding[]> {
  await createRuleContext(w.conn, null);
  await w.conn.run(readFileSync(join(ROOT, 'sql', 'rules', '_10_macros.sql'), 'utf8'));
  await createFindings(w.conn);
  for (const file of NARR_FILES) {
    for (const rule of parseRuleFile(file, readFileSync(join(ROOT, 'sql', 'rules', file), 'utf8')))
      await collectFindings(w.conn, rule);
  }
  const r = await w.conn.runAndReadAll(
    'SELECT f.*, r.source FROM rule_findings f JOIN reports r USING (report_id) ORDER BY r.source, f.rule_id, f.message',
  );
  return r.getRowObjectsJS() as unknown as Finding[];
}
