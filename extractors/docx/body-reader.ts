/**
 * The body reader of the production DOCX reader: word/document.xml, streamed through the
 * tokenizer (docx/xml-tokenizer.ts), read as mammoth's body reader reads it (see
 * node_modules/mammoth/lib/docx/body-reader.js) into the same DocumentModel as the mammoth
 * reader (docx/reference-mammoth.ts), without mammoth's document tree, HTML and DOM. What it
 * cannot reproduce faithfully it refuses, so the caller falls back to mammoth.
 */
import { cleanText } from '../html/markup.js';
import { expandSpans, type Block, type DocumentModel } from '../model.js';
import { characterData, refuse, XmlScanner, type XmlHandler } from './xml-tokenizer.js';

/** cleanText, skipped when there is nothing for it to change (most cells). */
function clean(text: string): string {
  return /[\s\u00a0\u3000\u200b\ufeff]/.test(text) ? cleanText(text) : text;
}

/** Elements mammoth reads the children of, in place. */
const WRAPPERS = new Set([
  'w:ins',
  'w:customXml',
  'w:smartTag',
  'w:moveTo',
  'w:moveFromRangeStart',
  'w:moveFromRangeEnd',
  'w:moveToRangeStart',
  'w:moveToRangeEnd',
]);
/** Elements mammoth reads the children of, that may only hold inline content. */
const INLINE = new Set([
  'w:r',
  'w:hyperlink',
  'w:object',
  'v:roundrect',
  'v:shape',
  'v:textbox',
  'w:txbxContent',
  'v:group',
  'v:rect',
]);
/** Every element mammoth has a reader for; anything else it drops with its content. */
const KNOWN = new Set([
  ...WRAPPERS,
  ...INLINE,
  'w:p',
  'w:fldChar',
  'w:instrText',
  'w:t',
  'w:tab',
  'w:noBreakHyphen',
  'w:softHyphen',
  'w:sym',
  'w:tbl',
  'w:tr',
  'w:tc',
  'w:footnoteReference',
  'w:endnoteReference',
  'w:commentReference',
  'w:br',
  'w:bookmarkStart',
  'mc:AlternateContent',
  'w:sdt',
  'w:drawing',
  'w:pict',
  'wp:inline',
  'wp:anchor',
  'v:imagedata',
]);
/** Where mammoth's output for these would differ from plain text in place. */
const REFUSED = new Map([
  ['w:sym', 'w:sym (symbol font character)'],
  ['w:footnoteReference', 'footnotes'],
  ['w:endnoteReference', 'endnotes'],
  ['w:altChunk', 'w:altChunk (imported document)'],
  ['w:tr', 'w:tr outside a table'],
  ['w:tc', 'w:tc outside a table row'],
]);
const TEXT_ELEMENTS = new Map([
  ['w:tab', '\t'],
  ['w:noBreakHyphen', '\u2011'],
  ['w:softHyphen', '\u00ad'],
]);

/** Somewhere text and paragraphs are written to: the body, a paragraph, a text box, a cell. */
interface Holder {
  readonly out: string[];
}

interface Paragraph extends Holder {
  /** Content of w:pict text boxes: mammoth places it after the paragraph. */
  readonly extras: string[];
  deleted: boolean;
}

interface Cell extends Holder {
  /** The table the cell is in. */
  readonly table: Table;
  colSpan: number;
  /** mammoth's _vMerge: true for a continuation, false for a restart, null when absent. */
  vMerge: boolean | null;
  text: string;
  rowSpan: number;
  /** A vertical-merge continuation: mammoth drops it, content and nested tables too. */
  mergedAway: boolean;
}

interface Row {
  readonly cells: Cell[];
  deleted: boolean;
}

interface Table {
  readonly depth: number;
  /** The cell holding it, for a nested table. */
  readonly inCell: Cell | null;
  readonly rows: Cell[][];
}

/** Whether mammoth drops the table with a cell it sits in. */
function dropped(table: Table): boolean {
  return table.inCell !== null && (table.inCell.mergedAway || dropped(table.inCell.table));
}

/** What an element's children inherit. */
interface Inherited {
  /** What the children may be: content, rows of `table`, cells of `row`. */
  ctx: 'content' | 'table' | 'row';
  holder: Holder;
  /** Innermost open paragraph. */
  para: Paragraph | null;
  /** Inside a run, hyperlink or shape: a table cannot start here. */
  inline: boolean;
  table: Table | null;
  row: Row | null;
  cell: Cell | null;
}

/** An open element. */
class Frame implements Inherited {
  ctx: Inherited['ctx'];
  holder: Holder;
  para: Paragraph | null;
  inline: boolean;
  table: Table | null;
  row: Row | null;
  cell: Cell | null;
  /** mc:AlternateContent and mc:Fallback: the frame the fallback's children count as children of. */
  owner: Frame | null = null;
  /** w:p: where it writes its text when it ends. */
  outer: Holder | null = null;
  /** Names of children seen, for mammoth's "first child named ..." lookups. */
  seen: Set<string> | null = null;
  /** w:t: its character data, raw. */
  text: string | null = null;

  constructor(
    readonly kind: string,
    from: Inherited,
  ) {
    this.ctx = from.ctx;
    this.holder = from.holder;
    this.para = from.para;
    this.inline = from.inline;
    this.table = from.table;
    this.row = from.row;
    this.cell = from.cell;
  }
}

/** Reads mammoth's way: text and paragraphs in reading order, tables as printed rows. */
export class BodyReader implements XmlHandler {
  wantsText = false;
  private readonly scanner = new XmlScanner();
  /** Paragraphs, and tables in the order they start (nested ones after their parent). */
  private readonly blocks: (Block | Table)[] = [];
  private readonly body: Holder = { out: [] };
  private readonly stack: Frame[];
  private openTables = 0;
  /**
   * Content of deleted paragraphs: mammoth reads their XML again as the start of the next
   * paragraph it enters (in reading order, which streaming keeps), text boxes included.
   */
  private carried: { text: string; extras: string[] } | null = null;
  private sawBody = false;

  constructor() {
    this.stack = [
      new Frame('#document', {
        ctx: 'content',
        holder: this.body,
        para: null,
        inline: false,
        table: null,
        row: null,
        cell: null,
      }),
    ];
  }

  read(xml: string): DocumentModel {
    this.scanner.run(xml, this);
    if (!this.sawBody) refuse('no w:body');
    this.flushBody();
    return { format: 'docx', title: undefined, blocks: this.finalBlocks() };
  }

  text(raw: string): void {
    const t = this.top();
    if (t.text !== null) refuse('w:t split by markup');
    t.text = raw;
  }

  markup(): void {
    refuse('markup inside w:t');
  }

  open(name: string, attrs: string): boolean {
    const top = this.top();
    const parent = top.kind === 'mc:Fallback' ? top.owner! : top;
    if (parent.kind === 'w:t') refuse('element inside w:t');
    if (name === 'mc:AlternateContent') return this.push(parent, name, { owner: parent });
    switch (parent.kind) {
      case '#document':
        return this.push(parent, 'root');
      case 'root':
        if (name !== 'w:body' || !this.first(parent, name)) return false;
        this.sawBody = true;
        return this.push(parent, name);
      case 'mc:AlternateContent':
        return name === 'mc:Fallback' && this.first(parent, name) && this.push(parent, name, { owner: parent.owner });
      case 'w:sdt':
        if (name === 'w:sdtPr' && this.first(parent, name)) return this.mentions('checkbox') && this.push(parent, name);
        if (name === 'w:sdtContent' && this.first(parent, name)) return this.push(parent, name);
        return false;
      case 'w:sdtPr':
        if (name === 'wordml:checkbox') refuse('check box content control');
        return false;
      case 'w:pPr':
        return name === 'w:rPr' && this.first(parent, name) && this.push(parent, 'pPr/rPr');
      case 'pPr/rPr':
        if (name === 'w:del') parent.para!.deleted = true;
        return false;
      case 'w:trPr':
        if (name === 'w:del') this.deleteRow(parent.row!);
        return false;
      case 'w:tcPr':
        this.cellProperty(parent, name, attrs);
        return false;
      case 'w:tr':
        if (parent.row!.deleted) return false; // mammoth drops the row unread
        if (name === 'w:trPr' && this.first(parent, name)) return this.mentions('del') && this.push(parent, name);
        break;
      case 'w:p':
        if (name === 'w:pPr' && this.first(parent, name)) return this.mentions('del') && this.push(parent, name);
        break;
      case 'w:tc':
        if (name === 'w:tcPr' && this.first(parent, name))
          return this.mentions('gridSpan', 'vMerge') && this.push(parent, name);
        break;
    }
    return parent.ctx === 'content' ? this.openContent(parent, name, attrs) : this.openInTable(parent, name, attrs);
  }

  close(): void {
    const f = this.stack.pop()!;
    this.wantsText = this.top().kind === 'w:t';
    switch (f.kind) {
      case 'w:t':
        f.holder.out.push(characterData(f.text ?? ''));
        break;
      case 'w:p':
        this.closeParagraph(f.para!, f.outer!);
        break;
      case 'w:pict':
        f.para!.extras.push(...f.holder.out);
        break;
      case 'w:tc':
        f.cell!.text = clean(f.cell!.out.join(''));
        f.row!.cells.push(f.cell!);
        break;
      case 'w:tr':
        if (!f.row!.deleted) f.table!.rows.push(f.row!.cells);
        break;
      case 'w:tbl':
        this.openTables--;
        break;
    }
  }

  private openContent(parent: Frame, name: string, attrs: string): boolean {
    const refused = REFUSED.get(name);
    if (refused) refuse(refused);
    const text = TEXT_ELEMENTS.get(name);
    if (text) {
      parent.holder.out.push(text);
      return false;
    }
    switch (name) {
      case 'w:p':
        return this.openParagraph(parent);
      case 'w:t':
        return this.push(parent, name);
      case 'w:br': {
        const type = this.scanner.attr(attrs, 'w:type');
        if (type === undefined || type === 'textWrapping') parent.holder.out.push('\n'); // page and column breaks print nothing
        return false;
      }
      case 'w:tbl':
        return this.openTable(parent);
      case 'w:pict':
        // mammoth moves a text box's content after the paragraph holding it.
        if (!parent.para) refuse('w:pict outside a paragraph');
        return this.push(parent, name, { holder: { out: [] }, inline: true });
      case 'w:sdt':
        return this.push(parent, name);
    }
    if (WRAPPERS.has(name)) return this.push(parent, name);
    if (INLINE.has(name)) return this.push(parent, name, { inline: true });
    return false; // no text: images, fields, bookmarks, properties; or an element mammoth drops
  }

  /** Inside w:tbl or w:tr mammoth expects rows or cells only; anything else upsets its merging. */
  private openInTable(parent: Frame, name: string, attrs: string): boolean {
    if (parent.ctx === 'table' && name === 'w:tr') {
      return this.push(parent, name, { ctx: 'row', row: { cells: [], deleted: false } });
    }
    if (parent.ctx === 'row' && name === 'w:tc') {
      const cell: Cell = {
        out: [],
        table: parent.table!,
        colSpan: 1,
        vMerge: null,
        text: '',
        rowSpan: 1,
        mergedAway: false,
      };
      return this.push(parent, name, { ctx: 'content', holder: cell, cell, para: null, inline: false });
    }
    if (WRAPPERS.has(name) || name === 'w:sdt') return this.push(parent, name);
    if (name === 'w:bookmarkStart' && this.scanner.attr(attrs, 'w:name') === '_GoBack') return false;
    if (KNOWN.has(name))
      refuse(
        `${name} directly inside a table ${parent.ctx === 'table' ? '' : 'row '}(mammoth: cell merging may be incorrect)`,
      );
    return false;
  }

  private openParagraph(parent: Frame): boolean {
    const carried = this.carried;
    const para: Paragraph = {
      out: carried ? [carried.text] : [],
      extras: carried ? carried.extras : [],
      deleted: false,
    };
    this.carried = null;
    return this.push(parent, 'w:p', { holder: para, para, outer: parent.holder });
  }

  private closeParagraph(para: Paragraph, outer: Holder): void {
    if (para.deleted) {
      // A deleted paragraph inside this one: mammoth would read it only once this one is consumed.
      if (this.carried) refuse('deleted paragraph inside a deleted paragraph');
      this.carried = { text: para.out.join(''), extras: para.extras };
      return;
    }
    outer.out.push('\n', ...para.out, '\n', ...para.extras);
  }

  private openTable(parent: Frame): boolean {
    if (parent.para || parent.inline) refuse('table inside a paragraph or text box');
    if (parent.holder === this.body) this.flushBody();
    const table: Table = { depth: this.openTables++, inCell: parent.cell, rows: [] };
    this.blocks.push(table);
    return this.push(parent, 'w:tbl', { ctx: 'table', table });
  }

  /** Tables as grids numbered in order, without those mammoth drops with a merged cell. */
  private finalBlocks(): Block[] {
    const printed = new Map<Table, ReturnType<typeof printedRows>>();
    for (const b of this.blocks) if ('rows' in b) printed.set(b, printedRows(b.rows)); // marks merged cells
    let index = 0;
    return this.blocks
      .filter((b) => !('rows' in b && dropped(b)))
      .map((b) => ('rows' in b ? { kind: 'table', grid: expandSpans(index++, printed.get(b)!, b.depth) } : b));
  }

  private deleteRow(row: Row): void {
    if (row.cells.length > 0) refuse('row deleted after its cells');
    row.deleted = true;
  }

  private cellProperty(tcPr: Frame, name: string, attrs: string): void {
    if ((name !== 'w:gridSpan' && name !== 'w:vMerge') || !this.first(tcPr, name)) return;
    const cell = tcPr.cell!;
    const val = this.scanner.attr(attrs, 'w:val');
    if (name === 'w:gridSpan') cell.colSpan = val ? parseInt(val, 10) : 1;
    else cell.vMerge = val === 'continue' || !val;
  }

  /** Text outside tables becomes paragraphs, one per non-empty line (as modelFromDom does). */
  private flushBody(): void {
    const text = clean(this.body.out.join(''));
    this.body.out.length = 0;
    for (const line of text.split('\n')) if (line) this.blocks.push({ kind: 'paragraph', text: line });
  }

  /** Property elements are read only when their XML mentions what is looked for in them. */
  private mentions(...words: string[]): boolean {
    const raw = this.scanner.peekContent();
    return raw === null || words.some((w) => raw.includes(w));
  }

  private top(): Frame {
    return this.stack[this.stack.length - 1];
  }

  private first(frame: Frame, name: string): boolean {
    frame.seen ??= new Set();
    if (frame.seen.has(name)) return false;
    frame.seen.add(name);
    return true;
  }

  private push(parent: Frame, kind: string, own?: Partial<Frame>): true {
    const frame = new Frame(kind, parent);
    if (own) Object.assign(frame, own);
    this.stack.push(frame);
    this.wantsText = kind === 'w:t';
    return true;
  }
}

/** mammoth's calculateRowSpans, then the spans as the HTML table walker reads them back. */
function printedRows(rows: Cell[][]): { text: string; rowspan: number; colspan: number }[][] {
  const columnOwners = new Map<number, Cell>();
  for (const row of rows) {
    let col = 0;
    for (const cell of row) {
      const owner = cell.vMerge ? columnOwners.get(col) : undefined;
      if (owner) {
        owner.rowSpan++;
        cell.mergedAway = true;
      } else {
        columnOwners.set(col, cell);
      }
      col += cell.colSpan;
    }
  }
  return rows.map((row) =>
    row.filter((c) => !c.mergedAway).map((c) => ({ text: c.text, rowspan: c.rowSpan, colspan: htmlSpan(c.colSpan) })),
  );
}

/** A span as mammoth writes it into HTML and the walker parses it back (NaN, 0, -1 → 1). */
function htmlSpan(span: number): number {
  const n = parseInt(String(span), 10);
  return Number.isFinite(n) && n > 0 ? n : 1;
}
