/**
 * One run at a time per warehouse: an exclusive lock file next to it, holding the holder's pid.
 *
 * The lock is written whole to a file of its own and then linked into place (link fails if the
 * lock exists), so a lock file is never seen empty or half written by this code. A lock left by a
 * killed run (its pid is gone) is taken over; so is one that cannot be read (a kill between
 * creating and writing it, by an older version, or a damaged file) once it is older than a few
 * seconds. A lock held by a live run for longer than the caller's threshold is an error of its
 * own: a hung run must not make every later night a quiet "another run is going" (75).
 */
import {
  closeSync,
  linkSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';

export class LockHeldError extends Error {
  constructor(readonly holder: string) {
    super(`another run holds the warehouse lock: ${holder}`);
    this.name = 'LockHeldError';
  }
}

/** The lock is held by a live run that started longer ago than the threshold: hung, most likely. */
export class LockHeldTooLongError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockHeldTooLongError';
  }
}

interface Holder {
  pid: number;
  host: string;
  runId: string;
  started: string;
}

/** A lock file that cannot be read is taken over once it is this old (writing one takes microseconds). */
export const UNREADABLE_LOCK_GRACE_MS = 10_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseHolder(text: string): Holder | null {
  try {
    const h = JSON.parse(text) as Holder;
    return Number.isInteger(h?.pid) && typeof h.host === 'string' ? h : null;
  } catch {
    return null;
  }
}

export interface Lock {
  readonly path: string;
  release(): void;
}

export interface LockOptions {
  /** A live holder older than this is reported as hung (LockHeldTooLongError); default 12 hours. */
  staleAfterHours?: number;
  /** Told when a stale lock is taken over. */
  warn?: (message: string) => void;
}

/** The lock's own file, written whole before it is linked into place (pid in the name: one per process). */
const pendingPath = (path: string, pid: number) => `${path}.${pid}.pending`;

/** Pending lock files of processes that are gone (killed between writing and linking). */
function removeDeadPending(path: string): void {
  const dir = dirname(path);
  const prefix = `${basename(path)}.`;
  for (const name of readdirSync(dir)) {
    const m = name.startsWith(prefix) ? /^(\d+)\.pending$/.exec(name.slice(prefix.length)) : null;
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) {
      try {
        unlinkSync(join(dir, name));
      } catch {
        /* removed by another run meanwhile */
      }
    }
  }
}

/** Links the written lock into place; where the file system has no hard links, creates it exclusively and writes it. */
function linkOrCreate(pending: string, path: string, me: Holder): void {
  try {
    linkSync(pending, path);
  } catch (e) {
    if (!['EPERM', 'ENOTSUP', 'ENOSYS', 'EOPNOTSUPP'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    const fd = openSync(path, 'wx');
    try {
      writeSync(fd, JSON.stringify(me));
    } finally {
      closeSync(fd);
    }
  }
}

export function acquireLock(dbPath: string, runId: string, options: LockOptions = {}): Lock {
  const path = `${dbPath}.lock`;
  const staleAfterHours = options.staleAfterHours ?? 12;
  const me: Holder = { pid: process.pid, host: hostname(), runId, started: new Date().toISOString() };
  const pending = pendingPath(path, process.pid);
  removeDeadPending(path);
  writeFileSync(pending, JSON.stringify(me));
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkOrCreate(pending, path, me);
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
      }
      let text: string;
      let ageMs: number;
      try {
        text = readFileSync(path, 'utf8');
        ageMs = Date.now() - statSync(path).mtimeMs;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile: try again
        throw e;
      }
      const holder = parseHolder(text);
      if (!holder) {
        if (ageMs < UNREADABLE_LOCK_GRACE_MS)
          throw new LockHeldError(
            `lock file ${path} exists and cannot be read (written ${(ageMs / 1000).toFixed(1)} s ago)`,
          );
        options.warn?.(
          `took over the lock file ${path}: it cannot be read (${text.length} bytes, last written ${(ageMs / 1000).toFixed(0)} s ago), left by a run killed while writing it`,
        );
        unlinkSync(path);
        continue;
      }
      if (holder.host === me.host && !alive(holder.pid)) {
        options.warn?.(`took over the lock of run ${holder.runId} (pid ${holder.pid} is gone: the run was killed)`);
        unlinkSync(path); // stale: its run was killed
        continue;
      }
      const describe = `pid ${holder.pid} on ${holder.host}, run ${holder.runId}, started ${holder.started} (${path})`;
      const heldHours = (Date.now() - Date.parse(holder.started)) / 3600_000;
      if (heldHours > staleAfterHours) {
        throw new LockHeldTooLongError(
          `the warehouse lock has been held for ${heldHours.toFixed(1)} hours by ${describe}, over --stale-lock-hours ${staleAfterHours}: ` +
            'is that run hung? Stop it (its lock and private build go with it), or remove the lock file if that process is not the pipeline',
        );
      }
      throw new LockHeldError(describe);
    }
    throw new LockHeldError(`lock file ${path} keeps changing hands`);
  } finally {
    try {
      unlinkSync(pending);
    } catch {
      /* gone already */
    }
  }
}
