/**
 * A benchmark corpus: N distinct reports made from the real layouts in data/reports by renaming
 * the agency and scaling every integer count by a factor of its own, in the tables and in the
 * prose alike: sums, shares and the prose's restatements stay true (every rule is linear), so
 * the corpus is as consistent as the real reports it comes from.
 *
 * PDFs are the real ones of test/fixtures/pdf (office-suite and browser printed), made distinct
 * by a comment after their end: their text sits in compressed streams behind subset fonts, so
 * they are not renamed or scaled, and copies of one report group into one report (extraction and
 * loading are per document as for the other formats; rules and pages have fewer reports).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { projectRoot } from '../common/index.js';

export type BenchFormat = 'docx' | 'html' | 'txt' | 'pdf';

interface Template {
  name: string;
  format: BenchFormat;
  agency: string;
  bytes: Buffer;
}

function templates(reportsDir: string, formats: readonly BenchFormat[]): Template[] {
  const fromReports: Template[] = readdirSync(reportsDir)
    .sort()
    .flatMap((name) => {
      const m = /^(\d{4})_(.+)\.(docx|html|txt)$/.exec(name);
      if (!m || !formats.includes(m[3] as BenchFormat)) return [];
      return [{ name, format: m[3] as BenchFormat, agency: m[2], bytes: readFileSync(join(reportsDir, name)) }];
    });
  return formats.includes('pdf') ? [...fromReports, ...pdfTemplates()] : fromReports;
}

function pdfTemplates(): Template[] {
  const dir = join(projectRoot(), 'test', 'fixtures', 'pdf');
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const m = /^(\d{4})_(.+?)(\.print)?\.pdf$/.exec(name);
      return m ? [{ name, format: 'pdf' as const, agency: m[2], bytes: readFileSync(join(dir, name)) }] : [];
    });
}

const scale = (n: string, k: number) => String(Number(n) * k);

/** A count in prose: a whole number before a measure word (not a year, date or percentage). */
const PROSE_COUNT = /(?<![\d.])(\d{1,6})(?=\s*(?:件|条|项|个|次|人次|宗|起|份|篇|期))/g;
const scaleProse = (text: string, k: number) => text.replace(PROSE_COUNT, (n) => scale(n, k));

/** A name for the i-th agency without digits (a run of four digits in a title reads as a year). */
function letters(i: number): string {
  let s = '';
  do {
    s = String.fromCharCode(0x41 + (i % 26)) + s;
    i = Math.floor(i / 26);
  } while (i > 0);
  return s;
}

/** Scales whole numbers in table cells of a page or text export; renames the agency. */
function varyText(text: string, agency: string, newAgency: string, k: number, format: 'html' | 'txt'): string {
  const t = text.split(agency).join(newAgency);
  if (format === 'html') {
    // Tables and prose alternate: scale the cells of one, the counts of the other.
    return t
      .split(/(<table[\s\S]*?<\/table>)/)
      .map((part, i) =>
        i % 2 === 1
          ? part.replace(/>(\s*)(\d{1,6})(\s*)</g, (_, a, n, b) => `>${a}${scale(n, k)}${b}<`)
          : scaleProse(part, k),
      )
      .join('');
  }
  return t
    .split('\n')
    .map((line) =>
      line.startsWith('\t') ? line.replace(/^\t(\d{1,6})$/, (_, n) => `\t${scale(n, k)}`) : scaleProse(line, k),
    )
    .join('\n');
}

function varyDocx(bytes: Uint8Array, agency: string, newAgency: string, k: number, i: number): Uint8Array {
  const entries = unzipSync(bytes);
  let xml = strFromU8(entries['word/document.xml']);
  xml = xml.split(agency).join(newAgency);
  // Tables and prose alternate (as in varyText): whole numbers in the tables' runs, counts in the
  // prose (a year printed in a run of its own, as in the title, stays).
  xml = xml
    .split(/(<w:tbl>[\s\S]*?<\/w:tbl>)/)
    .map((part, j) =>
      j % 2 === 1
        ? part.replace(/(<w:t(?:\s[^>]*)?>)(\d{1,6})(<\/w:t>)/g, (_, a, n, b) => `${a}${scale(n, k)}${b}`)
        : part.replace(
            /(<w:t(?:\s[^>]*)?>)([^<]*)(<\/w:t>)/g,
            (_, a, text: string, b) =>
              // Word splits "共10件" into runs: a run of digits alone is a count, unless it is a year.
              `${a}${/^\d{1,6}$/.test(text) && !/^(19|20)\d\d$/.test(text) ? scale(text, k) : scaleProse(text, k)}${b}`,
          ),
    )
    .join('');
  xml = xml.replace(/^(<\?xml[^>]*\?>)/, `$1<!-- bench ${i} -->`);
  entries['word/document.xml'] = strToU8(xml);
  return zipSync(entries, { level: 6 });
}

/**
 * Writes `docs` distinct reports into `dir` (spread over sub-folders), cycling through the layouts:
 * the reports numbered `from` to `from + docs - 1` (a later call with `from` = the count already
 * written adds reports distinct from those).
 */
export function generateCorpus(
  reportsDir: string,
  dir: string,
  docs: number,
  formats: readonly BenchFormat[],
  from = 0,
): string[] {
  const tpl = templates(reportsDir, formats);
  if (tpl.length === 0) throw new Error(`bench: no ${formats.join('/')} layouts in ${reportsDir}`);
  const written: string[] = [];
  for (let i = from; i < from + docs; i++) {
    const t = tpl[i % tpl.length];
    const k = 1 + Math.floor(i / tpl.length); // a factor per copy: no two agencies publish the same table
    const newAgency = `${t.agency}${letters(i)}分局`;
    const sub = join(dir, String(i % 100).padStart(2, '0'));
    mkdirSync(sub, { recursive: true });
    const path = join(sub, `${i}_${t.name}`);
    const out =
      t.format === 'pdf'
        ? Buffer.concat([t.bytes, Buffer.from(`% bench ${i}\n`)])
        : t.format === 'docx'
          ? varyDocx(t.bytes, t.agency, newAgency, k, i)
          : Buffer.from(
              varyText(t.bytes.toString('utf8'), t.agency, newAgency, k, t.format) +
                (t.format === 'html' ? `<!-- bench ${i} -->` : `\n${i}\n`),
            );
    writeFileSync(path, out);
    written.push(path);
  }
  return written;
}
