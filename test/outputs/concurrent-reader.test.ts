/**
 * The warehouse a researcher opens is never the file a running job writes: a second process
 * holding the published warehouse open READ_ONLY does not block a run, keeps reading the
 * snapshot it opened, and the run's new warehouse is published.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { query, REPORTS, ROOT, runOn, tempDir } from '../helpers.js';
import { mutatedHtml } from './fixture.js';

/** A researcher's session: opens the file read-only, answers "runs" and "reports" on stdin, keeps it open. */
const RESEARCHER = `
import { DuckDBInstance } from '@duckdb/node-api';
import { createInterface } from 'node:readline';
const inst = await DuckDBInstance.create(process.argv[1], { access_mode: 'READ_ONLY' });
const conn = await inst.connect();
const count = async (t) => Number((await conn.runAndReadAll('SELECT count(*) AS n FROM ' + t)).getRowObjectsJS()[0].n);
const answer = async () => console.log(JSON.stringify({ runs: await count('runs'), reports: await count('reports') }));
await answer();
for await (const line of createInterface({ input: process.stdin })) await answer();
`;

let researcher: ChildProcessWithoutNullStreams | null = null;

afterEach(() => {
  if (researcher && researcher.exitCode === null) researcher.kill();
  researcher = null;
});

function nextAnswer(child: ChildProcessWithoutNullStreams): Promise<{ runs: number; reports: number }> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString();
      const nl = buffer.indexOf('\n');
      if (nl < 0) return;
      child.stdout.off('data', onData);
      resolve(JSON.parse(buffer.slice(0, nl)));
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`researcher exited with ${code}`)));
  });
}

describe('a researcher holding the published warehouse open', () => {
  it('does not block the pipeline, and the new warehouse is published', async () => {
    const input = tempDir('goa-conc-in-');
    cpSync(REPORTS, input, { recursive: true });
    const db = join(tempDir('goa-conc-'), 'warehouse.duckdb');
    await runOn(input, { db });
    const published = await query<{ n: bigint }>(db, 'SELECT count(*) AS n FROM reports');

    let stderr = '';
    researcher = spawn(process.execPath, ['--input-type=module', '-e', RESEARCHER, db], { cwd: ROOT });
    researcher.stderr.on('data', (d) => (stderr += d));
    const opened = await nextAnswer(researcher);
    expect(opened).toEqual({ runs: 1, reports: Number(published[0].n) });

    // A new document arrives; the run goes ahead while the researcher's session is open.
    writeFileSync(join(input, '2020_北京市朝阳区教育委员会_更正.html'), mutatedHtml(5));
    const second = await runOn(input, { db, noOutputs: false });
    expect(second.exitCode).toBe(0);
    expect(second.summary.new).toBe(1);

    // The open session still reads the snapshot it opened, whole and unchanged.
    researcher.stdin.write('again\n');
    expect(await nextAnswer(researcher)).toEqual(opened);
    expect(stderr).toBe('');

    // Whoever opens the warehouse now gets the new run.
    const runs = await query<{ n: bigint }>(db, 'SELECT count(*) AS n FROM runs');
    const reports = await query<{ n: bigint }>(db, 'SELECT count(*) AS n FROM reports');
    expect(Number(runs[0].n)).toBe(2);
    expect(Number(reports[0].n)).toBe(Number(published[0].n) + 1);
  });
});
