/**
 * Fast DOCX reader: one streaming pass over word/document.xml that builds the same
 * DocumentModel as the mammoth reader (docx.ts), without mammoth's document tree, HTML
 * and DOM. It reads exactly what mammoth's body reader reads (see
 * node_modules/mammoth/lib/docx/body-reader.js) and refuses — so the caller falls back to
 * mammoth — whatever it cannot reproduce faithfully.
 *
 * The XML is scanned by a small tokenizer rather than saxes: on report-sized documents
 * (200–400 KB of XML) saxes alone, with empty handlers, manages ~130 documents/s.
 */
import { strFromU8, unzipSync } from 'fflate';
import { inflateEntries, unzipEntries, ZipBombError } from './zip.js';
import { padGridBefore } from './grid-before.js';
import { cleanText } from './markup.js';
import { expandSpans, result, StageError, type Block, type DocumentModel, type Message, type Result } from './model.js';

const DOCUMENT_PART = 'word/document.xml';
const PACKAGE_RELS = '_rels/.rels';
const OFFICE_DOCUMENT_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument';

/** Why the fast reader handed a document back. */
class Refusal extends Error {}

function refuse(why: string): never {
  throw new Refusal(why);
}

// ------------------------------------------------------------------ XML scanning

/** Namespaces mammoth names elements by (whatever prefix the document uses). */
const NAMESPACES = new Map([
  ['http://schemas.openxmlformats.org/wordprocessingml/2006/main', 'w'],
  ['http://purl.oclc.org/ooxml/wordprocessingml/main', 'w'],
  ['http://schemas.openxmlformats.org/officeDocument/2006/relationships', 'r'],
  ['http://purl.oclc.org/ooxml/officeDocument/relationships', 'r'],
  ['http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing', 'wp'],
  ['http://purl.oclc.org/ooxml/drawingml/wordprocessingDrawing', 'wp'],
  ['http://schemas.openxmlformats.org/markup-compatibility/2006', 'mc'],
  ['urn:schemas-microsoft-com:vml', 'v'],
  ['urn:schemas-microsoft-com:office:word', 'office-word'],
  ['http://schemas.microsoft.com/office/word/2010/wordml', 'wordml'],
]);

interface XmlHandler {
  /** True while the handler wants the character data of the current element. */
  readonly wantsText: boolean;
  /** An element starts; return true to get its content and its end, false to skip it. */
  open(name: string, attrs: string): boolean;
  close(): void;
  /** Character data, raw (entities not decoded). */
  text(raw: string): void;
  /** A comment, CDATA section or processing instruction where text is wanted. */
  markup(): void;
}

// The rest of a start tag after its name: attributes (quoted values may hold '>'), then '>'.
const TAG_REST = /[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*>/y;
const ATTRIBUTE = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
const ENTITY = /&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g;
const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(raw: string): string {
  if (!raw.includes('&')) return raw;
  const decoded = raw.replace(ENTITY, (_, ref: string) => {
    if (ref[0] !== '#') return NAMED_ENTITIES[ref];
    const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    if (code > 0x10ffff) refuse('bad character reference');
    return String.fromCodePoint(code);
  });
  if (raw.replace(ENTITY, '').includes('&')) refuse('unknown XML entity');
  return decoded;
}

/** Where the element name starting at `from` ends: white space, '/' or '>'. */
function nameEndAt(xml: string, from: number): number {
  let at = from;
  for (; at < xml.length; at++) {
    const c = xml.charCodeAt(at);
    if (c === 0x20 || c === 0x3e || c === 0x2f || c === 0x0a || c === 0x09 || c === 0x0d) break;
  }
  if (at === from || at === xml.length) refuse('malformed XML (bad start tag)');
  return at;
}

/** Position after the end tag at `lt`, which must close `name`. */
function closeTagEnd(xml: string, lt: number, name: string | undefined): number {
  const at = lt + 2 + (name?.length ?? 0);
  if (name !== undefined && xml.startsWith(name, lt + 2)) {
    if (xml.charCodeAt(at) === 0x3e /* > */) return at + 1;
    const gt = xml.indexOf('>', at);
    if (gt > 0 && xml.slice(at, gt).trim() === '') return gt + 1;
  }
  refuse('malformed XML (tags do not nest)');
}

/**
 * The text of a w:t. The document is scanned as latin1 (one char per byte: all markup is ASCII,
 * and one-byte strings scan fast), so its character data is decoded from UTF-8 here.
 */
function characterData(raw: string): string {
  let text = /[^\x00-\x7f]/.test(raw) ? Buffer.from(raw, 'latin1').toString('utf8') : raw;
  // xmldom (mammoth's parser) first normalises line ends, NEL and LINE SEPARATOR in the source.
  if (/[\r\u0085\u2028]/.test(text)) text = text.replace(/\r[\n\u0085]/g, '\n').replace(/[\r\u0085\u2028]/g, '\n');
  return decodeEntities(text);
}

/**
 * A minimal streaming XML tokenizer: elements, attributes, namespaces, comments, CDATA and
 * processing instructions. It checks that the tags it reports nest (skipped elements are
 * only counted through); a DTD, an unknown entity or a broken tag is refused.
 */
class XmlScanner {
  /** prefix → namespace URI; scopes chain through prototypes. */
  private ns: Record<string, string> = Object.assign(Object.create(null), { xml: 'http://www.w3.org/XML/1998/namespace' });
  private scopes: { depth: number; ns: Record<string, string> }[] = [];
  private names = new Map<string, string>();
  private xml = '';
  /** No comments, CDATA or PIs past the XML declaration: skipped content is only tags and text. */
  private plain = false;
  /** The element being opened: where its content starts, where it ends once known. */
  private current = { from: 0, empty: false, end: -1 };

  run(xml: string, handler: XmlHandler): void {
    this.xml = xml;
    const prolog = xml.startsWith('<?xml') ? xml.indexOf('?>') + 2 : 0;
    this.plain = xml.indexOf('<!', prolog) < 0 && xml.indexOf('<?', prolog) < 0;
    const open: string[] = [];
    let skipFrom = -1; // depth of the element being skipped, -1 when reading
    let i = 0;
    for (;;) {
      const lt = xml.indexOf('<', i);
      if (lt < 0) break;
      if (lt > i && skipFrom < 0 && handler.wantsText) handler.text(xml.slice(i, lt));
      const next = xml.charCodeAt(lt + 1);
      if (next === 0x2f /* / */) {
        i = closeTagEnd(xml, lt, open.pop());
        if (skipFrom >= 0) {
          if (open.length === skipFrom) skipFrom = -1;
          continue;
        }
        this.leaveScope(open.length);
        handler.close();
      } else if (next === 0x21 /* ! */ || next === 0x3f /* ? */) {
        i = this.skipMarkup(xml, lt);
        if (skipFrom < 0 && handler.wantsText) handler.markup();
      } else {
        const nameEnd = nameEndAt(xml, lt + 1);
        const gt = xml.charCodeAt(nameEnd) === 0x3e /* > */ ? nameEnd : this.startTagEnd(xml, nameEnd);
        const empty = xml.charCodeAt(gt - 1) === 0x2f; /* / */
        const raw = xml.slice(lt + 1, nameEnd);
        i = gt + 1;
        if (skipFrom >= 0) {
          if (!empty) open.push(raw);
          continue;
        }
        const attrs = nameEnd < gt - 1 ? xml.slice(nameEnd, empty ? gt - 1 : gt) : '';
        if (attrs.length > 5 && attrs.includes('xmlns')) this.enterScope(attrs, open.length);
        const current = this.current;
        current.from = i;
        current.empty = empty;
        current.end = -1;
        const read = handler.open(this.resolve(raw), attrs);
        if (empty) {
          if (read) handler.close();
          this.leaveScope(open.length);
        } else if (read) {
          open.push(raw);
        } else {
          this.leaveScope(open.length);
          if (this.plain) {
            i = current.end >= 0 ? current.end : this.skipContent(xml, i);
          } else {
            skipFrom = open.length;
            open.push(raw);
          }
        }
      }
    }
    if (open.length > 0) refuse('malformed XML (unclosed element)');
  }

  /** Position after the end of the element whose content starts at `from` (plain documents only). */
  private skipContent(xml: string, from: number): number {
    let depth = 1;
    let i = from;
    while (depth > 0) {
      const lt = xml.indexOf('<', i);
      if (lt < 0) refuse('malformed XML (unclosed element)');
      const gt = xml.charCodeAt(lt + 1) === 0x2f /* / */ ? xml.indexOf('>', lt) : this.startTagEnd(xml, lt + 1);
      if (gt < 0) refuse('malformed XML (unclosed tag)');
      if (xml.charCodeAt(lt + 1) === 0x2f) depth--;
      else if (xml.charCodeAt(gt - 1) !== 0x2f) depth++;
      i = gt + 1;
    }
    return i;
  }

  /** Position of the '>' ending a start tag whose attributes start at `from` ('>' may be quoted). */
  private startTagEnd(xml: string, from: number): number {
    TAG_REST.lastIndex = from;
    if (!TAG_REST.test(xml)) refuse('malformed XML (bad start tag)');
    return TAG_REST.lastIndex - 1;
  }

  /**
   * The raw XML inside the element being opened (with its end tag), for a quick look before
   * reading it; null when it cannot be cut out cheaply.
   */
  peekContent(): string | null {
    const el = this.current;
    if (el.empty) return '';
    if (!this.plain) return null;
    if (el.end < 0) el.end = this.skipContent(this.xml, el.from);
    return this.xml.slice(el.from, el.end);
  }

  /** The value of attribute `name` (mammoth's form, e.g. 'w:val') in a start tag's attributes. */
  attr(attrs: string, name: string): string | undefined {
    for (const m of attrs.matchAll(ATTRIBUTE)) {
      if (m[1] === 'xmlns' || m[1].startsWith('xmlns:')) continue;
      const resolved = m[1].includes(':') ? this.resolve(m[1]) : m[1];
      if (resolved === name) return decodeEntities(m[2] ?? m[3]);
    }
    return undefined;
  }

  private skipMarkup(xml: string, lt: number): number {
    const [close, what] = xml.startsWith('<!--', lt)
      ? ['-->', 'comment']
      : xml.startsWith('<![CDATA[', lt)
        ? [']]>', 'CDATA section']
        : xml.startsWith('<?', lt)
          ? ['?>', 'processing instruction']
          : refuse('document type declaration');
    const end = xml.indexOf(close, lt + 2);
    if (end < 0) refuse(`malformed XML (unterminated ${what})`);
    return end + close.length;
  }

  /** Element or attribute name as mammoth spells it: mapped prefix, or {uri}local. */
  private resolve(qname: string): string {
    let name = this.names.get(qname);
    if (name === undefined) {
      const colon = qname.indexOf(':');
      const prefix = colon < 0 ? '' : qname.slice(0, colon);
      const local = qname.slice(colon + 1);
      const uri = this.ns[prefix];
      if (uri === undefined && prefix) refuse(`undeclared namespace prefix ${prefix}`);
      const known = uri ? NAMESPACES.get(uri) : undefined;
      name = !uri ? local : known ? `${known}:${local}` : `{${uri}}${local}`;
      name = Object.keys({ [name]: 0 })[0]; // interned, so comparing it with literals is quick
      this.names.set(qname, name);
    }
    return name;
  }

  private enterScope(attrs: string, depth: number): void {
    let ns: Record<string, string> | null = null;
    for (const m of attrs.matchAll(ATTRIBUTE)) {
      if (m[1] !== 'xmlns' && !m[1].startsWith('xmlns:')) continue;
      ns ??= Object.create(this.ns) as Record<string, string>;
      ns[m[1] === 'xmlns' ? '' : m[1].slice(6)] = decodeEntities(m[2] ?? m[3]);
    }
    if (!ns) return;
    this.scopes.push({ depth, ns: this.ns });
    this.ns = ns;
    this.names = new Map();
  }

  private leaveScope(depth: number): void {
    const scope = this.scopes[this.scopes.length - 1];
    if (scope?.depth !== depth) return;
    this.scopes.pop();
    this.ns = scope.ns;
    this.names = new Map();
  }
}

// ------------------------------------------------------------------ mammoth's body reader

/** cleanText, skipped when there is nothing for it to change (most cells). */
function clean(text: string): string {
  return /[\s\u00a0\u3000\u200b\ufeff]/.test(text) ? cleanText(text) : text;
}

/** Elements mammoth reads the children of, in place. */
const WRAPPERS = new Set([
  'w:ins', 'w:customXml', 'w:smartTag', 'w:moveTo',
  'w:moveFromRangeStart', 'w:moveFromRangeEnd', 'w:moveToRangeStart', 'w:moveToRangeEnd',
]);
/** Elements mammoth reads the children of, that may only hold inline content. */
const INLINE = new Set(['w:r', 'w:hyperlink', 'w:object', 'v:roundrect', 'v:shape', 'v:textbox', 'w:txbxContent', 'v:group', 'v:rect']);
/** Every element mammoth has a reader for; anything else it drops with its content. */
const KNOWN = new Set([
  ...WRAPPERS, ...INLINE,
  'w:p', 'w:fldChar', 'w:instrText', 'w:t', 'w:tab', 'w:noBreakHyphen', 'w:softHyphen', 'w:sym', 'w:tbl', 'w:tr', 'w:tc',
  'w:footnoteReference', 'w:endnoteReference', 'w:commentReference', 'w:br', 'w:bookmarkStart', 'mc:AlternateContent',
  'w:sdt', 'w:drawing', 'w:pict', 'wp:inline', 'wp:anchor', 'v:imagedata',
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
class BodyReader implements XmlHandler {
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
    this.stack = [new Frame('#document', { ctx: 'content', holder: this.body, para: null, inline: false, table: null, row: null, cell: null })];
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
        if (name === 'w:tcPr' && this.first(parent, name)) return this.mentions('gridSpan', 'vMerge') && this.push(parent, name);
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
      const cell: Cell = { out: [], table: parent.table!, colSpan: 1, vMerge: null, text: '', rowSpan: 1, mergedAway: false };
      return this.push(parent, name, { ctx: 'content', holder: cell, cell, para: null, inline: false });
    }
    if (WRAPPERS.has(name) || name === 'w:sdt') return this.push(parent, name);
    if (name === 'w:bookmarkStart' && this.scanner.attr(attrs, 'w:name') === '_GoBack') return false;
    if (KNOWN.has(name)) refuse(`${name} directly inside a table ${parent.ctx === 'table' ? '' : 'row '}(mammoth: cell merging may be incorrect)`);
    return false;
  }

  private openParagraph(parent: Frame): boolean {
    const carried = this.carried;
    const para: Paragraph = { out: carried ? [carried.text] : [], extras: carried ? carried.extras : [], deleted: false };
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

// ------------------------------------------------------------------ entry points

/** The main document part mammoth would read, when the package relationships name one. */
function mainDocumentTargets(rels: string): string[] {
  const targets: string[] = [];
  for (const m of rels.matchAll(/<(?:\w+:)?Relationship\b([^>]*)>/g)) {
    const attr = (name: string) => new RegExp(`\\b${name}\\s*=\\s*["']([^"']*)["']`).exec(m[1])?.[1];
    if (attr('Type') === OFFICE_DOCUMENT_REL) targets.push((attr('Target') ?? '').replace(/^\//, ''));
  }
  return targets;
}

/** `unreadable`: no reader can read it (a zip bomb); else mammoth may. */
type FastRead = { model: DocumentModel } | { refused: string; unreadable?: true };

const WANTED_PARTS: ReadonlySet<string> = new Set([DOCUMENT_PART, PACKAGE_RELS]);

/** word/document.xml and the package relationships, or why the fast reader cannot have them. */
function wantedParts(bytes: Uint8Array): { parts: Record<string, Uint8Array> } | { refused: string; unreadable?: true } {
  try {
    return { parts: unzipEntries(bytes, WANTED_PARTS) };
  } catch {
    // sizes that lie, ZIP64, …: below
  }
  try {
    // Inflated again without trusting the declared sizes, counting what comes out.
    return { parts: inflateEntries(bytes, (name) => WANTED_PARTS.has(name)) };
  } catch (e) {
    // A zip bomb goes no further: not to fflate, not to mammoth.
    if (e instanceof ZipBombError) return { refused: e.message, unreadable: true };
  }
  try {
    // What the native path does not take (ZIP64, …) fflate may still read; it inflates into
    // buffers of the declared sizes, which sniffing capped.
    return { parts: unzipSync(bytes, { filter: (f) => WANTED_PARTS.has(f.name) }) };
  } catch (e) {
    // mammoth's unzipper may still read it; if not, it raises the read error.
    return { refused: `fflate cannot unzip it (${(e as Error).message.split('\n')[0]})` };
  }
}

function readFast(bytes: Uint8Array): FastRead {
  const got = wantedParts(bytes);
  if ('refused' in got) return got;
  const entries = got.parts;
  const rels = entries[PACKAGE_RELS];
  if (rels && mainDocumentTargets(strFromU8(rels)).some((t) => t !== DOCUMENT_PART)) return { refused: 'main document part is not word/document.xml' };
  const part = entries[DOCUMENT_PART];
  if (!part) return { refused: 'no word/document.xml' };
  let xml = Buffer.from(part.buffer, part.byteOffset, part.byteLength).toString('latin1');
  if (xml.startsWith('\u00ef\u00bb\u00bf')) xml = xml.slice(3); // UTF-8 byte order mark
  // Same placeholder cells the mammoth reader adds, so both put gridBefore rows' cells alike.
  if (xml.includes('<w:gridBefore')) xml = padGridBefore(xml);
  try {
    return { model: new BodyReader().read(xml) };
  } catch (e) {
    return { refused: e instanceof Refusal ? e.message : `unexpected ${(e as Error).name}: ${(e as Error).message}` };
  }
}

/**
 * Reads a DOCX in one streaming pass; null when the document holds something only mammoth
 * reads faithfully (or fflate cannot unzip it). Never throws.
 */
export function readDocxFast(bytes: Uint8Array): Result<DocumentModel> | null {
  const fast = readFast(bytes);
  return 'model' in fast ? result(fast.model) : null;
}

/**
 * The DOCX reader: the fast one, or mammoth for what the fast one refuses (an info message
 * says why). Throws mammoth's StageError('read', …) for a file that is not a readable DOCX.
 */
export async function readDocx(bytes: Uint8Array): Promise<Result<DocumentModel>> {
  const fast = readFast(bytes);
  if ('model' in fast) return result(fast.model);
  if (fast.unreadable) throw new StageError('read', fast.refused);
  // The reference reader, loaded only when needed (mammoth and cheerio are most of a worker's memory).
  const { readDocxMammoth } = await import('./docx.js');
  const slow = await readDocxMammoth(bytes);
  const note: Message = { type: 'info', stage: 'read', message: `fell back to mammoth: ${fast.refused}` };
  return result(slow.value, [note, ...slow.messages]);
}
