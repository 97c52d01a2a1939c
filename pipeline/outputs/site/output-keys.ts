/**
 * The agencies' and regions' pages and the charts kept by a key, as the report pages are
 * (page-keys.ts): each is a unit (a page with its charts, or a chart) whose key is a hash of the
 * outputs' code and of what it shows, the rows it was drawn from. A unit whose key is the one
 * recorded, and whose every file is still the file recorded (inode, size, modification time: a
 * run killed while publishing, or a file changed by hand, renders it again), is neither drawn nor
 * written: its files stay as published. The keys are kept in `<out>/output-keys.json`, published
 * after the folders. Before, every run drew every chart (Vega) and rendered every such page, to
 * find most of them unchanged.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { presentIn } from '../files.js';
import { outputsCodeHash } from '../code-version.js';
import { fileStamp, fileStands, type FileStamp } from './page-keys.js';

/** The units' keys, in --out (published with the pages' keys: ../index.ts's STAGED_OUTPUTS). */
export const OUTPUT_KEYS = 'output-keys.json';

/** A folder updated in place: where this run's changes are written, and the published folder. */
interface KeptFolder {
  staging: string;
  published: string;
}

/** A unit as `OutputKeys.unit` finds it. */
export interface KeyedUnit {
  /** Its published files stand: nothing is to be made. */
  kept: boolean;
  /** Records the files of the unit made this run (written aside, or found equal to the published ones). */
  made(names: string[]): void;
}

/**
 * The unit `name` of a folder (its changes written to `staging`, published in `published`), or
 * null without keys or a published folder: every unit is then made, and nothing recorded.
 */
export function keyedUnit(
  keys: OutputKeys | null,
  name: string,
  shown: () => unknown,
  staging: string,
  published: string | null,
): KeyedUnit | null {
  return keys && published !== null ? keys.unit(name, shown(), { staging, published }) : null;
}

interface UnitEntry {
  key: string;
  files: Record<string, FileStamp>;
}

/** The key of what a unit shows: the outputs' code and `shown` (its rows; functions are left out, the code stands for them). */
function unitKey(shown: unknown): string {
  return createHash('sha256')
    .update(outputsCodeHash())
    .update('\0')
    .update(JSON.stringify(shown))
    .digest('hex')
    .slice(0, 32);
}

export class OutputKeys {
  private readonly published: Map<string, UnitEntry>;
  private readonly made = new Map<string, { key: string; folder: KeptFolder; names: string[] }>();
  /** Units kept as published, and units made (rendered or drawn) this run. */
  readonly counts = { kept: 0, made: 0 };

  /** The keys a run left in `path` (none when absent or unreadable: every unit is made). */
  constructor(path: string) {
    try {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as { units?: Record<string, UnitEntry> };
      this.published = new Map(Object.entries(parsed.units ?? {}));
    } catch {
      this.published = new Map();
    }
  }

  /**
   * A unit of `folder` showing `shown`: `kept` when its key is the one recorded and each of its
   * published files is the file recorded (they stay, marked present in their folder, and the unit
   * is carried over); else it is to be made, and `made` records its files once written.
   */
  unit(name: string, shown: unknown, folder: KeptFolder): KeyedUnit {
    const key = unitKey(shown);
    const made = (names: string[]) => {
      this.made.set(name, { key, folder, names });
      this.counts.made++;
    };
    const entry = this.published.get(name);
    if (!entry || entry.key !== key) return { kept: false, made };
    const names = Object.keys(entry.files);
    if (!names.every((file) => fileStands(join(folder.published, file), entry.files[file])))
      return { kept: false, made };
    presentIn(folder.staging, names);
    this.made.set(name, { key, folder, names });
    this.counts.kept++;
    return { kept: true, made };
  }

  /** Writes the keys, each file's stamp taken as it will be published (the one written aside, else the published one). */
  save(path: string): void {
    const units: Record<string, UnitEntry> = {};
    for (const [unit, { key, folder, names }] of this.made) {
      const files: Record<string, FileStamp> = {};
      for (const name of names) {
        const st = fileStamp(join(folder.staging, name)) ?? fileStamp(join(folder.published, name));
        if (!st) break;
        files[name] = st;
      }
      // a unit with a file missing is left out: it is made again
      if (Object.keys(files).length === names.length) units[unit] = { key, files };
    }
    writeFileSync(path, JSON.stringify({ units }));
  }
}
