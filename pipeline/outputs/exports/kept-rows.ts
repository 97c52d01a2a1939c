/**
 * The exports' rows as last published, so that a run writes again only the rows that changed
 * (a nightly run of a few new reports among many): `<out>/export-rows.json` holds, for each
 * export file, its header, the file it was recorded for (inode, size, modification time) and, for
 * each row, a hash of the values the row is written from (DuckDB's `hash` over the row's fields,
 * taken with the export's order) and where the row's text is in the file. A row whose hash is
 * among the published file's is copied from that file; any other is read and written. The record
 * stands only for the outputs' code that wrote it and DuckDB's hash function (a probe's hash):
 * after an upgrade, or when a file is not the one recorded (a run killed while publishing, an edit
 * by hand), every row is written again. A column whose value is the same in every row (the run
 * that last saw the findings: every finding of `anomalies` is seen by the latest run) is left out
 * of the hashes, and its text replaced in the rows copied, so that a run does not make every row new.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { outputsCodeHash } from '../code-version.js';
import { type FileStamp, fileStamp, fileStands } from '../site/page-keys.js';
import type { RowSpans } from './scratch-rows.js';

/** The record, in --out (published with the exports: ../index.ts's STAGED_OUTPUTS). */
export const EXPORT_ROWS = 'export-rows.json';

const LAYOUT = 1;

interface FileRows {
  stamp?: FileStamp;
  columns: readonly string[];
  /**
   * By the row's place in the file: its hash (base 36), its text's first byte and its length, and
   * where in it the value the same in every row starts (-1: none).
   */
  hashes: string[];
  starts: number[];
  lengths: number[];
  marks: number[];
  /** The text of a column's value the same in every row, left out of the hashes (null: none). */
  constant: string | null;
}

interface Record_ {
  layout: number;
  code: string;
  probe: string;
  files: Record<string, FileRows>;
}

/** A published file's rows by their hash: where each one's text is. */
export interface PublishedRows {
  path: string;
  find(hash: string): { start: number; length: number; mark: number } | undefined;
}

/** DuckDB's hash of a fixed value: another DuckDB hashes otherwise, and the record does not stand. */
async function hashProbe(conn: DuckDBConnection): Promise<string> {
  const rows = (await conn.runAndReadAll(`SELECT hash('export-rows', 1, 2.5, NULL::VARCHAR, true)`)).getColumnsJS();
  return String(rows[0][0]);
}

export class ExportRows {
  private readonly made: Record<string, FileRows> = {};

  private constructor(
    private readonly outDir: string,
    private readonly probe: string,
    private readonly published: Record<string, FileRows>,
  ) {}

  /** The record a run left in `outDir` (none when absent, unreadable or not for this code and DuckDB). */
  static async load(conn: DuckDBConnection, outDir: string): Promise<ExportRows> {
    const probe = await hashProbe(conn);
    let files: Record<string, FileRows> = {};
    try {
      const parsed = JSON.parse(readFileSync(join(outDir, EXPORT_ROWS), 'utf8')) as Record_;
      if (parsed.layout === LAYOUT && parsed.code === outputsCodeHash() && parsed.probe === probe) files = parsed.files;
    } catch {
      // no record: every row is written
    }
    return new ExportRows(outDir, probe, files);
  }

  /**
   * The rows of the published file `name`, when it is the file recorded, with the header `columns`
   * and a constant value as long as `constant` (its text now, or null as then); else null.
   */
  publishedRows(name: string, columns: readonly string[], constant: string | null): PublishedRows | null {
    const entry = this.published[name];
    const path = join(this.outDir, name);
    if (!entry?.stamp || entry.columns.join('\0') !== columns.join('\0') || !fileStands(path, entry.stamp)) return null;
    const length = (text: string | null) => (text === null ? -1 : Buffer.byteLength(text, 'utf8'));
    if (length(entry.constant) !== length(constant)) return null;
    const byHash = new Map<string, number>();
    entry.hashes.forEach((h, i) => byHash.set(h, i));
    return {
      path,
      find: (hash) => {
        const i = byHash.get(hash);
        return i === undefined ? undefined : { start: entry.starts[i], length: entry.lengths[i], mark: entry.marks[i] };
      },
    };
  }

  /**
   * Records the rows of the file written at `path`: by place, their hashes and where their texts
   * are (from `offset`), and the constant value's text.
   */
  record(
    path: string,
    columns: readonly string[],
    hashes: readonly string[],
    spans: RowSpans,
    offset: number,
    constant: string | null,
  ): void {
    this.made[basename(path)] = {
      columns,
      hashes: [...hashes],
      starts: Array.from(spans.starts, (s) => s + offset),
      lengths: Array.from(spans.lengths),
      marks: Array.from(spans.marks),
      constant,
    };
  }

  /** Writes the record to `path`, each file's stamp taken where `fileOf` says it is now (renaming keeps it). */
  save(path: string, fileOf: (name: string) => string): void {
    const files: Record<string, FileRows> = {};
    for (const [name, rows] of Object.entries(this.made)) {
      const stamp = fileStamp(fileOf(name));
      if (stamp) files[name] = { ...rows, stamp };
    }
    const record: Record_ = { layout: LAYOUT, code: outputsCodeHash(), probe: this.probe, files };
    writeFileSync(path, JSON.stringify(record));
  }
}
