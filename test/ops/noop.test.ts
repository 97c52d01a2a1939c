/**
 * The nightly no-op: a run that loads nothing new and whose rule inputs are unchanged keeps the
 * findings and the report as they are; a change to what the rules or outputs read re-runs them.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { query, REPORTS, runOn, tempDir } from '../helpers.js';

describe('nothing new', () => {
  it('skips rules and outputs, and re-runs them when a review decision changes', async () => {
    const work = tempDir();
    const opts = { db: join(work, 'w.duckdb'), out: join(work, 'out'), noOutputs: false };
    const first = await runOn(REPORTS, opts);
    const index = join(opts.out, 'index.html');
    const before = statSync(index).mtimeMs;
    const anomalies = await query(opts.db, 'SELECT fingerprint, message FROM anomalies ORDER BY fingerprint');

    const second = await runOn(REPORTS, opts);
    expect(second.summary.new + second.summary.reprocessed).toBe(0);
    expect(second.summary.stageMs.outputs).toBe(0);
    expect(second.summary.rules!.findings).toBe(first.summary.rules!.findings);
    expect(statSync(index).mtimeMs).toBe(before);
    expect(await query(opts.db, 'SELECT fingerprint, message FROM anomalies ORDER BY fingerprint')).toEqual(anomalies);
    const runs = await query<{ exit_code: number; inputs_hash: string }>(opts.db, 'SELECT exit_code, inputs_hash FROM runs ORDER BY started_at');
    expect(runs.length).toBe(2);
    expect(runs[0].inputs_hash).toBe(runs[1].inputs_hash);

    // An auditor dismisses a finding: the next run applies it.
    const fp = (anomalies[0] as { fingerprint: string }).fingerprint;
    const reviews = join(opts.out, 'reviews.csv');
    writeFileSync(reviews, readFileSync(reviews, 'utf8') + `${fp},dismissed,核实无误,审计员,2026-11-27\n`);
    const third = await runOn(REPORTS, opts);
    expect(third.summary.stageMs.outputs).toBeGreaterThan(0);
    const decided = await query<{ review_decision: string }>(opts.db, 'SELECT review_decision FROM anomalies WHERE fingerprint = $1', [fp]);
    expect(decided[0].review_decision).toBe('dismissed');
  });
});
