/**
 * Precision and recall of the claim extractor on a labelled set of real sentences
 * (test/fixtures/claims-labelled.json: every distinct prose sentence of the samples, those with a
 * digit and every other one).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractClaims } from '../../extractors/claims/index.js';
import { ROOT } from '../helpers.js';

interface Labelled {
  quantity: string;
  value: number;
  percent?: number;
  base?: string;
}

interface Item {
  source: string;
  text: string;
  claims: Labelled[];
}

const { items } = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'claims-labelled.json'), 'utf8')) as {
  items: Item[];
};

const key = (c: { quantity: string; value: number | null; percent?: number | null; base?: string | null }): string =>
  [c.quantity, c.value, c.percent ?? '', c.base ?? ''].join(' | ');

describe('the labelled sentences', () => {
  it('are at least 60 real sentences from every sample', () => {
    expect(items.length).toBeGreaterThanOrEqual(60);
    expect(new Set(items.map((i) => i.source)).size).toBe(5);
  });

  it('are read with a precision of at least 98%', () => {
    let extracted = 0;
    let labelled = 0;
    let correct = 0;
    const wrong: string[] = [];
    const missed: string[] = [];
    for (const item of items) {
      const expected = item.claims.map(key);
      const got = extractClaims([item.text]).map(key);
      extracted += got.length;
      labelled += expected.length;
      const left = [...expected];
      for (const g of got) {
        const i = left.indexOf(g);
        if (i >= 0) {
          left.splice(i, 1);
          correct++;
        } else wrong.push(`${g}  ← ${item.text.slice(0, 40)}`);
      }
      missed.push(...left.map((m) => `${m}  ← ${item.text.slice(0, 40)}`));
    }
    const precision = correct / extracted;
    const recall = correct / labelled;
    console.log(
      `claims: ${items.length} sentences, ${labelled} labelled claims, ${extracted} extracted, ${correct} correct — ` +
        `precision ${(100 * precision).toFixed(1)}%, recall ${(100 * recall).toFixed(1)}%` +
        (wrong.length ? `\n  wrong:\n    ${wrong.join('\n    ')}` : '') +
        (missed.length ? `\n  missed:\n    ${missed.join('\n    ')}` : ''),
    );
    expect(precision).toBeGreaterThanOrEqual(0.98);
    expect(recall).toBeGreaterThan(0.9);
  });
});
