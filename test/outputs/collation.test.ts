/**
 * Sorting by each distinct text's rank (`collationRanks`) orders as the collator does, texts the
 * collator finds equal included; and `xmlText`'s quick path returns what the full escaping does.
 */
import { describe, expect, it } from 'vitest';
import { collationRanks, defaultCollator, zhCollator } from '../../pipeline/outputs/site/audit-data.js';
import { xmlText } from '../../pipeline/outputs/exports/xlsx.js';

/** A seeded generator (the same texts every run). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('collationRanks', () => {
  it('sorts 5,000 agency names, repeated and canonically equal ones among them, as the collator does', () => {
    const next = random(7);
    const parts = [
      '北京市',
      '朝阳区',
      '教育',
      '委员会',
      '人民政府',
      '办公室',
      '上海市',
      '浦东',
      'é',
      'e\u0301',
      'A',
      'a',
      '',
    ];
    const names = Array.from({ length: 5000 }, () =>
      Array.from({ length: 1 + Math.floor(next() * 3) }, () => parts[Math.floor(next() * parts.length)]).join(''),
    );
    // the two spellings of é: distinct texts the collator finds equal
    expect(names.some((n) => n.includes('é'))).toBe(true);
    expect(zhCollator.compare('é', 'e\u0301')).toBe(0);
    const items = names.map((name, i) => ({ name, i }));
    for (const collator of [zhCollator, defaultCollator]) {
      const byCollator = [...items].sort((a, b) => collator.compare(a.name, b.name) || a.i - b.i);
      const rank = collationRanks(names, collator);
      const byRank = [...items].sort((a, b) => rank.get(a.name)! - rank.get(b.name)! || a.i - b.i);
      expect(byRank.map((x) => x.i)).toEqual(byCollator.map((x) => x.i));
    }
  });
});

describe('xmlText', () => {
  const full = (text: string) =>
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the characters removed
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;');
  it('returns a text with nothing to escape as it is, and escapes every other as before', () => {
    for (const text of [
      '北京市朝阳区',
      'plain text',
      "it's",
      'a & b',
      '<t>',
      'say "x"',
      'bell\u0007',
      'tab\tnew\nline',
      '\uFFFE',
      '',
    ])
      expect(xmlText(text)).toBe(full(text));
  });
});
