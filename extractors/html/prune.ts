/**
 * Markup pruned to what the HTML reader reads, before htmlparser2 tokenises it. Pages exported
 * from Word are mostly attributes (`style="…"` on every span), conditional comments and style
 * sheets: 200–350 KB of markup around 40 KB that matter. Here start tags keep their name, their
 * colspan/rowspan and a self-closing slash; comments, CDATA, declarations, processing
 * instructions and the contents of <script> and <style> go; everything else is copied as it is.
 * Tokenising what is left costs a fraction of tokenising the page (measured: docs/performance.md).
 *
 * An inline element holding only text (`<span style=…>12<o:p></o:p></span>`, Word's way of
 * printing every cell) goes too, tags and all, leaving its text: see `COLLAPSIBLE`.
 *
 * The scan follows htmlparser2's tokenizer (src/Tokenizer.ts) state by state, so every start tag
 * it rewrites is a start tag htmlparser2 sees, with the same extent, and what it copies is
 * tokenised as it would have been. Anything cut off by the end of the input is copied unchanged
 * (htmlparser2 has its own rules for trailing data). test/html-reader.test.ts holds the reader to
 * the cheerio reader with and without pruning.
 */

const GT = 0x3e,
  SLASH = 0x2f,
  EQ = 0x3d,
  BANG = 0x21,
  QUESTION = 0x3f,
  DASH = 0x2d,
  DQ = 0x22,
  SQ = 0x27,
  LSQB = 0x5b;

/** htmlparser2's whitespace (not \v, not the Unicode spaces). */
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0c || c === 0x0d;
const endsTagSection = (c: number) => c === SLASH || c === GT || isSpace(c);
const isAlpha = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);

/** Tags whose content htmlparser2 reads as raw text up to their end tag; script and style content is dropped. */
// A Map: looked up by a tag name just sliced out, which an object's keys would first make a unique string.
const RAW_TEXT = new Map<string, RegExp>([
  ['script', /<\/script[ \n\t\f\r>]/gi],
  ['style', /<\/style[ \n\t\f\r>]/gi],
  ['title', /<\/title[ \n\t\f\r>]/gi],
  ['textarea', /<\/textarea[ \n\t\f\r>]/gi],
  ['xmp', /<\/xmp[ \n\t\f\r>]/gi],
]);
const DROP_CONTENT = new Set(['script', 'style']);

/**
 * Inline elements whose start and end tags can go when only text lies between them. htmlparser2
 * gives none of them a rule (none implies an end, none is void or foreign) and the reader reads
 * none (not a block, not skipped: text passes through to its parent), so such a pair pushes and
 * pops one element of the parser's stack and nothing else. Word's namespaced tags (o:p,
 * st1:chsdate) qualify for the same reasons. Half the tags of a Word page.
 */
const COLLAPSIBLE = new Set([
  'span',
  'font',
  'b',
  'i',
  'u',
  's',
  'strike',
  'strong',
  'em',
  'sup',
  'sub',
  'small',
  'big',
  'a',
  'ins',
  'del',
  'abbr',
  'label',
]);
const isCollapsible = (lowerName: string) => COLLAPSIBLE.has(lowerName) || lowerName.includes(':');

export interface PruneOptions {
  /** Take out inline elements that hold only text (default true; false for testing the rest). */
  collapseInline?: boolean;
}

/**
 * Whether s[from, to) names a span the reader reads (htmlparser2 lower-cases attribute names). Most
 * attributes are not 7 characters long, and are not sliced out to be compared.
 */
const isSpanAttribute = (s: string, from: number, to: number) => {
  if (to - from !== 7) return false;
  const n = s.slice(from, to).toLowerCase();
  return n === 'colspan' || n === 'rowspan';
};

/**
 * What `readStartTag` found: where the name ends, whether the tag closes itself, and its
 * colspan/rowspan attributes as printed (name, `=`, value with its quotes; null when none). One
 * object, overwritten by each call: a page has thousands of start tags, and an object, a closure
 * and a name per tag were a third of what reading a page allocated (docs/performance.md).
 */
const tag = { nameEnd: 0, selfClosing: false, kept: null as string[] | null };

/** Records the attribute s[from, end) when it is one the reader reads (its name ends at `nameEnd`). */
function keepAttribute(s: string, from: number, nameEnd: number, end: number): void {
  if (!isSpanAttribute(s, from, nameEnd)) return;
  tag.kept ??= [];
  tag.kept.push(s.slice(from, end));
}

/**
 * Reads the start tag whose name begins at `from` (just past `<`) into `tag`; returns the index
 * just past its `>`, or -1 when the input ends inside it.
 */
function readStartTag(s: string, from: number): number {
  const n = s.length;
  let j = from;
  while (j < n && !endsTagSection(s.charCodeAt(j))) j++;
  if (j >= n) return -1;
  tag.nameEnd = j;
  tag.selfClosing = false;
  tag.kept = null;
  let attrStart = -1;
  let attrNameEnd = -1;
  // States after the name: before an attribute, after `/`, in a name, after a name, before a value.
  let state: 'before' | 'slash' | 'name' | 'afterName' | 'beforeValue' = 'before';
  while (j < n) {
    const c = s.charCodeAt(j);
    switch (state) {
      case 'before':
        if (c === GT) return j + 1;
        if (c === SLASH) state = 'slash';
        else if (!isSpace(c)) {
          attrStart = j;
          state = 'name';
        }
        j++;
        break;
      case 'slash':
        if (c === GT) {
          tag.selfClosing = true;
          return j + 1;
        }
        if (isSpace(c)) j++;
        else state = 'before'; // reconsume
        break;
      case 'name':
        if (c === EQ || endsTagSection(c)) {
          attrNameEnd = j;
          state = 'afterName'; // reconsume
        } else j++;
        break;
      case 'afterName':
        if (c === EQ) {
          state = 'beforeValue';
          j++;
        } else if (c === SLASH || c === GT) {
          keepAttribute(s, attrStart, attrNameEnd, j);
          state = 'before'; // reconsume
        } else if (isSpace(c)) j++;
        else {
          keepAttribute(s, attrStart, attrNameEnd, j);
          attrStart = j;
          state = 'name';
          j++;
        }
        break;
      case 'beforeValue':
        if (c === DQ || c === SQ) {
          const close = s.indexOf(c === DQ ? '"' : "'", j + 1);
          if (close < 0) return -1;
          keepAttribute(s, attrStart, attrNameEnd, close + 1);
          j = close + 1;
          state = 'before';
        } else if (isSpace(c)) j++;
        else {
          // Unquoted: up to whitespace or `>` (a `/` belongs to the value).
          while (j < n && !isSpace(s.charCodeAt(j)) && s.charCodeAt(j) !== GT) j++;
          if (j >= n) return -1;
          keepAttribute(s, attrStart, attrNameEnd, j);
          state = 'before';
        }
        break;
    }
  }
  return -1;
}

/**
 * The collapsible start tags with only text (or what was cut) since: their names, lower-cased,
 * and where in the output their name is (the part after it is the tag's end). A stack kept from
 * call to call (`depth` says how much of it is in use), not an object per tag.
 */
const inlineNames: string[] = [];
const inlineAt: number[] = [];

/** The markup with everything the HTML reader does not read taken out (see above). */
export function pruneMarkup(s: string, options: PruneOptions = {}): string {
  const collapse = options.collapseInline !== false;
  const out: string[] = [];
  const n = s.length;
  let copied = 0; // s[copied, i) is copied as it is at the next cut
  let i = 0;
  let depth = 0; // of the inline stack
  const cut = (from: number, to: number) => {
    if (from > copied) out.push(s.slice(copied, from));
    copied = to;
  };
  for (;;) {
    const lt = s.indexOf('<', i);
    if (lt < 0 || lt + 1 >= n) break;
    const c = s.charCodeAt(lt + 1);
    if (c === BANG) {
      // <!-- comment -->  (<!--> and <!---> are whole comments), <![CDATA[ … ]]>, else a declaration up to `>`
      let end: number;
      if (s.charCodeAt(lt + 2) === DASH && s.charCodeAt(lt + 3) === DASH) end = s.indexOf('-->', lt + 2) + 3;
      else if (s.charCodeAt(lt + 2) === LSQB && s.startsWith('CDATA[', lt + 3)) end = s.indexOf(']]>', lt + 9) + 3;
      else end = s.indexOf('>', lt + 2) + 1;
      if (end <= 2) break; // runs to the end of the input
      cut(lt, end);
      i = end;
    } else if (c === QUESTION) {
      const end = s.indexOf('>', lt + 2) + 1;
      if (end <= 0) break;
      cut(lt, end);
      i = end;
    } else if (c === SLASH) {
      // An end tag (or `</>`, or a bogus comment): up to the first `>`, copied.
      const end = s.indexOf('>', lt + 2) + 1;
      if (end <= 0) break;
      if (depth > 0) {
        const name = inlineNames[--depth];
        if (end - lt === name.length + 3 && s.slice(lt + 2, end - 1).toLowerCase() === name) {
          // `</name>` closing a collapsible element that holds only text: both tags go
          const at = inlineAt[depth];
          out[at] = '';
          out[at + 1] = '';
          cut(lt, end);
        } else depth = 0;
      }
      i = end;
    } else if (isAlpha(c)) {
      const end = readStartTag(s, lt + 1);
      if (end < 0) break;
      const { nameEnd, selfClosing, kept } = tag;
      const lower = s.slice(lt + 1, nameEnd).toLowerCase();
      const inline = collapse && !selfClosing && isCollapsible(lower);
      if (!inline && kept === null && !selfClosing && end === nameEnd + 1) {
        // printed as it is pruned (`<name>`): copied with what follows
        depth = 0;
      } else {
        // the text before it and `<name` in one part unless the tag may go (then `<name` is a part of its own)
        if (inline && lt > copied) out.push(s.slice(copied, lt));
        out.push(s.slice(inline ? lt : copied, nameEnd));
        out.push(`${kept ? ` ${kept.join(' ')}` : ''}${selfClosing ? ' />' : '>'}`);
        copied = end;
        if (inline) {
          inlineNames[depth] = lower;
          inlineAt[depth++] = out.length - 2;
        } else depth = 0;
      }
      i = end;
      const endTag = selfClosing ? undefined : RAW_TEXT.get(lower);
      if (endTag) {
        endTag.lastIndex = end;
        const m = endTag.exec(s);
        if (m === null) break;
        if (DROP_CONTENT.has(lower)) cut(end, m.index);
        i = m.index;
      }
    } else {
      i = lt + 1; // a `<` that starts no tag is text
    }
  }
  if (copied === 0) return s;
  out.push(s.slice(copied));
  return out.join('');
}
