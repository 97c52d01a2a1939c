/** Outputs for auditors and researchers (stub until the report lands). */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { RunSummary } from '../summary.js';

export interface OutputsContext {
  outDir: string;
  parquetDir?: string;
  summary: RunSummary;
  /** Review decisions (fingerprint,decision,note,reviewer,date). */
  reviewsCsv?: string;
}

export async function writeOutputs(_conn: DuckDBConnection, _ctx: OutputsContext): Promise<string[]> {
  return [];
}
