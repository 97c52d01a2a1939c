/** Crawling before a run (wired in when the crawler lands). */
import type { RunOptions } from './run.js';
export async function crawlIntoInput(_sources: string, raw: string, _opts: RunOptions): Promise<string> {
  return raw;
}
