/**
 * The NARR.* rule queries on real extractions (an in-memory warehouse, the NARR files only):
 * the samples' prose agrees with their tables, and each edit of the prose is flagged with its sentence.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINDING_COLUMNS } from '../../pipeline/rules/findings.js';
import { closeWarehouse, type Warehouse } from '../../pipeline/warehouse/warehouse.js';
import { readSample, sampleNames } from '../helpers.js';
import { EDITS, editedBytes, KNOWN_SAMPLE_FINDING } from './edits.js';
import { NARR_FILES, narrFindings, warehouseOf, type Finding } from './warehouse.js';

describe('NARR rule files', () => {
  it('are the five narrative rules', () => {
    expect(NARR_FILES).toEqual([
      'NARR.PARTS_SUM.sql',
      'NARR.PERCENT.sql',
      'NARR.T2_CLAIM.sql',
      'NARR.T3_CLAIM.sql',
      'NARR.T4_CLAIM.sql',
    ]);
  });
});

describe('NARR rules on the samples', () => {
  let w: Warehouse;
  let findings: Finding[];
  beforeAll(async () => {
    w = await warehouseOf(sampleNames().map((name) => ({ name, bytes: readSample(name) })));
    findings = await narrFindings(w);
  });
  afterAll(async () => closeWarehouse(w));

  it('compare claims with cells (the claims are loaded)', async () => {
    const n = await w.conn.runAndReadAll("SELECT count(*)::INTEGER AS n FROM claims WHERE quantity LIKE 't3.%'");
    expect(n.getRowObjectsJS()[0].n).toBeGreaterThan(20);
  });

  it('find nothing but the one list of 平潭 2019 whose parts do not add up', () => {
    // Their prose agrees with their tables. 平潭 2019's 共公布政府信息2599条 is followed by eleven
    // categories ending in 其他…856条 that add up to 2533: a real inconsistency of the published text.
    expect(findings.map((f) => [f.source.replace(/\.[a-z]+$/, ''), f.rule_id, f.expected, f.actual])).toEqual(
      ['docx', 'html', 'txt'].map(() => [
        KNOWN_SAMPLE_FINDING.sample,
        KNOWN_SAMPLE_FINDING.rule,
        KNOWN_SAMPLE_FINDING.expected,
        KNOWN_SAMPLE_FINDING.actual,
      ]),
    );
    const f = findings[0];
    expect(f.message).toContain('共公布政府信息2599条');
    expect(f.message).toContain('2533');
    expect(JSON.parse(f.operands).sentence).toContain('其他应主动公开政府信息856条');
  });
});

describe('NARR rules on edited copies of the samples', () => {
  let w: Warehouse;
  let findings: Finding[];
  beforeAll(async () => {
    w = await warehouseOf(EDITS.map((e) => ({ name: e.name, bytes: editedBytes(e) })));
    findings = await narrFindings(w);
  });
  afterAll(async () => closeWarehouse(w));

  for (const edit of EDITS) {
    it(`flag ${edit.name}: "${edit.from}" → "${edit.to}"`, () => {
      const mine = findings.filter((f) => f.source === edit.name);
      expect(mine.map((f) => [f.rule_id, f.expected, f.actual]).sort()).toEqual(
        edit.expect.map((e) => [e.rule, e.expected, e.actual]).sort(),
      );
      for (const e of edit.expect) {
        const f = mine.find((x) => x.rule_id === e.rule)!;
        const operands = JSON.parse(f.operands);
        expect(operands.sentence).toContain(e.sentence);
        expect(typeof operands.offset).toBe('number');
        expect(f.message).toMatch(/^正文称"/);
        expect(Array.isArray(JSON.parse(f.cells))).toBe(true);
        expect(Object.keys(f)).toEqual(expect.arrayContaining([...FINDING_COLUMNS]));
      }
    });
  }

  it('name the cells compared and quote the clause', () => {
    const t3 = findings.find((f) => f.source === 'granted-count.html' && f.rule_id === 'NARR.T3_CLAIM')!;
    expect(t3).toMatchObject({ table_id: 'T3', row_key: 'granted', col_key: 'total', blank_involved: false });
    expect(JSON.parse(t3.cells)).toEqual([{ table_id: 'T3', row_key: 'granted', col_key: 'total' }]);
    expect(t3.message).toBe('正文称"“同意公开”的5件"，表三（一）予以公开（总计）为 4');
    const t4 = findings.find((f) => f.source === 'review-count.html')!;
    expect(t4.message).toBe('正文称"行政复议案件3件"，表四行政复议（总计）为 2');
    const applicant = findings.find((f) => f.source === 'applicant-count.html')!;
    expect(applicant.message).toContain('（自然人）为 71，加上年结转为 72');
  });
});
