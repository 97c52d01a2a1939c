/**
 * One run at a time per warehouse: an exclusive lock file next to it, holding the holder's pid.
 * A lock left by a killed run (its pid is gone) is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

export class LockHeldError extends Error {
  constructor(readonly holder: string) {
    super(`another run holds the warehouse lock: ${holder}`);
    this.name = 'LockHeldError';
  }
}

interface Holder {
  pid: number;
  host: string;
  runId: string;
  started: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Lock {
  readonly path: string;
  release(): void;
}

export function acquireLock(dbPath: string, runId: string): Lock {
  const path = `${dbPath}.lock`;
  const me: Holder = { pid: process.pid, host: hostname(), runId, started: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      return {
        path,
        release: () => {
          try {
            unlinkSync(path);
          } catch {
            /* already gone: nothing to release */
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder: Holder | null = null;
      try {
        holder = JSON.parse(readFileSync(path, 'utf8')) as Holder;
      } catch {
        holder = null; // being written right now, or garbage: look again
      }
      if (holder && holder.host === me.host && !alive(holder.pid)) {
        unlinkSync(path); // stale: its run was killed
        continue;
      }
      if (holder) throw new LockHeldError(`pid ${holder.pid} on ${holder.host}, run ${holder.runId}, started ${holder.started} (${path})`);
    }
  }
  throw new LockHeldError(`lock file ${path} exists and cannot be read`);
}
