/**
 * The ingest keeps a bounded number of files in hand (`mapBounded`, FILES_IN_FLIGHT): every file
 * of a run started at once held a pending call, its promise and its queue entry each, 120 MB of
 * the main thread's heap at the start of a run of 50,000 documents. The results stay in the
 * files' order, whatever order the calls finish in.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { mapBounded } from '../../pipeline/ingest/ingest.js';

describe('the files the ingest has in hand', () => {
  it('are at most the bound at any time, the results in the order of the files', async () => {
    let pending = 0;
    let most = 0;
    const started: number[] = [];
    const items = Array.from({ length: 2000 }, (_, i) => i);
    const results = await mapBounded(items, 16, async (i) => {
      started.push(i);
      most = Math.max(most, ++pending);
      await sleep(i % 7); // finishing out of order
      pending--;
      return i * 2;
    });
    expect(results).toEqual(items.map((i) => i * 2));
    expect(most).toBe(16);
    expect(started).toEqual(items); // taken in the files' order
  });

  it('handles fewer files than the bound, and none', async () => {
    expect(await mapBounded([1, 2, 3], 512, async (i) => i + 1)).toEqual([2, 3, 4]);
    expect(await mapBounded([], 512, async (i: number) => i)).toEqual([]);
  });
});
