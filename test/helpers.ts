/** Test helpers: temp folders, running the real pipeline, reading the real warehouse. */
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import Papa from 'papaparse';
import { runPipeline, type RunOptions, type RunResult } from '../pipeline/run/run.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REPORTS = join(ROOT, 'data', 'reports');
export const GOLD = join(ROOT, 'test', 'fixtures', 'gold');

export function tempDir(prefix = 'goa-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function sampleNames(): string[] {
  return readdirSync(REPORTS).sort();
}

export function readSample(name: string): Buffer {
  return readFileSync(join(REPORTS, name));
}

export interface GoldCell {
  table_id: string;
  row_key: string;
  col_key: string;
  value: number | null;
  raw: string;
  kind: string;
}

/** Agency, statistics year and format version of each sample report, whatever its format. */
export const SAMPLE_META: Record<string, { agency: string; year: number; template: string }> = {
  '2019_平潭综合实验区': { agency: '平潭综合实验区', year: 2019, template: '2019' },
  '2020_北京市朝阳区教育委员会': { agency: '北京市朝阳区教育委员会', year: 2020, template: '2019' },
  '2021_平潭综合实验区': { agency: '平潭综合实验区', year: 2021, template: '2021' },
  '2022_平潭综合实验区': { agency: '平潭综合实验区', year: 2022, template: '2021' },
  '2023_沭阳县发展和改革局': { agency: '沭阳县发展和改革局', year: 2023, template: '2021' },
};

/** Gold cells of a sample report, by its base name (e.g. 2020_北京市朝阳区教育委员会). */
export function goldCells(base: string): GoldCell[] {
  const rows = Papa.parse<Record<string, string>>(readFileSync(join(GOLD, `${base}.csv`), 'utf8'), {
    header: true,
    skipEmptyLines: true,
  }).data;
  return rows.map((r) => ({ ...r, value: r.value === '' ? null : Number(r.value) }) as GoldCell);
}

/** Writes files into a fresh input folder. */
export function makeInput(files: Record<string, string | Uint8Array>): string {
  const dir = tempDir('goa-in-');
  for (const [name, content] of Object.entries(files)) {
    const p = join(dir, name);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  return dir;
}

export interface PipelineRun extends RunResult {
  db: string;
  out: string;
  input: string | undefined;
}

export async function runOn(input: string | undefined, extra: Partial<RunOptions> = {}): Promise<PipelineRun> {
  const work = tempDir('goa-run-');
  const db = extra.db ?? join(work, 'warehouse.duckdb');
  const out = extra.out ?? join(work, 'out');
  const r = await runPipeline({ input, db, out, quiet: true, noOutputs: true, workers: 1, ...extra });
  return { ...r, db, out, input };
}

/** Runs a query on a warehouse file (opened read-only) and returns plain JS rows. */
export async function query<T = Record<string, unknown>>(
  db: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const inst = await DuckDBInstance.create(db, { access_mode: 'READ_ONLY' });
  const conn = await inst.connect();
  try {
    const r = await conn.runAndReadAll(sql, params as never);
    return r.getRowObjectsJS() as T[];
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}
