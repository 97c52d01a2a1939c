/**
 * A run writes again only the report pages whose report's data, findings or reviews changed, or
 * that show a report that changed (a finding comparing two years names both): the others keep
 * their files (same inode and time). Every page then equals what rendering everything from the
 * warehouse gives, byte for byte.
 */
import { cpSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { query, REPORTS, runOn, tempDir } from '../helpers.js';
import { expectPagesAsRenderedWhole } from './pages.js';

/** Each page's file as the file system knows it: inode and modification time. */
function pageFiles(out: string): Map<string, string> {
  const dir = join(out, 'reports');
  return new Map(readdirSync(dir).map((f) => [f, `${statSync(join(dir, f)).ino}:${statSync(join(dir, f)).mtimeMs}`]));
}

/** The pages whose file is not the one it was in `before` (new pages included). */
function rewritten(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after]
    .filter(([f, stamp]) => before.get(f) !== stamp)
    .map(([f]) => f)
    .sort();
}

describe('report pages written only when what they show changed', () => {
  it('a new year rewrites its page and the page of the year it is compared with; a review, the page of its finding', async () => {
    const input = tempDir('goa-inc-in-');
    cpSync(REPORTS, input, { recursive: true });
    const held = tempDir('goa-inc-held-');
    for (const f of readdirSync(input).filter((f) => f.startsWith('2022_'))) renameSync(join(input, f), join(held, f));
    const work = tempDir('goa-inc-');
    const db = join(work, 'warehouse.duckdb');
    const out = join(work, 'out');
    const run = (extra = {}) => runOn(input, { db, out, noOutputs: false, ...extra });

    const first = await run();
    const pagesOf = async () => {
      const rows = await query<{ report_id: string; year: number }>(
        db,
        `SELECT report_id, year FROM reports WHERE report_id IN (SELECT group_id FROM report_documents)`,
      );
      return new Map(rows.map((r) => [r.year, `${r.report_id}.html`]));
    };
    expect(first.summary.pagesWritten).toBe(4);
    expect(first.summary.pagesRendered).toBe(4);
    const before = pageFiles(out);
    expect(before.size).toBe(4);

    // One document more: the 2022 report, whose numbers the rules compare with 2021's (XY.JUMP).
    renameSync(join(held, '2022_平潭综合实验区.docx'), join(input, '2022_平潭综合实验区.docx'));
    const second = await run();
    const page = await pagesOf();
    const [jump] = await query<{ report_id: string; related_report_id: string }>(
      db,
      `SELECT report_id, related_report_id FROM anomalies WHERE rule_id = 'XY.JUMP'`,
    );
    expect([jump.report_id, jump.related_report_id].map((id) => `${id}.html`).sort()).toEqual(
      [page.get(2022), page.get(2021)].sort(),
    );
    const after = pageFiles(out);
    expect(rewritten(before, after)).toEqual([page.get(2021)!, page.get(2022)!].sort());
    expect(second.summary.pagesWritten).toBe(2);
    // the others were not even rendered: their keys, taken before reading them, were unchanged
    expect(second.summary.pagesRendered).toBe(2);
    await expectPagesAsRenderedWhole(second);

    // A review dismisses the 2019 report's finding: its page alone is written again.
    const [finding] = await query<{ fingerprint: string }>(
      db,
      `SELECT fingerprint FROM anomalies a JOIN reports r USING (report_id) WHERE r.year = 2019 ORDER BY fingerprint LIMIT 1`,
    );
    writeFileSync(
      join(out, 'reviews.csv'),
      `fingerprint,decision,note,reviewer,date\n${finding.fingerprint},dismissed,已核实,王审计,2024-06-01\n`,
    );
    // and a page removed by hand is written again, though its report did not change
    rmSync(join(out, 'reports', page.get(2023)!));
    const third = await run();
    expect(rewritten(after, pageFiles(out))).toEqual([page.get(2019)!, page.get(2023)!].sort());
    expect(third.summary.pagesWritten).toBe(2);
    expect(third.summary.pagesRendered).toBe(2);
    await expectPagesAsRenderedWhole(third);
  });

  it('a run writing into an empty folder writes every page, and the same pages', async () => {
    const first = await runOn(REPORTS, { noOutputs: false });
    const fresh = join(tempDir('goa-inc-fresh-'), 'out');
    mkdirSync(fresh);
    // the same warehouse, rules forced to run again, outputs into a new folder
    const again = await runOn(REPORTS, { db: first.db, out: fresh, noOutputs: false, force: true });
    expect(again.summary.pagesWritten).toBe(pageFiles(fresh).size);
    await expectPagesAsRenderedWhole(again);
  });
});
