/**
 * Inputs for the output tests: the real sample reports, plus
 *  - a copy of 朝阳区教育委员会 2020 (HTML) with one T3 number changed (（一）予以公开 · 自然人 4 → 5),
 *    which breaks its row total (总计 印为 4，各项之和为 5) and its column total;
 *  - a copy of the same report's plain-text export carrying script injections in its title line,
 *    in a prose sentence and in a T3 cell, as text the extractor reads.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPORTS, tempDir } from '../helpers.js';

export const AGENCY = '北京市朝阳区教育委员会';
export const MUTATED_FILE = '2020_北京市朝阳区教育委员会.html';
export const INJECTED_FILE = '2020_北京市朝阳区教育委员会_注入.txt';
export const SCRIPT = '<script>window.__pwned=1</script>';
export const IMG = '<img src=x onerror="window.__pwned=1">';

/** The HTML report with （一）予以公开 · 自然人 printed as `value` instead of 4. */
export function mutatedHtml(value = 5): string {
  const html = readFileSync(join(REPORTS, MUTATED_FILE), 'utf8');
  const row = '<td colspan="2">（一）予以公开</td><td>4</td>';
  if (!html.includes(row)) throw new Error('fixture: the 予以公开 row of the sample changed');
  return html.replace(row, `<td colspan="2">（一）予以公开</td><td>${value}</td>`);
}

/** The plain-text export with injections: title line, a prose sentence (with a wrong count), a T3 cell. */
export function injectedTxt(): string {
  const lines = readFileSync(join(REPORTS, '2020_北京市朝阳区教育委员会.txt'), 'utf8').split('\n');
  const title = lines.findIndex((l) => l.trim() === '2020年政府信息公开工作年度报告');
  lines[title] = `2020年政府信息公开工作年度报告${SCRIPT}`;
  const claim = lines.findIndex((l) => l.includes('共受理政府信息公开申请10件'));
  lines[claim] = lines[claim].replace('共受理政府信息公开申请10件，', `共受理政府信息公开申请12件${IMG}，`);
  const carried = lines.findIndex((l) => l.trim() === '二、上年结转政府信息公开申请数量');
  if (title < 0 || claim < 0 || carried < 0) throw new Error('fixture: the sample text export changed');
  lines[carried + 2] = `\t${SCRIPT}`;
  return lines.join('\n');
}

/** A copy of the HTML report without its T4 table, filed as the 2021 report: recognised partially. */
export function partialHtml(): string {
  const html = readFileSync(join(REPORTS, MUTATED_FILE), 'utf8');
  const start = html.indexOf('<p>四、政府信息公开行政复议');
  const end = html.indexOf('</table>', start) + '</table>'.length;
  if (start < 0) throw new Error('fixture: the T4 heading of the sample changed');
  return (html.slice(0, start) + html.slice(end)).replace('教育委员会2020年', '教育委员会2021年');
}

/** Bytes that claim to be a DOCX (a zip) but are not one: the document fails. */
export const BROKEN_DOCX = Buffer.from('PK\x03\x04 not really a zip archive');

/** A fresh input folder: every sample report, with the changed HTML and the injected text export. */
export function auditInput(opts: { mutatedValue?: number; injected?: boolean } = {}): string {
  const dir = tempDir('goa-out-in-');
  cpSync(REPORTS, dir, { recursive: true });
  writeFileSync(join(dir, MUTATED_FILE), mutatedHtml(opts.mutatedValue ?? 5));
  if (opts.injected ?? true) writeFileSync(join(dir, INJECTED_FILE), injectedTxt());
  return dir;
}
