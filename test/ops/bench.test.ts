/** The benchmark runs and reports what it promises (a tiny corpus: a smoke test, not a measurement). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

describe('npm run bench', () => {
  it('prints one JSON object with the figures, and the generated corpus is consistent', () => {
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'dist', 'pipeline', 'bench', 'index.js'), '--docs', '12', '--format', 'all', '--json'],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    for (const key of [
      'docs',
      'format',
      'floor_docs_per_s',
      'pipeline_docs_per_s',
      'ratio',
      'noop_seconds',
      'peak_rss_mb',
    ])
      expect(out).toHaveProperty(key);
    expect(out.docs).toBe(12);
    expect(out.failed).toBe(0);
    expect(out.noop_new_documents).toBe(0);
    expect(out.pipeline_docs_per_s).toBeGreaterThan(0);
    // Where the time went: extraction alone, and the run's phases by the clock and by CPU.
    expect(out.extract_docs_per_s).toBeGreaterThan(0);
    expect(out.floor_cpu_seconds).toBeGreaterThan(0);
    expect(out.pipeline_cpu_seconds).toBeGreaterThan(0);
    expect(Object.keys(out.phase_seconds)).toEqual(['ingest', 'rules', 'outputs']);
    for (const p of Object.values(out.phase_seconds) as { wall: number; cpu: number }[]) {
      expect(p.wall).toBeGreaterThanOrEqual(0);
      expect(p.cpu).toBeGreaterThanOrEqual(0);
    }
    const phasesWall = (Object.values(out.phase_seconds) as { wall: number }[]).reduce((a, p) => a + p.wall, 0);
    expect(phasesWall).toBeLessThanOrEqual(out.pipeline_seconds);
    // Scaled copies of consistent reports stay consistent: no finding beyond those the originals
    // already carry (at most a few per document).
    expect(out.findings).toBeLessThanOrEqual(out.docs * 3);
  });
});

describe('npm run bench -- --keep DIR', () => {
  it('runs cold again on the kept corpus: the last warehouse and outputs set aside, and removed after the timed runs', () => {
    const keep = mkdtempSync(join(tmpdir(), 'goa-bench-keep-'));
    try {
      const run = () => {
        const r = spawnSync(
          process.execPath,
          [
            join(ROOT, 'dist', 'pipeline', 'bench', 'index.js'),
            ...['--docs', '6', '--format', 'html', '--pipeline-only', '--json', '--keep', keep],
          ],
          { encoding: 'utf8', timeout: 120_000 },
        );
        expect(r.status, r.stderr).toBe(0);
        return JSON.parse(r.stdout);
      };
      const first = run();
      const second = run();
      // every document read and loaded again, not found unchanged in the last bench's warehouse
      expect(first.cells).toBeGreaterThan(0);
      expect(second.cells).toBe(first.cells);
      expect(second.noop_new_documents).toBe(0);
      const left = readdirSync(keep);
      expect(left).toEqual(expect.arrayContaining(['corpus', 'out', 'warehouse.duckdb']));
      expect(left).not.toContain('previous-run');
    } finally {
      rmSync(keep, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('npm run bench -- --incremental K', () => {
  it('adds K new distinct documents after the cold run and reports the incremental run: seconds, pages written, rules, ratio', () => {
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, 'dist', 'pipeline', 'bench', 'index.js'),
        '--docs',
        '20',
        '--incremental',
        '2',
        '--format',
        'html',
        '--pipeline-only',
        '--json',
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ docs: 20, failed: 0, noop_new_documents: 0, incremental_docs: 2 });
    expect(out.incremental_seconds).toBeGreaterThan(0);
    expect(out.incremental_cpu_seconds).toBeGreaterThan(0);
    expect(out.incremental_ratio).toBeCloseTo(out.incremental_seconds / out.pipeline_seconds, 1);
    expect(out.incremental_rules_seconds).toBeGreaterThanOrEqual(0);
    expect(out.incremental_rules_seconds).toBe(out.incremental_phase_seconds.rules.wall);
    // the two new reports' pages at least, and no more pages than there are reports
    expect(['pipeline', 'mtime']).toContain(out.incremental_pages_counted_by);
    expect(out.incremental_pages_written).toBeGreaterThanOrEqual(2);
    expect(out.incremental_pages_written).toBeLessThanOrEqual(22);
    // --pipeline-only: the floor and the extraction alone are not measured
    expect(out.ratio).toBeNull();
    expect(out.floor_docs_per_s).toBeNull();
  }, 120_000);
});

describe('npm run bench -- --format pdf', () => {
  it('measures PDFs against their own floor (pdfjs parsing every page), loading every document', () => {
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'dist', 'pipeline', 'bench', 'index.js'), '--docs', '3', '--format', 'pdf', '--json'],
      {
        encoding: 'utf8',
        timeout: 300_000,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ docs: 3, format: 'pdf', failed: 0, noop_new_documents: 0 });
    expect(out.floor_docs_per_s).toBeGreaterThan(0);
    expect(out.floor_cpu_seconds).toBeGreaterThan(0);
    expect(out.cells).toBeGreaterThan(3 * 150);
  }, 300_000);
});
