/**
 * report_metrics where a publisher left T3's 总计 blank on the result rows: the totals are the
 * applicant columns' sums (totals_from_parts says so), and open_errors counts the report's error
 * findings, so a researcher can leave inconsistent reports out of an aggregate.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeInput, query, runOn } from '../helpers.js';
import { SEED, SEED_AGENCY, variant } from '../rules/cases.js';

const RESULT_ROWS = ['granted', 'unable_not_held', 'unable_must_create', 'other'];

describe('report_metrics', () => {
  it('uses the applicant columns where a 总计 is blank, says so, and counts the open errors', async () => {
    const blank = await variant(`${SEED}.html`, Object.fromEntries(RESULT_ROWS.map((r) => [`T3|${r}|total`, ''])), [
      [SEED_AGENCY, '测试机关'],
      ['2020年', '2019年'],
    ]);
    const run = await runOn(makeInput({ 'blank.html': blank, [`${SEED}.html`]: await variant(`${SEED}.html`, {}) }), {
      noOutputs: false,
    });
    const rows = await query<Record<string, unknown>>(
      run.db,
      'SELECT agency, granted, other_processing, total_processed, grant_rate, totals_from_parts, open_errors FROM report_metrics ORDER BY agency',
    );
    const errors = await query<{ agency: string; n: bigint }>(
      run.db,
      `SELECT agency, count(*) AS n FROM findings WHERE severity = 'error' AND counted GROUP BY agency`,
    );
    // four row totals left blank, and （七）总计's 9 against the blank result rows
    expect(errors.map((e) => [e.agency, Number(e.n)])).toEqual([['测试机关', 5]]);
    expect(rows).toEqual(
      [
        {
          agency: SEED_AGENCY,
          granted: 4,
          other_processing: 1,
          total_processed: 9,
          grant_rate: 4 / 9,
          totals_from_parts: false,
          open_errors: 0n,
        },
        {
          agency: '测试机关',
          granted: 4,
          other_processing: 1,
          total_processed: 9,
          grant_rate: 4 / 9,
          totals_from_parts: true,
          open_errors: 5n,
        },
      ].sort((a, b) => (a.agency < b.agency ? -1 : 1)),
    );
    // the report page reads the blank 总计 as the publisher's blank, not as a printed 0
    const [{ group_id }] = await query<{ group_id: string }>(
      run.db,
      `SELECT group_id FROM report_documents d JOIN reports r USING (report_id) WHERE r.source = 'blank.html'`,
    );
    const page = readFileSync(join(run.out, 'reports', `${group_id}.html`), 'utf8');
    expect(page).toContain('（一）予以公开的总计留空（总计列在 4 行留空）；按各申请人之和应为 自然人4（其余为0） = 4');
    expect(page).toContain('留空（按 0 计），各项之和为 <span class="exp">4</span>');
  });
});
