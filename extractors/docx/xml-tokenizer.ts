/**
 * The XML tokenizer of the production DOCX reader (docx/reader.ts): elements, attributes,
 * namespaces, comments, CDATA and processing instructions, scanned without building a tree.
 * Whatever it cannot read as mammoth's parser (xmldom) would — a DTD, an unknown entity, a
 * broken tag — is refused (`Refusal`), and the reader hands the document to mammoth.
 *
 * A small tokenizer rather than saxes: on report-sized documents (200–400 KB of XML) saxes
 * alone, with empty handlers, was too slow for the reader's budget (measured: docs/performance.md).
 */

/** Why the fast reader handed a document back. */
export class Refusal extends Error {}

export function refuse(why: string): never {
  throw new Refusal(why);
}

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

export interface XmlHandler {
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
export function characterData(raw: string): string {
  let text = /[\u0080-\uffff]/.test(raw) ? Buffer.from(raw, 'latin1').toString('utf8') : raw;
  // xmldom (mammoth's parser) first normalises line ends, NEL and LINE SEPARATOR in the source.
  if (/[\r\u0085\u2028]/.test(text)) text = text.replace(/\r[\n\u0085]/g, '\n').replace(/[\r\u0085\u2028]/g, '\n');
  return decodeEntities(text);
}

/**
 * Whether `pattern` occurs in `s` at or after `from`, looked for by its character at `rare`, which
 * seldom occurs: a document's markup has a `<` every dozen bytes, and `indexOf('<!')` stopped at
 * each of them (0.18 ms for a report's 365 KB against 0.01; measured: docs/performance.md).
 */
export function includesFrom(s: string, pattern: string, rare: number, from = 0): boolean {
  const c = pattern[rare];
  for (let at = s.indexOf(c, from + rare); at >= 0; at = s.indexOf(c, at + 1)) {
    if (s.startsWith(pattern, at - rare)) return true;
  }
  return false;
}

/**
 * Where the root element starts, or earlier: the first `<` that opens neither a comment, CDATA,
 * declaration nor processing instruction (a `<` inside a comment before the root counts too).
 */
function rootStartAt(xml: string): number {
  let at = xml.indexOf('<');
  while (at >= 0) {
    const c = xml.charCodeAt(at + 1);
    if (c !== 0x21 /* ! */ && c !== 0x3f /* ? */) return at;
    at = xml.indexOf('<', at + 1);
  }
  return 0;
}

/**
 * A minimal streaming XML tokenizer: elements, attributes, namespaces, comments, CDATA and
 * processing instructions. It checks that the tags it reports nest (skipped elements are
 * only counted through); a DTD, an unknown entity or a broken tag is refused.
 */
export class XmlScanner {
  /** prefix → namespace URI; scopes chain through prototypes. */
  private ns: Record<string, string> = Object.assign(Object.create(null), {
    xml: 'http://www.w3.org/XML/1998/namespace',
  });
  private scopes: { depth: number; ns: Record<string, string> }[] = [];
  private names = new Map<string, string>();
  private xml = '';
  /** No comments, CDATA or PIs past the XML declaration: skipped content is only tags and text. */
  private plain = false;
  /** The element being opened: its name as written, where its content starts, where it ends once known. */
  private current = { raw: '', from: 0, empty: false, end: -1 };

  run(xml: string, handler: XmlHandler): void {
    this.xml = xml;
    // Comments and processing instructions before the root element (a generator's stamp) are read
    // by the loop below; only those inside it keep skipped content from being cut out whole.
    const root = rootStartAt(xml);
    this.plain = !includesFrom(xml, '<!', 1, root) && !includesFrom(xml, '<?', 1, root);
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
        current.raw = raw;
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
            i = current.end >= 0 ? current.end : this.skipContent(xml, i, raw);
          } else {
            skipFrom = open.length;
            open.push(raw);
          }
        }
      }
    }
    if (open.length > 0) refuse('malformed XML (unclosed element)');
  }

  /**
   * Position after the end of element `raw` whose content starts at `from` (plain documents only).
   * Most skipped elements (run and paragraph properties, drawings) hold no element of their own
   * name: their end tag is then the first one, found without reading the tags in between (half
   * the tags of a document; measured: docs/performance.md). Otherwise the tags are counted.
   */
  private skipContent(xml: string, from: number, raw: string): number {
    const end = xml.indexOf(`</${raw}`, from);
    if (end >= 0 && xml.charCodeAt(end + 2 + raw.length) === 0x3e /* > */) {
      // (searched for within the content only: the next element of that name may be far)
      if (!xml.slice(from, end).includes(`<${raw}`)) return end + 3 + raw.length;
    }
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
    if (el.end < 0) el.end = this.skipContent(this.xml, el.from, el.raw);
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
