/**
 * Building rule test cases from the real sample reports: change cells of the SOURCE document
 * by their canonical key (located through the real extractor's provenance), rename the agency
 * or the year, then run the real pipeline and read `anomalies`.
 */
import { extractDocument } from '../../extractors/index.js';
import type { ExtractedCell } from '../../extractors/recognise/tables.js';
import { mutateDocxCells, mutateHtmlCells, mutateTxtCells, type CellEdit } from '../fixtures/mutate.js';
import { query, readSample } from '../helpers.js';

export const SEED = '2020_北京市朝阳区教育委员会';
export const SEED_AGENCY = '北京市朝阳区教育委员会';
export const PINGTAN = '平潭综合实验区';

const positions = new Map<string, Promise<Map<string, ExtractedCell>>>();

/** The cells of a sample document (by `table|row|col`), with their grid positions. */
export function cellsOf(name: string): Promise<Map<string, ExtractedCell>> {
  let p = positions.get(name);
  if (!p) {
    p = extractDocument(readSample(name)).then(
      (x) => new Map(x.value.cells.map((c) => [`${c.table_id}|${c.row_key}|${c.col_key}`, c])),
    );
    positions.set(name, p);
  }
  return p;
}

/** Edits for `{ 'T3|granted|total': '5' }`, located in the sample document `name`. */
export async function editsFor(name: string, changes: Record<string, string>): Promise<CellEdit[]> {
  const cells = await cellsOf(name);
  return Object.entries(changes).map(([key, newText]) => {
    const c = cells.get(key);
    if (!c || c.grid_table === null) throw new Error(`${name}: no printed cell ${key}`);
    return { gridTable: c.grid_table, gridRow: c.grid_row!, gridCol: c.grid_col!, newText };
  });
}

export function applyEdits(
  name: string,
  content: string | Uint8Array,
  edits: readonly CellEdit[],
): string | Uint8Array {
  if (name.endsWith('.docx')) return mutateDocxCells(content as Uint8Array, edits);
  if (name.endsWith('.html')) return mutateHtmlCells(content as string, edits);
  return mutateTxtCells(content as string, edits);
}

/** A sample's text (HTML, TXT) with every occurrence of `from` replaced: agency names, years. */
export function sampleText(name: string, replace: [string, string][] = []): string {
  let text = readSample(name).toString('utf8');
  for (const [from, to] of replace) text = text.split(from).join(to);
  return text;
}

/** A sample (text formats) renamed and with cells changed. */
export async function variant(
  name: string,
  changes: Record<string, string>,
  replace: [string, string][] = [],
): Promise<string | Uint8Array> {
  const base = name.endsWith('.docx') ? new Uint8Array(readSample(name)) : sampleText(name, replace);
  return applyEdits(name, base, await editsFor(name, changes));
}

export interface Finding {
  rule_id: string;
  severity: string;
  report_id: string;
  related_report_id: string | null;
  table_id: string | null;
  row_key: string | null;
  col_key: string | null;
  expected: number | null;
  actual: number | null;
  message: string;
  operands: string | null;
  cells: string | null;
  blank_involved: boolean | null;
  fingerprint: string;
  first_seen_run: string;
  last_seen_run: string;
  source: string;
}

export interface CellRef {
  report_id?: string;
  table_id: string;
  row_key: string;
  col_key: string;
}

/**
 * Joins a finding (FROM anomalies a) to every document of its report as `r`: a finding is kept once
 * per report, and documents of one agency and year with the same numbers are one report.
 */
export const DOCUMENTS_OF_FINDING = `JOIN report_documents g ON g.report_id = a.report_id
  JOIN report_documents d ON d.group_id = g.group_id JOIN reports r ON r.report_id = d.report_id`;

/** Every finding, once for each document of its report (with that document's source). */
export async function findingsOf(db: string): Promise<Finding[]> {
  return query<Finding>(
    db,
    `SELECT a.*, r.source FROM anomalies a ${DOCUMENTS_OF_FINDING} ORDER BY r.source, a.rule_id, a.table_id, a.row_key, a.col_key`,
  );
}

export function cellsIn(f: Finding): CellRef[] {
  return f.cells ? (JSON.parse(f.cells) as CellRef[]) : [];
}

/** `table|row|col` of every cell a finding involves. */
export function cellKeys(f: Finding): string[] {
  return cellsIn(f).map((c) => `${c.table_id}|${c.row_key}|${c.col_key}`);
}
