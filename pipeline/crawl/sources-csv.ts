/** Reads the sources CSV (`agency,url`, header required). Errors name the file and the line. */
import { readCsv } from '../common/index.js';
import { isHttpUrl } from './url-policy.js';
import type { CrawlSource } from './types.js';

export function readSourcesCsv(path: string): CrawlSource[] {
  const fail = (line: number, message: string): never => {
    throw new Error(`${path}: line ${line}: ${message}`);
  };
  return readCsv(path, ['agency', 'url'], fail).map(({ fields, line }) => {
    const agency = fields.agency ?? '';
    const url = fields.url ?? '';
    if (!agency) fail(line, 'empty agency');
    if (!isHttpUrl(url)) fail(line, `url is not an http(s) URL: ${JSON.stringify(url)}`);
    return { agency, url };
  });
}
