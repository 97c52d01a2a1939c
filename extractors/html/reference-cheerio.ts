/**
 * The reference HTML reader, on cheerio: markup → DocumentModel (paragraphs and tables in
 * reading order). Not the production path (html/reader.ts, which the equivalence tests hold to
 * this one); it also reads the HTML mammoth writes for a DOCX (docx/reference-mammoth.ts, the
 * DOCX fallback), so both share one table walker. Loaded only by those, never by a worker
 * reading HTML.
 */

import * as cheerio from 'cheerio';
import type { AnyNode, Element } from 'domhandler';
import { decodeText } from '../input/decode.js';
import { BLOCK_TAGS, SKIP_TAGS, cleanText, spanAttr } from './markup.js';
import {
  expandSpans,
  result,
  type Block,
  type DocumentModel,
  type Grid,
  type InputFormat,
  type Message,
  type Result,
} from '../model.js';

export function isElement(node: AnyNode): node is Element {
  return node.type === 'tag' || node.type === 'script' || node.type === 'style';
}

/** Text of a node, with block boundaries and <br> as line breaks; nested tables excluded. */
function textOf(node: AnyNode, out: string[]): void {
  if (node.type === 'text') {
    out.push((node as unknown as { data: string }).data);
    return;
  }
  if (!isElement(node)) return;
  const tag = node.name.toLowerCase();
  if (SKIP_TAGS.has(tag) || tag === 'table') return;
  if (tag === 'br') {
    out.push('\n');
    return;
  }
  const block = BLOCK_TAGS.has(tag) || tag === 'tr';
  if (block) out.push('\n');
  for (const child of node.children) textOf(child, out);
  if (block) out.push('\n');
}

function cellText(node: Element): string {
  const parts: string[] = [];
  for (const child of node.children) textOf(child, parts);
  return cleanText(parts.join(''));
}

/** The rows of a table element, not those of tables nested in its cells. */
export function ownRows(table: Element): Element[] {
  const rows: Element[] = [];
  const visit = (el: Element) => {
    for (const child of el.children) {
      if (!isElement(child)) continue;
      const tag = child.name.toLowerCase();
      if (tag === 'tr') rows.push(child);
      else if (tag === 'thead' || tag === 'tbody' || tag === 'tfoot') visit(child);
    }
  };
  visit(table);
  return rows;
}

function tableGrid(table: Element, index: number, depth: number): Grid {
  const printed = ownRows(table).map((tr) =>
    tr.children
      .filter((c): c is Element => isElement(c) && (c.name === 'td' || c.name === 'th'))
      .map((td) => ({
        text: cellText(td),
        rowspan: spanAttr(td.attribs, 'rowspan'),
        colspan: spanAttr(td.attribs, 'colspan'),
      })),
  );
  return expandSpans(index, printed, depth);
}

/**
 * Walks the DOM in reading order: text outside tables becomes paragraphs, every table a grid
 * (with its nesting depth; nested tables follow their parent, whose cells exclude their text).
 */
export function modelFromDom(root: AnyNode[], format: InputFormat, title?: string): DocumentModel {
  const blocks: Block[] = [];
  let pending: string[] = [];
  let tableCount = 0;
  const flush = () => {
    const text = cleanText(pending.join(''));
    pending = [];
    for (const line of text.split('\n')) if (line) blocks.push({ kind: 'paragraph', text: line });
  };
  const tablesInside = (el: Element, depth: number) => {
    for (const child of el.children) {
      if (!isElement(child)) continue;
      if (child.name === 'table') visitTable(child, depth);
      else tablesInside(child, depth);
    }
  };
  const visitTable = (table: Element, depth: number) => {
    blocks.push({ kind: 'table', grid: tableGrid(table, tableCount++, depth) });
    for (const tr of ownRows(table)) tablesInside(tr, depth + 1);
  };
  const walk = (node: AnyNode) => {
    if (node.type === 'text') {
      pending.push((node as unknown as { data: string }).data);
      return;
    }
    if (!isElement(node)) {
      if ('children' in node) for (const c of (node as unknown as { children: AnyNode[] }).children) walk(c);
      return;
    }
    const tag = node.name.toLowerCase();
    if (SKIP_TAGS.has(tag) || tag === 'title') return;
    if (tag === 'table') {
      flush();
      visitTable(node, 0);
      return;
    }
    if (tag === 'br') {
      pending.push('\n');
      return;
    }
    const block = BLOCK_TAGS.has(tag);
    if (block) pending.push('\n');
    for (const child of node.children) walk(child);
    if (block) pending.push('\n');
  };
  for (const node of root) walk(node);
  flush();
  return { format, title, blocks };
}

/** The first element named `tag` within `depth` levels (title and body sit near the top). */
export function findElement(nodes: AnyNode[], tag: string, depth: number): Element | null {
  for (const n of nodes) {
    if (!isElement(n)) continue;
    if (n.name.toLowerCase() === tag) return n;
    if (depth > 0) {
      const hit = findElement(n.children, tag, depth - 1);
      if (hit) return hit;
    }
  }
  return null;
}

export function readHtmlText(html: string, format: InputFormat = 'html'): DocumentModel {
  // htmlparser2 (not parse5): much faster on real pages (measured: docs/performance.md), and lenient with
  // broken markup.
  const $ = cheerio.load(html, { xml: { xmlMode: false, decodeEntities: true } });
  const root = $.root().get(0) as unknown as { children: AnyNode[] };
  const titleEl = findElement(root.children, 'title', 3);
  const title = titleEl ? cleanText($(titleEl).text()) || undefined : undefined;
  const body = findElement(root.children, 'body', 2);
  return modelFromDom(body ? [body] : root.children, format, title);
}

export function readHtml(bytes: Uint8Array): Result<DocumentModel> {
  const messages: Message[] = [];
  const decoded = decodeText(bytes, messages);
  if (decoded.charset !== 'utf-8')
    messages.push({ type: 'info', stage: 'decode', message: `charset ${decoded.charset} (${decoded.how})` });
  return result(readHtmlText(decoded.text), messages);
}
