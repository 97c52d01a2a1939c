/**
 * Adding a rule is adding a file: a copy of sql/rules/ with one more rule file, and the pipeline
 * pointed at that folder (RunOptions.rulesDir) runs the rule over the bundled sample, lists it
 * (the `rules` table, the run's checks in `rule_results` and on the index page), and what
 * `npm run rules` writes documents it (the catalogue, README's and docs/rules.md's tables), all
 * from the file's header alone. A rule without wording lines renders its message alone.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRuleFiles } from '../../pipeline/rules/files.js';
import {
  catalogueSource,
  README_PATH,
  readmeWithRules,
  RULES_DOC_PATH,
  rulesDocWithRules,
} from '../../pipeline/rules/generate.js';
import { rulesDir } from '../../pipeline/rules/index.js';
import { query, REPORTS, runOn, tempDir, type PipelineRun } from '../helpers.js';

const ID = 'TEST.REVIEW_TOTAL';
const RULE = `-- id: ${ID}
-- severity: info
-- title_zh: 测试规则：行政复议总计
-- title_en: Test rule: every report's 行政复议 total
-- scope: report
-- doc: a rule added by test/rules/add-rule.test.ts, one finding per report with a T4
SELECT report_id, NULL AS related_report_id, table_id, row_key, col_key, value AS expected, value AS actual,
       '测试：行政复议总计为 ' || fmt_num(value) AS message, '[]' AS operands, '[]' AS cells, false AS blank_involved
FROM cells
WHERE table_id = 'T4' AND row_key = 'review' AND col_key = 'total'
`;

let dir: string;
let run: PipelineRun;

beforeAll(async () => {
  dir = join(tempDir('goa-rules-'), 'rules');
  cpSync(rulesDir(), dir, { recursive: true });
  writeFileSync(join(dir, `${ID}.sql`), RULE);
  run = await runOn(REPORTS, { workers: 2, rulesDir: dir, noOutputs: false });
}, 180_000);

describe('a rule file added to the rules folder', () => {
  it('runs: its findings are in anomalies, one per report with a T4', async () => {
    const reports = await query<{ n: number }>(
      run.db,
      `SELECT count(DISTINCT group_id)::INTEGER AS n FROM report_documents g JOIN cells USING (report_id) WHERE table_id = 'T4'`,
    );
    const found = await query<{ severity: string; message: string }>(
      run.db,
      'SELECT severity, message FROM anomalies WHERE rule_id = $1',
      [ID],
    );
    expect(found.length).toBe(reports[0].n);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((f) => f.severity === 'info' && f.message.startsWith('测试：行政复议总计为 '))).toBe(true);
    // and the project's rules ran beside it as before
    expect((await query(run.db, `SELECT 1 FROM anomalies WHERE rule_id = 'XY.JUMP'`)).length).toBe(1);
  });

  it("is listed: in the rules table, the run's checks and the index page", async () => {
    expect(await query(run.db, 'SELECT rule_id, severity, title_zh, file FROM rules WHERE rule_id = $1', [ID])).toEqual(
      [{ rule_id: ID, severity: 'info', title_zh: '测试规则：行政复议总计', file: `${ID}.sql` }],
    );
    const [checked] = await query<{ reports_failed: number; findings: number }>(
      run.db,
      'SELECT reports_failed, findings FROM rule_results WHERE rule_id = $1 AND run_id = $2',
      [ID, run.summary.runId],
    );
    expect(checked.reports_failed).toBeGreaterThan(0);
    const index = readFileSync(join(run.out, 'index.html'), 'utf8');
    expect(index).toContain(`<code>${ID}</code></td><td>测试规则：行政复议总计</td>`);
  });

  it("is documented: the catalogue, README's and docs/rules.md's tables written from the folder name it", () => {
    const { rules } = loadRuleFiles(dir);
    expect(catalogueSource(rules)).toContain(`    id: '${ID}',\n    severity: 'info',\n`);
    expect(readmeWithRules(readFileSync(README_PATH(), 'utf8'), rules)).toContain(
      `| \`${ID}\` | info | 测试规则：行政复议总计 — Test rule: every report's 行政复议 total |`,
    );
    expect(rulesDocWithRules(readFileSync(RULES_DOC_PATH(), 'utf8'), rules)).toContain(
      `| \`${ID}\` | info | a rule added by test/rules/add-rule.test.ts, one finding per report with a T4 |`,
    );
    // the project's own documentation does not (the rule is in the copy only)
    expect(readFileSync(RULES_DOC_PATH(), 'utf8')).not.toContain(ID);
  });
});
