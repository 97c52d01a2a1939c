/**
 * End to end: the real pipeline (extraction workers, warehouse, rule runner) on the samples and on
 * edited copies of them; every edit of the prose ends up in `anomalies` with its sentence.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { makeInput, query, readSample, runOn, sampleNames, type PipelineRun } from '../helpers.js';
import { EDITS, editedBytes, KNOWN_SAMPLE_FINDING } from './edits.js';

interface Anomaly {
  source: string;
  rule_id: string;
  severity: string;
  expected: number;
  actual: number;
  message: string;
  operands: string;
  cells: string;
}

const AGENCIES = ['北京市朝阳区教育委员会', '平潭综合实验区', '沭阳县发展和改革局'];
const ownAgency = (bytes: Buffer, i: number): Buffer =>
  Buffer.from(
    AGENCIES.reduce(
      (text, a) => text.split(a).join(`${a}测${String.fromCharCode(0x7532 + i)}`),
      bytes.toString('utf8'),
    ),
    'utf8',
  );

describe('the pipeline checks the prose against the tables', () => {
  let run: PipelineRun;
  let anomalies: Anomaly[];
  beforeAll(async () => {
    const files: Record<string, Uint8Array> = {};
    for (const name of sampleNames()) files[`samples/${name}`] = readSample(name);
    // each edited copy its own report (an agency of its own): a copy with the sample's numbers would
    // otherwise be one report with the sample, and its findings the report's
    EDITS.forEach((edit, i) => (files[`edited/${edit.name}`] = ownAgency(editedBytes(edit), i)));
    run = await runOn(makeInput(files));
    anomalies = await query<Anomaly>(
      run.db,
      `SELECT r.source, a.rule_id, a.severity, a.expected, a.actual, a.message, a.operands, a.cells
       FROM anomalies a JOIN reports r USING (report_id) WHERE a.rule_id LIKE 'NARR.%' ORDER BY r.source, a.rule_id`,
    );
  }, 180_000);

  it('loads the claims with the cells', async () => {
    expect(run.exitCode).toBe(0);
    const [{ n }] = await query<{ n: number }>(
      run.db,
      "SELECT count(*)::INTEGER AS n FROM claims WHERE quantity = 't3.received'",
    );
    expect(n).toBeGreaterThanOrEqual(15);
  });

  it('finds nothing in the samples but 平潭 2019’s list that does not add up', () => {
    const samples = anomalies.filter((a) => a.source.startsWith('samples/'));
    expect(
      samples.map((a) => [a.source.replace(/^samples\/|\.[a-z]+$/g, ''), a.rule_id, a.expected, a.actual]),
    ).toEqual(
      // once for the report, though it arrives as DOCX, HTML and text export
      [
        [
          KNOWN_SAMPLE_FINDING.sample,
          KNOWN_SAMPLE_FINDING.rule,
          KNOWN_SAMPLE_FINDING.expected,
          KNOWN_SAMPLE_FINDING.actual,
        ],
      ],
    );
  });

  for (const edit of EDITS) {
    it(`flags ${edit.name} with its sentence`, () => {
      const mine = anomalies.filter((a) => a.source === `edited/${edit.name}`);
      expect(mine.map((a) => [a.rule_id, a.expected, a.actual]).sort()).toEqual(
        edit.expect.map((e) => [e.rule, e.expected, e.actual]).sort(),
      );
      for (const e of edit.expect) {
        const a = mine.find((x) => x.rule_id === e.rule)!;
        expect(a.severity).toBe(e.rule === 'NARR.T2_CLAIM' ? 'info' : 'warning');
        expect(JSON.parse(a.operands).sentence).toContain(e.sentence);
      }
    });
  }
});
