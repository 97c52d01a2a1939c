/**
 * The project's CSV inputs (agency hierarchy, crawl sources, review decisions): read with
 * papaparse, UTF-8 or GBK (spreadsheets saved on Chinese Windows), BOM stripped, a header naming
 * the required columns, and every row with its line number so an error can name it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type PapaModule from 'papaparse';
import { decodeText } from '../../extractors/index.js';

/**
 * papaparse, loaded by the first CSV read: every worker thread loads this folder's index, and
 * papaparse imported as a module (CommonJS: Node scans its source for exports) cost each
 * thread's start-up time and compiler work (docs/performance.md).
 */
let papa: typeof PapaModule | null = null;
const Papa = (): typeof PapaModule => (papa ??= createRequire(import.meta.url)('papaparse') as typeof PapaModule);

export interface CsvRow {
  /** Field values by lower-cased, trimmed column name. */
  readonly fields: Readonly<Record<string, string>>;
  /** 1-based line where the row starts. */
  readonly line: number;
}

/** Throws an error naming the file and the line; each caller brings its own error class. */
export type CsvFail = (line: number, reason: string) => never;

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** `header` describes the expected header in errors (default: the required columns). */
export function readCsv(path: string, required: readonly string[], fail: CsvFail, header?: string): CsvRow[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    return fail(0, `cannot read the file (${(e as Error).message})`);
  }
  return parseCsv(decodeText(bytes, []).text, required, fail, header);
}

export function parseCsv(
  text: string,
  required: readonly string[],
  fail: CsvFail,
  describe = required.join(','),
): CsvRow[] {
  const rows: CsvRow[] = [];
  let header: string[] | null = null;
  let rowStart = 0;
  Papa().parse<string[]>(text, {
    delimiter: ',',
    step: (row) => {
      const line = lineAt(text, rowStart);
      rowStart = row.meta.cursor;
      if (row.errors.length > 0) fail(line, `not valid CSV (${row.errors.map((e) => e.message).join('; ')})`);
      const cells = row.data.map((f) => f.trim());
      if (cells.every((f) => f === '')) return;
      if (!header) {
        header = cells.map((c) => c.toLowerCase());
        const missing = required.filter((c) => !header!.includes(c));
        if (missing.length > 0)
          fail(
            line,
            `the header must name the columns ${describe}; missing ${missing.join(',')} in ${JSON.stringify(cells.join(','))}`,
          );
        return;
      }
      if (cells.length !== header.length) {
        fail(
          line,
          `${cells.length < header.length ? 'Too few' : 'Too many'} fields: expected ${header.length} fields (${header.join(',')}), found ${cells.length}`,
        );
      }
      rows.push({ fields: Object.fromEntries(header.map((h, i) => [h, cells[i]])), line });
    },
  });
  if (!header && required.length > 0) fail(1, `the header must name the columns ${describe}; the file is empty`);
  return rows;
}
