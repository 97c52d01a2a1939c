/**
 * Review decisions survive re-runs: read from reviews.csv on every run, written into anomalies,
 * dismissed findings listed apart and left out of the totals; a finding whose numbers change
 * gets a new fingerprint and loses its old decision; a malformed file is an error naming the
 * line, and nothing is published.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { loadReviewsFor } from '../../pipeline/outputs/index.js';
import { loadReviews, ReviewsFileError } from '../../pipeline/rules/index.js';
import { query, runOn, tempDir } from '../helpers.js';
import { auditInput, MUTATED_FILE, mutatedHtml } from './fixture.js';

const HEADER = 'fingerprint,decision,note,reviewer,date\n';

function reviewsFile(content: string): string {
  const path = join(tempDir('goa-rev-'), 'reviews.csv');
  writeFileSync(path, content);
  return path;
}

function thrown(fn: () => unknown): ReviewsFileError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ReviewsFileError);
    return e as ReviewsFileError;
  }
  throw new Error('expected a ReviewsFileError');
}

describe('reading reviews.csv', () => {
  it('reads decisions (BOM, quoted notes with commas and line breaks, last line wins)', () => {
    const path = reviewsFile(
      '\uFEFF' +
        HEADER +
        'abc,confirmed,"核实：确有错误,已通知",张三,2024-05-31\n' +
        'def,Dismissed,"空白即0，\n口径说明见附注",李四,2024/6/1\n\n' +
        'abc,dismissed,改判,张三,\n' +
        'ghi,排除,,,\n' +
        'jkl, 确认 ,,,\n',
    );
    const r = loadReviews(path);
    expect([...r.keys()]).toEqual(['abc', 'def', 'ghi', 'jkl']);
    expect([r.get('ghi')!.decision, r.get('jkl')!.decision]).toEqual(['dismissed', 'confirmed']);
    expect(r.get('abc')).toMatchObject({ decision: 'dismissed', note: '改判', reviewer: '张三', date: null, line: 6 });
    expect(r.get('def')).toMatchObject({ decision: 'dismissed', note: '空白即0，\n口径说明见附注', line: 3 });
  });

  it('names the line of a malformed file', () => {
    const cases: [string, number, RegExp][] = [
      ['fingerprint;decision\n', 1, /header must name the columns fingerprint,decision,note,reviewer,date/],
      [
        HEADER + 'abc,confirmed,,,\nabc,maybe,,,\n',
        3,
        /decision must be confirmed or dismissed \(确认 or 排除\), found "maybe"/,
      ],
      [HEADER + 'abc,confirmed,,,\n"x\ny",confirmed,,\n', 3, /expected 5 fields/],
      [HEADER + ',dismissed,,,\n', 2, /fingerprint is empty/],
      [HEADER + 'abc,confirmed,,,yesterday\n', 2, /date must look like 2024-05-31/],
      [HEADER + 'abc,confirmed,"unclosed,,\n', 2, /not valid CSV/],
    ];
    for (const [content, line, reason] of cases) {
      const path = reviewsFile(content);
      const e = thrown(() => loadReviews(path));
      expect(e.line).toBe(line);
      expect(e.message).toMatch(reason);
      expect(e.message).toContain(`${path} line ${line}:`);
    }
  });

  it('treats a missing default file as no decisions, a missing --reviews file as an error', () => {
    const out = tempDir('goa-rev-out-');
    expect(loadReviewsFor(out).size).toBe(0);
    expect(thrown(() => loadReviewsFor(out, join(out, 'nope.csv'))).message).toMatch(/file not found/);
  });
});

describe('reviews across runs', () => {
  it('keeps a dismissed finding dismissed, drops the decision when its numbers change, and refuses a malformed file', async () => {
    const input = auditInput();
    const work = tempDir('goa-rev-run-');
    const db = join(work, 'warehouse.duckdb');
    const out = join(work, 'out');
    const run = () => runOn(input, { db, out, noOutputs: false });
    const reportId = (html: string) => 'r' + createHash('sha256').update(html).digest('hex').slice(0, 16);
    const rowTotal = (html = mutatedHtml(5)) =>
      query<{ fingerprint: string; review_decision: string | null; review_note: string | null }>(
        db,
        `SELECT fingerprint, review_decision, review_note FROM anomalies
         WHERE report_id = $1 AND rule_id = 'T3.ROW_TOTAL' AND row_key = 'granted'`,
        [reportId(html)],
      );

    // Run 1: no reviews yet; an empty reviews.csv is created for the auditors.
    await run();
    expect(readFileSync(join(out, 'reviews.csv'), 'utf8')).toBe('\uFEFF' + HEADER.replace('\n', '\r\n'));
    const [first] = await rowTotal();
    expect(first.review_decision).toBeNull();
    const counted = (html: string) => Number(/全部发现（(\d+)）/.exec(html)![1]);
    const before = counted(readFileSync(join(out, 'index.html'), 'utf8'));

    // The auditor dismisses it (and confirms another finding).
    const [other] = await query<{ fingerprint: string }>(
      db,
      `SELECT fingerprint FROM anomalies WHERE rule_id = 'T2.UNIT' LIMIT 1`,
    );
    writeFileSync(
      join(out, 'reviews.csv'),
      `\uFEFF${HEADER}${first.fingerprint},dismissed,"示例：已与机关核实, 印刷错误已更正",王审计,2024-06-01\n${other.fingerprint},确认,,王审计,2024-06-01\n`,
    );

    // Runs 2 and 3: the decision is read every run and stays. A decision whose finding does not
    // exist (any more) is listed apart, never applied.
    writeFileSync(
      join(out, 'reviews.csv'),
      readFileSync(join(out, 'reviews.csv'), 'utf8') + 'f0f0f0f0,confirmed,旧结论,王审计,2023-06-01\n',
    );
    for (let i = 0; i < 2; i++) {
      const stderr: string[] = [];
      const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        stderr.push(String(chunk));
        return true;
      });
      try {
        await runOn(input, { db, out, noOutputs: false, quiet: false, logJson: true });
      } finally {
        spy.mockRestore();
      }
      const unmatched = stderr.filter((l) => l.includes('matches no finding'));
      // said when the decisions are applied (the second run finds nothing changed and keeps the outputs)
      expect(unmatched).toHaveLength(i === 0 ? 1 : 0);
      if (i === 0)
        expect(JSON.parse(unmatched[0])).toMatchObject({
          level: 'warn',
          message: expect.stringMatching(/reviews\.csv line 4: fingerprint f0f0f0f0 matches no finding/),
        });
      const [again] = await rowTotal();
      expect(again).toEqual({
        fingerprint: first.fingerprint,
        review_decision: 'dismissed',
        review_note: '示例：已与机关核实, 印刷错误已更正',
      });
      const [conf] = await query<{ review_decision: string }>(
        db,
        'SELECT review_decision FROM anomalies WHERE fingerprint = $1',
        [other.fingerprint],
      );
      expect(conf.review_decision).toBe('confirmed');
      const html = readFileSync(join(out, 'index.html'), 'utf8');
      expect(counted(html)).toBe(before - 1);
      expect(html).toMatch(/已排除的发现（1）/);
      expect(html).toContain('示例：已与机关核实, 印刷错误已更正');
      expect(html).toMatch(/未匹配任何发现的审核记录（1）[\s\S]*f0f0f0f0/);
      expect(html).not.toContain('报告已更正');
      const csv = readFileSync(join(out, 'anomalies.csv'), 'utf8');
      expect(csv).toMatch(new RegExp(`${first.fingerprint},.*,dismissed,`));
    }

    // The agency republishes with other numbers (予以公开 · 自然人 now 6): the finding on the new
    // document has a new fingerprint and no decision (the old document keeps its own).
    writeFileSync(join(input, MUTATED_FILE), mutatedHtml(6));
    await run();
    const [changed] = await rowTotal(mutatedHtml(6));
    expect(changed.fingerprint).not.toBe(first.fingerprint);
    expect(changed.review_decision).toBeNull();
    expect((await rowTotal())[0].review_decision).toBe('dismissed');

    // A malformed reviews file stops the run; the published warehouse stays as it was.
    const runsBefore = await query<{ n: bigint }>(db, 'SELECT count(*) AS n FROM runs');
    writeFileSync(join(out, 'reviews.csv'), `${HEADER}${first.fingerprint},dismissed,,,\nabc,perhaps,,,\n`);
    await expect(run()).rejects.toThrow(/reviews\.csv line 3: decision must be confirmed or dismissed/);
    expect(await query(db, 'SELECT count(*) AS n FROM runs')).toEqual(runsBefore);
  });
});
