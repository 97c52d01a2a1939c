/**
 * DuckDB's memory limit keeps the run's memory flat; a statement that needs more than the limit
 * (now and then, depending on how DuckDB's threads share a large aggregate) runs once more with
 * twice the limit instead of failing the run, and the limit is set back after.
 */
import { describe, expect, it } from 'vitest';
import {
  closeWarehouse,
  DEFAULT_DB_MEMORY,
  limitDbMemory,
  openWarehouse,
  sizeBytes,
  smallerSize,
  withDbMemory,
  withMemoryToSpare,
} from '../../pipeline/warehouse/warehouse.js';

/** A list aggregate of `n` short strings: DuckDB cannot spill it, so it needs its size in memory. */
const bigList = (n: number) => `CREATE OR REPLACE TEMP TABLE t AS SELECT list(range || 'x') AS l FROM range(${n})`;

describe("DuckDB's memory limit", () => {
  it('gives a statement that runs out of it a second try with twice the limit, then sets the limit back', async () => {
    const w = await openWarehouse(':memory:');
    try {
      await limitDbMemory(w.conn, '64MB');
      await expect(w.conn.run(bigList(1_200_000))).rejects.toThrow(/Out of Memory Error/);
      const retries: string[] = [];
      await withMemoryToSpare(
        w.conn,
        () => w.conn.run(bigList(1_200_000)),
        (limit, reason) => retries.push(`${limit}: ${reason}`),
      );
      expect(retries).toEqual([expect.stringMatching(/^123MiB: Out of Memory Error/)]);
      const [[n]] = (await w.conn.runAndReadAll('SELECT len(l)::INTEGER FROM t')).getRows();
      expect(n).toBe(1_200_000);
      // more than twice: the error of the second try
      await expect(withMemoryToSpare(w.conn, () => w.conn.run(bigList(4_000_000)))).rejects.toThrow(
        /Out of Memory Error/,
      );
      const [[limit]] = (await w.conn.runAndReadAll("SELECT current_setting('memory_limit')")).getRows();
      expect(limit).toBe('61.0 MiB'); // 64 MB as DuckDB prints it
    } finally {
      await closeWarehouse(w);
    }
  });

  it('lowers the limit for a step and sets the one before back after, also when the step fails', async () => {
    const w = await openWarehouse(':memory:');
    const limit = async () => (await w.conn.runAndReadAll("SELECT current_setting('memory_limit')")).getRows()[0][0];
    try {
      await limitDbMemory(w.conn, '96MB');
      expect(await withDbMemory(w.conn, '48MB', limit)).toBe('45.7 MiB');
      expect(await limit()).toBe('91.5 MiB');
      // a larger one leaves the limit as it is
      expect(await withDbMemory(w.conn, '1GB', limit)).toBe('91.5 MiB');
      await expect(withDbMemory(w.conn, '48MB', () => w.conn.run('SELECT * FROM no_such_table'))).rejects.toThrow(
        /no_such_table/,
      );
      expect(await limit()).toBe('91.5 MiB');
    } finally {
      await closeWarehouse(w);
    }
  });

  it('passes any other error through at once', async () => {
    const w = await openWarehouse(':memory:');
    let calls = 0;
    try {
      await expect(
        withMemoryToSpare(w.conn, () => (calls++, w.conn.run('SELECT * FROM no_such_table'))),
      ).rejects.toThrow(/no_such_table/);
      expect(calls).toBe(1);
    } finally {
      await closeWarehouse(w);
    }
  });

  it('is 144 MB unless given: the rules over 50,000 reports peaked 15-25 MB lower than with 160, at the same CPU', async () => {
    expect(DEFAULT_DB_MEMORY).toBe('144MB');
    const w = await openWarehouse(':memory:');
    try {
      const [[limit]] = (await w.conn.runAndReadAll("SELECT current_setting('memory_limit')")).getRows();
      expect(limit).toBe('137.3 MiB'); // 144e6 bytes, as DuckDB writes it
    } finally {
      w.conn.closeSync();
      w.instance.closeSync();
    }
  });

  it('reads sizes as DuckDB writes them', () => {
    expect([sizeBytes('64MB'), sizeBytes('1GiB'), sizeBytes('lots')]).toEqual([64e6, 2 ** 30, null]);
    expect([smallerSize('64MB', '160MB'), smallerSize('1GB', '160MB')]).toEqual(['64MB', '160MB']);
  });
});
