/**
 * What every reader shares about markup and text, without a DOM library: the elements that
 * break lines or hold no text, whitespace as a reader sees it, and span attributes. (The
 * streaming readers load this, not cheerio: a worker thread loads what it runs.)
 */

/** Elements whose start and end break the text into lines (as does <br>). */
export const BLOCK_TAGS: ReadonlySet<string> = new Set([
  'p',
  'div',
  'section',
  'article',
  'header',
  'footer',
  'main',
  'aside',
  'nav',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'li',
  'ul',
  'ol',
  'dl',
  'dt',
  'dd',
  'blockquote',
  'pre',
  'form',
  'center',
  'hr',
  'address',
  'figure',
  'figcaption',
  'caption',
]);
/** Elements whose text is never read (their nested tables still are, inside a table's rows). */
export const SKIP_TAGS: ReadonlySet<string> = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'head',
  'select',
  'option',
  'button',
  'iframe',
  'object',
  'svg',
  'textarea',
]);

/** A character `cleanText` collapses or trims. */
const SPACE = /[\s\u00a0\u3000\u200b\ufeff]/;

/**
 * Collapses each run of spaces (and the non-breaking ones Word exports) to one space, or to one
 * line break when the run spans lines; no empty lines, no spaces at line ends. One pass: this
 * runs on every cell of every table.
 */
export function cleanText(text: string): string {
  // most cells are a bare number: nothing to collapse or trim, found by one test
  if (!SPACE.test(text)) return text;
  return text
    .replace(/[\s\u00a0\u3000\u200b\ufeff]+/g, (run) => (/[\n\r]/.test(run) ? '\n' : ' '))
    .replace(/^[\n ]+|[\n ]+$/g, '');
}

/** A cell's rowspan or colspan: a positive integer, else 1 (junk like "2px" reads as 2, "0" as 1). */
export function spanAttr(attribs: Record<string, string> | undefined, name: string): number {
  const n = parseInt(attribs?.[name] ?? '1', 10);
  return Number.isFinite(n) && n > 0 ? n : 1;
}
