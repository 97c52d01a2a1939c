/**
 * The mutation suite. For every consistent real report of the sample and every printed T3 and
 * T4 cell, the cell is changed in the SOURCE document (its printed number + 1 or + 3; a blank
 * becomes 1 or 3), and every mutated document goes through the real pipeline in ONE run (a
 * report per document). Then, for each mutation:
 *
 *   "the right rules point at the cell" = every sum the cell takes part in fails, and its
 *   finding lists the changed cell in `cells`:
 *     - a T3 cell: T3.ROW_TOTAL of its row; T3.RESULT_TOTAL of its column when the row is a
 *       result of the report's version or （七）总计; T3.BALANCE of its column when the row is
 *       一、二、（七）总计 or 四;
 *     - a T4 cell: T4.TOTAL of its block.
 *
 * A change of one count breaks every linear sum it is in, so all must be found. Also counted:
 * within-report error findings of a mutated document that do not involve the changed cell
 * (false alarms). Every T3 and T4 cell of every report, in HTML, TXT and DOCX (MUTATION_STRIDE=n
 * samples every n-th DOCX cell when iterating fast). And the same changes of two HTML reports whose
 * 总计 column is left blank on the result rows: a table failing other sums already (no sum is
 * suppressed, so each change is still found at its cell).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { T3_ROWS, type TemplateVersion } from '../../domain/template.js';
import { makeInput, query, readSample, runOn } from '../helpers.js';
import { docxEditor, htmlEditor, txtEditor } from '../fixtures/mutate.js';
import { cellKeys, cellsOf, DOCUMENTS_OF_FINDING, type Finding } from './cases.js';

const SOURCES = [
  '2019_平潭综合实验区',
  '2020_北京市朝阳区教育委员会',
  '2021_平潭综合实验区',
  '2022_平潭综合实验区',
  '2023_沭阳县发展和改革局',
];
/** Reports whose result rows' 总计 are blanked under the single changes (a 2019 and a 2021 version). */
const BLANK_TOTAL_SOURCES = ['2020_北京市朝阳区教育委员会', '2021_平潭综合实验区'];
const DOCX_STRIDE = Number(process.env.MUTATION_STRIDE ?? 1);
const BALANCE_ROWS = new Set(['new_received', 'carried_over', 'total_processed', 'carried_forward']);

interface Case {
  file: string;
  format: string;
  base: string;
  key: string;
  table: string;
  row: string;
  col: string;
  from: string;
  to: string;
  /** Mutated on top of the report with its 总计 left blank on the result rows. */
  blankTotals?: boolean;
}

function expectedRules(c: Case, template: TemplateVersion): string[] {
  if (c.table === 'T4') return ['T4.TOTAL'];
  const rules = ['T3.ROW_TOTAL'];
  const isResult = T3_ROWS.some((r) => r.key === c.row && r.group && r.versions.includes(template));
  if (isResult || c.row === 'total_processed') rules.push('T3.RESULT_TOTAL');
  if (BALANCE_ROWS.has(c.row)) rules.push('T3.BALANCE');
  return rules;
}

const cases: Case[] = [];
let findings: Map<string, Finding[]>;
let templates: Map<string, TemplateVersion>;

beforeAll(async () => {
  const files: Record<string, string | Uint8Array> = {};
  for (const base of SOURCES) {
    for (const format of ['html', 'txt', 'docx']) {
      const name = `${base}.${format}`;
      const bytes = readSample(name);
      const editor =
        format === 'docx'
          ? docxEditor(new Uint8Array(bytes))
          : format === 'html'
            ? htmlEditor(bytes.toString('utf8'))
            : txtEditor(bytes.toString('utf8'));
      const printed = [...(await cellsOf(name)).values()].filter(
        (c) => (c.table_id === 'T3' || c.table_id === 'T4') && c.kind !== 'derived',
      );
      printed.forEach((c, i) => {
        if (format === 'docx' && i % DOCX_STRIDE !== 0) return;
        const delta = i % 2 === 0 ? 1 : 3;
        const to = String((c.value ?? 0) + delta);
        const file = `${format}/${base}/${c.table_id}-${c.row_key}-${c.col_key}.${format}`;
        files[file] = editor.apply([
          { gridTable: c.grid_table!, gridRow: c.grid_row!, gridCol: c.grid_col!, newText: to },
        ]);
        cases.push({
          file,
          format,
          base,
          key: `${c.table_id}|${c.row_key}|${c.col_key}`,
          table: c.table_id,
          row: c.row_key,
          col: c.col_key,
          from: c.raw,
          to,
        });
      });
    }
  }
  // The same single changes on top of a table that already fails: the 总计 column left blank on the
  // result rows (the publisher's blank). Every change must still be found at its cell.
  for (const base of BLANK_TOTAL_SOURCES) {
    const name = `${base}.html`;
    const editor = htmlEditor(readSample(name).toString('utf8'));
    const cells = [...(await cellsOf(name)).values()];
    const isResultRow = (row: string) => T3_ROWS.some((r) => r.key === row && r.group);
    const blanks = cells
      .filter((c) => c.table_id === 'T3' && c.col_key === 'total' && isResultRow(c.row_key) && c.kind !== 'derived')
      .map((c) => ({ gridTable: c.grid_table!, gridRow: c.grid_row!, gridCol: c.grid_col!, newText: '' }));
    const printed = cells.filter(
      (c) => ((c.table_id === 'T3' && c.col_key !== 'total') || c.table_id === 'T4') && c.kind !== 'derived',
    );
    printed.forEach((c, i) => {
      const to = String((c.value ?? 0) + (i % 2 === 0 ? 1 : 3));
      const file = `blank-totals/${base}/${c.table_id}-${c.row_key}-${c.col_key}.html`;
      files[file] = editor.apply([
        ...blanks,
        { gridTable: c.grid_table!, gridRow: c.grid_row!, gridCol: c.grid_col!, newText: to },
      ]);
      cases.push({
        file,
        format: 'html, 总计 blank',
        base,
        key: `${c.table_id}|${c.row_key}|${c.col_key}`,
        table: c.table_id,
        row: c.row_key,
        col: c.col_key,
        from: c.raw,
        to,
        blankTotals: true,
      });
    });
  }
  const run = await runOn(makeInput(files), { workers: 2 });
  const rows = await query<Finding>(
    run.db,
    // a finding is kept once per report (documents with the same numbers): each document gets its report's
    `SELECT a.*, r.source FROM anomalies a ${DOCUMENTS_OF_FINDING}
     WHERE a.severity = 'error' AND split_part(a.rule_id, '.', 1) IN ('T3', 'T4', 'VAL')`,
  );
  findings = new Map();
  for (const f of rows) findings.set(f.source, [...(findings.get(f.source) ?? []), f]);
  const reports = await query<{ source: string; template: TemplateVersion }>(
    run.db,
    'SELECT source, template FROM reports',
  );
  templates = new Map(reports.map((r) => [r.source, r.template]));
}, 600_000);

describe('the mutation suite', () => {
  it('finds ≥ 99% of single-cell changes at the right cells, with no false alarm elsewhere', () => {
    const missed: string[] = [];
    let falseAlarms = 0;
    const byFormat: Record<string, { cases: number; detected: number }> = {};
    for (const c of cases) {
      const fs = findings.get(c.file) ?? [];
      const want = expectedRules(c, templates.get(c.file)!);
      const found = want.filter((rule) => fs.some((f) => f.rule_id === rule && cellKeys(f).includes(c.key)));
      const stat = (byFormat[c.format] ??= { cases: 0, detected: 0 });
      stat.cases++;
      if (found.length === want.length) stat.detected++;
      else
        missed.push(
          `${c.file} (${c.from} → ${c.to}): missing ${want.filter((w) => !found.includes(w)).join(', ')}; found ${fs.map((f) => f.rule_id).join(', ') || 'nothing'}`,
        );
      // (on top of blank totals the table fails already: only the change's own findings are checked)
      if (!c.blankTotals) falseAlarms += fs.filter((f) => !cellKeys(f).includes(c.key)).length;
    }
    const detected = cases.length - missed.length;
    console.log(
      `mutation suite: ${cases.length} cases, ${detected} found at the right cells, ${missed.length} missed, ${falseAlarms} false alarms; ` +
        Object.entries(byFormat)
          .map(([f, s]) => `${f} ${s.detected}/${s.cases}`)
          .join(', '),
    );
    for (const m of missed.slice(0, 20)) console.log(`  missed: ${m}`);
    expect(cases.length).toBeGreaterThan(1800);
    expect(byFormat['html, 总计 blank'].cases).toBeGreaterThan(200);
    expect(detected / cases.length).toBeGreaterThanOrEqual(0.99);
    expect(falseAlarms).toBe(0);
  });
});
