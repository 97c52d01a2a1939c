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

interface StartTag {
  /** Index just past its `>`. */
  end: number;
  name: string;
  selfClosing: boolean;
  /** The colspan/rowspan attributes as printed (name, `=`, value with its quotes); null when none. */
  kept: string[] | null;
}

/** Reads the start tag whose name begins at `from` (just past `<`); null when the input ends inside it. */
function readStartTag(s: string, from: number): StartTag | null {
  const n = s.length;
  let j = from;
  while (j < n && !endsTagSection(s.charCodeAt(j))) j++;
  if (j >= n) return null;
  const name = s.slice(from, j);
  let kept: string[] | null = null;
  let selfClosing = false;
  let attrStart = -1;
  let attrNameEnd = -1;
  // States after the name: before an attribute, after `/`, in a name, after a name, before a value.
  let state: 'before' | 'slash' | 'name' | 'afterName' | 'beforeValue' = 'before';
  const endAttribute = (end: number) => {
    if (isSpanAttribute(s, attrStart, attrNameEnd)) {
      kept ??= [];
      kept.push(s.slice(attrStart, end));
    }
    attrStart = -1;
  };
  while (j < n) {
    const c = s.charCodeAt(j);
    switch (state) {
      case 'before':
        if (c === GT) return { end: j + 1, name, selfClosing: false, kept };
        if (c === SLASH) state = 'slash';
        else if (!isSpace(c)) {
          attrStart = j;
          state = 'name';
        }
        j++;
        break;
      case 'slash':
        if (c === GT) {
          selfClosing = true;
          return { end: j + 1, name, selfClosing, kept };
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
          endAttribute(j);
          state = 'before'; // reconsume
        } else if (isSpace(c)) j++;
        else {
          endAttribute(j);
          attrStart = j;
          state = 'name';
          j++;
        }
        break;
      case 'beforeValue':
        if (c === DQ || c === SQ) {
          const close = s.indexOf(c === DQ ? '"' : "'", j + 1);
          if (close < 0) return null;
          endAttribute(close + 1);
          j = close + 1;
          state = 'before';
        } else if (isSpace(c)) j++;
        else {
          // Unquoted: up to whitespace or `>` (a `/` belongs to the value).
          while (j < n && !isSpace(s.charCodeAt(j)) && s.charCodeAt(j) !== GT) j++;
          if (j >= n) return null;
          endAttribute(j);
          state = 'before';
        }
        break;
    }
  }
  return null;
}

/** The markup with everything the HTML reader does not read taken out (see above). */
export function pruneMarkup(s: string, options: PruneOptions = {}): string {
  const collapse = options.collapseInline !== false;
  const out: string[] = [];
  const n = s.length;
  let copied = 0; // s[copied, i) is copied as it is at the next cut
  let i = 0;
  const cut = (from: number, to: number, replacement = '') => {
    if (from > copied) out.push(s.slice(copied, from));
    if (replacement) out.push(replacement);
    copied = to;
  };
  // Collapsible start tags with only text (or what was cut)
  // since: their name, lower-cased, and where in `out` they are.
  const inline: { name: string; at: number }[] = [];
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
      const open = inline.pop();
      if (
        open !== undefined &&
        end - lt === open.name.length + 3 &&
        s.slice(lt + 2, end - 1).toLowerCase() === open.name
      ) {
        // `</name>` closing a collapsible element that holds only text: both tags go
        out[open.at] = '';
        cut(lt, end);
      } else if (inline.length > 0) {
        inline.length = 0;
      }
      i = end;
    } else if (isAlpha(c)) {
      const tag = readStartTag(s, lt + 1);
      if (tag === null) break;
      const attrs = tag.kept ? ` ${tag.kept.join(' ')}` : '';
      cut(lt, tag.end, `<${tag.name}${attrs}${tag.selfClosing ? ' />' : '>'}`);
      i = tag.end;
      const lower = tag.name.toLowerCase();
      if (collapse && !tag.selfClosing && isCollapsible(lower)) inline.push({ name: lower, at: out.length - 1 });
      else if (inline.length > 0) inline.length = 0; // (setting the length is a call into the runtime)
      const endTag = tag.selfClosing ? undefined : RAW_TEXT.get(lower);
      if (endTag) {
        endTag.lastIndex = tag.end;
        const m = endTag.exec(s);
        if (m === null) break;
        if (DROP_CONTENT.has(lower)) cut(tag.end, m.index);
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
