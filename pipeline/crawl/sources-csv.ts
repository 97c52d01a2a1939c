/** Reads the sources CSV (`agency,url`, header required). Errors name the file and the line. */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { decodeText } from './charset.js';
import { isHttpUrl } from './url-policy.js';
import type { CrawlSource } from './types.js';

export function readSourcesCsv(path: string): CrawlSource[] {
  // Spreadsheets saved on Chinese Windows write GBK CSVs; decodeText falls back to GB18030.
  const text = decodeText(readFileSync(path));
  const fail = (line: number, message: string): never => {
    throw new Error(`${path}: line ${line}: ${message}`);
  };

  const headerLine = text.split(/\r?\n/, 1)[0] ?? '';
  const columns = Papa.parse<string[]>(headerLine).data[0]?.map((c) => c.trim().toLowerCase()) ?? [];
  if (!columns.includes('agency') || !columns.includes('url')) {
    fail(1, `the header must name the columns agency,url (found: ${JSON.stringify(headerLine)})`);
  }

  const sources: CrawlSource[] = [];
  Papa.parse<Record<string, string>>(text, {
    header: true,
    skipEmptyLines: 'greedy',
    transformHeader: (h) => h.trim().toLowerCase(),
    step: (row) => {
      // Papaparse gives offsets, not line numbers: count lines up to the row's end, minus those inside its fields.
      const newlinesInFields = Object.values(row.data).join('').split('\n').length - 1;
      const line = lineAt(text, row.meta.cursor) - newlinesInFields;
      if (row.errors.length) fail(line, row.errors.map((e) => e.message).join('; '));
      const agency = (row.data.agency ?? '').trim();
      const url = (row.data.url ?? '').trim();
      if (!agency) fail(line, 'empty agency');
      if (!isHttpUrl(url)) fail(line, `url is not an http(s) URL: ${JSON.stringify(url)}`);
      sources.push({ agency, url });
    },
  });
  return sources;
}

/** 1-based line of the character just before `offset` (a row's trailing newline belongs to it). */
function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).replace(/\r?\n$/, '').split('\n').length;
}
