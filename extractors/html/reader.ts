/**
 * The production HTML reader: builds the same DocumentModel as the cheerio reader
 * (html/reference-cheerio.ts, the reference) in one pass over htmlparser2's callbacks, without a DOM.
 * htmlparser2's Parser already applies its implied-end-tag rules in the callbacks it makes (the DOM
 * handler cheerio uses only pushes on open and pops on close), so a stack of open elements sees the
 * tree the DOM would hold; each entry says how modelFromDom would read that element's children:
 *
 *   text   paragraph text (the walk outside tables)     cell   a cell's text
 *   rows   a table's own rows (tr, thead/tbody/tfoot)   row    a row's cells
 *   inrow  inside a row but not in a cell's text: only nested tables count
 *   none   nothing at all (skipped elements outside tables, non-row parts of a table)
 *
 * A table's grid is known only at its end tag, but its block and index are taken at its start
 * tag: modelFromDom numbers and lists tables in start-tag order, each before its nested ones.
 */
import { Parser } from 'htmlparser2';
import { bodyOf, decodeWith, detectCharset, isValidUtf8Body } from '../input/decode.js';
import { pruneMarkup } from './prune.js';
import { BLOCK_TAGS, SKIP_TAGS, cleanText, spanAttr } from './markup.js';
import {
  expandSpans,
  result,
  type Block,
  type DocumentModel,
  type InputFormat,
  type Message,
  type Result,
} from '../model.js';

interface Cell {
  readonly parts: string[];
  readonly rowspan: number;
  readonly colspan: number;
}

/** A table being read: where its block goes, and its printed rows so far. */
interface OpenTable {
  readonly walk: Walk;
  readonly index: number;
  readonly depth: number;
  readonly slot: number;
  readonly rows: Cell[][];
}

/** One walk of modelFromDom: over the whole document, or over its <body> once there is one. */
class Walk {
  readonly blocks: Block[] = [];
  readonly pending: string[] = [];
  private tableCount = 0;

  flush(): void {
    const text = cleanText(this.pending.join(''));
    this.pending.length = 0;
    for (const line of text.split('\n')) if (line) this.blocks.push({ kind: 'paragraph', text: line });
  }

  openTable(depth: number): OpenTable {
    const table = { walk: this, index: this.tableCount++, depth, slot: this.blocks.length, rows: [] };
    this.blocks.push(null as unknown as Block); // filled in at the end tag
    return table;
  }
}

function closeTable(t: OpenTable): void {
  const printed = t.rows.map((row) =>
    row.map((c) => ({ text: cleanText(c.parts.join('')), rowspan: c.rowspan, colspan: c.colspan })),
  );
  t.walk.blocks[t.slot] = { kind: 'table', grid: expandSpans(t.index, printed, t.depth) };
}

type Mode = 'text' | 'cell' | 'rows' | 'row' | 'inrow' | 'none';

interface Frame {
  readonly mode: Mode;
  /** The walk paragraph text belongs to (mode text). */
  readonly walk: Walk | null;
  /** The table whose own rows the element is in (modes rows, row, inrow, cell). */
  readonly table: OpenTable | null;
  /** The row whose cells are its children (mode row). */
  readonly row: Cell[] | null;
  /** Where text goes: the walk's pending text or a cell's parts (modes text and cell). */
  readonly sink: string[] | null;
  /** A block element: '\n' into the sink at its end tag. */
  readonly breakAtEnd: boolean;
  /** The table this element is, completed at its end tag. */
  readonly opens: OpenTable | null;
}

const frame = (mode: Mode, fields: Partial<Omit<Frame, 'mode'>> = {}): Frame => ({
  mode,
  walk: null,
  table: null,
  row: null,
  sink: null,
  breakAtEnd: false,
  opens: null,
  ...fields,
});

const NONE = frame('none');

/** A table modelFromDom visits: its rows are read, the rest of its content is not. */
function tableFrame(walk: Walk, depth: number): Frame {
  const t = walk.openTable(depth);
  return frame('rows', { table: t, opens: t });
}

/** An element ends: a block's line break, a table's grid. */
function endFrame(f: Frame): void {
  if (f.breakAtEnd) f.sink!.push('\n');
  if (f.opens) closeTable(f.opens);
}

/** How an element's children are read, given how its parent's are (modelFromDom's walk, visitTable, textOf). */
function childFrame(p: Frame, tag: string, attribs: Record<string, string>): Frame {
  switch (p.mode) {
    case 'none':
      return NONE;
    case 'text': {
      const walk = p.walk!;
      if (tag === 'table') {
        walk.flush();
        return tableFrame(walk, 0);
      }
      if (tag === 'br') walk.pending.push('\n');
      if (tag === 'br' || tag === 'title' || SKIP_TAGS.has(tag)) return NONE;
      if (!BLOCK_TAGS.has(tag)) return p.breakAtEnd ? frame('text', { walk, sink: p.sink }) : p;
      walk.pending.push('\n');
      return frame('text', { walk, sink: p.sink, breakAtEnd: true });
    }
    case 'rows':
      if (tag === 'tr') {
        const row: Cell[] = [];
        p.table!.rows.push(row);
        return frame('row', { table: p.table, row });
      }
      return tag === 'thead' || tag === 'tbody' || tag === 'tfoot' ? frame('rows', { table: p.table }) : NONE;
    case 'row':
      if (tag === 'td' || tag === 'th') {
        const cell: Cell = { parts: [], rowspan: spanAttr(attribs, 'rowspan'), colspan: spanAttr(attribs, 'colspan') };
        p.row!.push(cell);
        return frame('cell', { table: p.table, sink: cell.parts });
      }
      return tag === 'table' ? tableFrame(p.table!.walk, p.table!.depth + 1) : frame('inrow', { table: p.table });
    case 'inrow':
      return tag === 'table' ? tableFrame(p.table!.walk, p.table!.depth + 1) : p;
    case 'cell': {
      if (tag === 'table') return tableFrame(p.table!.walk, p.table!.depth + 1);
      if (tag === 'br') p.sink!.push('\n');
      if (tag === 'br' || SKIP_TAGS.has(tag)) return frame('inrow', { table: p.table });
      if (!BLOCK_TAGS.has(tag) && tag !== 'tr')
        return p.breakAtEnd ? frame('cell', { table: p.table, sink: p.sink }) : p;
      p.sink!.push('\n');
      return frame('cell', { table: p.table, sink: p.sink, breakAtEnd: true });
    }
  }
}

/** Reads markup in one streaming pass; the same model as readHtmlText (html/reference-cheerio.ts). */
export function readHtmlTextFast(html: string, format: InputFormat = 'html'): DocumentModel {
  // Attributes, comments and style sheets are most of a page and none of the model: pruned first.
  return readPrunedMarkup(pruneMarkup(html), format);
}

/** Reads markup already pruned (html/prune.ts). */
function readPrunedMarkup(html: string, format: InputFormat): DocumentModel {
  const whole = new Walk();
  let body: Walk | null = null;
  const root = frame('text', { walk: whole, sink: whole.pending });
  const stack: Frame[] = [];
  let top = root;
  // The first <title> within 3 levels, the first <body> within 2 (html/reference-cheerio.ts: findElement).
  let titleParts: string[] | null = null;
  let titleLevel = -1;
  let inTitle = false;

  const parser = new Parser(
    {
      onopentag(name, attribs) {
        const level = stack.length;
        let f: Frame;
        if (name === 'body' && body === null && level <= 2) {
          // Only the body is walked when there is one; the whole-document walk is dropped.
          body = new Walk();
          f = frame('text', { walk: body, sink: body.pending });
        } else {
          f = childFrame(top, name, attribs);
        }
        if (name === 'title' && titleLevel < 0 && level <= 3) {
          titleParts = [];
          titleLevel = level;
          inTitle = true;
        }
        stack.push(f);
        top = f;
      },
      ontext(data) {
        if (top.sink !== null) top.sink.push(data);
        if (inTitle) titleParts!.push(data);
      },
      onclosetag() {
        // The DOM handler pops one element per end (an end for a tag
        // cut off at the end of the input pops its parent early).
        const f = stack.pop();
        if (f === undefined) return;
        endFrame(f);
        if (stack.length === titleLevel) inTitle = false;
        top = stack.length > 0 ? stack[stack.length - 1] : root;
      },
    },
    { xmlMode: false, decodeEntities: true },
  );
  parser.end(html);
  while (stack.length > 0) endFrame(stack.pop()!); // the parser ends every open element; in case it did not
  const walk: Walk = body ?? whole;
  walk.flush();
  const title = titleParts === null ? undefined : cleanText((titleParts as string[]).join('')) || undefined;
  return { format, title, blocks: walk.blocks };
}

export function readHtmlFast(bytes: Uint8Array): Result<DocumentModel> {
  const messages: Message[] = [];
  const charset = detectCharset(bytes, messages);
  if (charset.charset !== 'utf-8')
    messages.push({ type: 'info', stage: 'decode', message: `charset ${charset.charset} (${charset.how})` });
  // Valid UTF-8 (nearly every page) is pruned as bytes, one latin1 character each, and only the
  // fifth that is kept is decoded; markup is ASCII, so the cuts fall between characters.
  const pruned = isValidUtf8Body(bytes, charset)
    ? Buffer.from(pruneMarkup(bodyOf(bytes, charset).toString('latin1')), 'latin1').toString('utf8')
    : pruneMarkup(decodeWith(bytes, charset));
  return result(readPrunedMarkup(pruned, 'html'), messages);
}
