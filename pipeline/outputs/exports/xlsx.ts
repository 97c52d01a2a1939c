/**
 * A small streaming XLSX (SpreadsheetML) writer: what the auditors' workbook needs and nothing
 * more. Sheets of text, numbers and links, a bold shaded header row kept in view (frozen), an
 * autofilter over the header, column widths. Each sheet's rows are written to the zip as they
 * come (deflated by Node's zlib in pieces, zipped by fflate, straight to the file), strings
 * inline, so memory holds a piece of a sheet and the sheet's link targets, not the sheet.
 *
 * Why not exceljs's streaming writer, which wrote it before: it builds a style model per cell and
 * an object per row, and took 1.0–1.4 s of CPU for the workbook of 10,000 reports on every run,
 * plus loading its modules (measured: docs/performance.md). The workbook is read back with
 * exceljs's reader in the tests, as a user's Excel or WPS would open it.
 */
import { constants, deflateRawSync } from 'node:zlib';
import { strToU8, Zip, ZipPassThrough } from 'fflate';
import type { FileSink } from '../files.js';

/** A cell: text, a number, a link (shown as its text), or empty. */
export type XlsxCell = string | number | null | { text: string; hyperlink: string };

export interface XlsxColumn {
  header: string;
  width: number;
}

const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';
const REL_TYPE = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** Characters XML 1.0 cannot hold at all (control characters but tab, newline and return). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters removed
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** A character `xmlText` changes: most texts have none and are returned as they are. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters removed, and those escaped
const XML_SPECIAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF&<>"]/;

/** Text as XML character data or attribute value. */
export function xmlText(text: string): string {
  if (!XML_SPECIAL.test(text)) return text;
  return text
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** A column's letters: 0 → A, 25 → Z, 26 → AA. */
export function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** The styles: 0 plain, 1 the header (bold, shaded), 2 a link (blue, underlined). */
const STYLE = { plain: 0, header: 1, link: 2 } as const;
const STYLES_XML = `${XML_HEAD}<styleSheet xmlns="${NS_MAIN}">
<fonts count="3"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><u/><sz val="11"/><color rgb="FF1A56B8"/><name val="Calibri"/><family val="2"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFF3F4F6"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/><xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>`;

function cellXml(ref: string, value: XlsxCell, style: number, links: { ref: string; target: string }[]): string {
  if (value === null || value === undefined) return '';
  const s = style ? ` s="${style}"` : '';
  if (typeof value === 'number') {
    // JSON has no NaN or infinity, nor has a spreadsheet cell: written as text
    return Number.isFinite(value)
      ? `<c r="${ref}"${s}><v>${value}</v></c>`
      : `<c r="${ref}"${s} t="inlineStr"><is><t>${String(value)}</t></is></c>`;
  }
  if (typeof value === 'object') {
    links.push({ ref, target: value.hyperlink });
    return `<c r="${ref}" s="${STYLE.link}" t="inlineStr"><is><t xml:space="preserve">${xmlText(value.text)}</t></is></c>`;
  }
  return `<c r="${ref}"${s} t="inlineStr"><is><t xml:space="preserve">${xmlText(value)}</t></is></c>`;
}

/** Text of rows buffered before it is deflated into the zip. */
const FLUSH_AT = 1 << 18;

/**
 * A zip entry deflated by Node's zlib (native: a third of the time of fflate's deflate, which took
 * most of the workbook's time). Each piece is compressed on its own and ends with a sync flush (the
 * last with the final block), so the pieces concatenate into one valid deflate stream.
 */
class NativeDeflate extends ZipPassThrough {
  constructor(filename: string) {
    super(filename);
    this.compression = 8;
  }

  protected override process(chunk: Uint8Array<ArrayBuffer>, final: boolean): void {
    const flush = final ? constants.Z_FINISH : constants.Z_SYNC_FLUSH;
    this.ondata(null, deflateRawSync(chunk, { level: 1, finishFlush: flush }), final);
  }
}

/** One sheet being written: rows are added in order, then `end` closes it. */
class SheetWriter {
  private rowNo = 1;
  private buffer = '';
  private readonly links: { ref: string; target: string }[] = [];
  /** The columns' letters, made once. */
  private readonly columnNames: string[];

  constructor(
    private readonly entry: NativeDeflate,
    private readonly columns: readonly XlsxColumn[],
  ) {
    this.columnNames = columns.map((_, i) => columnName(i));
    const cols = columns
      .map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${c.width}" customWidth="1"/>`)
      .join('');
    this.buffer =
      `${XML_HEAD}<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
      `<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>` +
      `<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>` +
      `<sheetFormatPr defaultRowHeight="15"/><cols>${cols}</cols><sheetData>`;
    this.row(
      columns.map((c) => c.header),
      STYLE.header,
    );
  }

  row(cells: readonly XlsxCell[], style: number = STYLE.plain): void {
    const r = this.rowNo++;
    let xml = `<row r="${r}">`;
    for (let i = 0; i < cells.length; i++) {
      if (cells[i] === null || cells[i] === undefined) continue;
      xml += cellXml(`${this.columnNames[i] ?? columnName(i)}${r}`, cells[i], style, this.links);
    }
    this.buffer += `${xml}</row>`;
    if (this.buffer.length >= FLUSH_AT) this.flush(false);
  }

  private flush(last: boolean): void {
    this.entry.push(strToU8(this.buffer), last);
    this.buffer = '';
  }

  /** Closes the sheet; returns its link targets (their relationships: `sheetRels`). */
  end(): { ref: string; target: string }[] {
    const last = `${columnName(this.columns.length - 1)}${Math.max(1, this.rowNo - 1)}`;
    this.buffer += `</sheetData><autoFilter ref="A1:${last}"/>`;
    if (this.links.length)
      this.buffer += `<hyperlinks>${this.links.map((l, i) => `<hyperlink ref="${l.ref}" r:id="rId${i + 1}"/>`).join('')}</hyperlinks>`;
    this.buffer += `<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`;
    this.flush(true);
    return this.links;
  }

  get rows(): number {
    return this.rowNo - 1;
  }
}

/**
 * A workbook written into `sink`: sheets one after another (`addSheet`), then `close`. The caller
 * commits the sink, or aborts it on any error (a workbook is never put in place half written).
 */
export class XlsxWriter {
  private readonly zip: Zip;
  private failure: Error | null = null;
  private readonly sheets: { name: string; rows: number; columns: number }[] = [];

  constructor(
    sink: FileSink,
    private readonly props: { creator: string; title: string },
  ) {
    this.zip = new Zip((err, data) => {
      if (err) this.failure ??= err;
      else if (!this.failure) {
        try {
          sink.writeBytes(data);
        } catch (e) {
          this.failure = e as Error;
        }
      }
    });
  }

  private file(name: string, text: string): void {
    const entry = new NativeDeflate(name);
    this.zip.add(entry);
    entry.push(strToU8(text), true);
    this.check();
  }

  private check(): void {
    if (this.failure) throw this.failure;
  }

  /** Writes a sheet of `rows` under a header of `columns`. */
  addSheet(
    { name, columns }: { name: string; columns: readonly XlsxColumn[] },
    rows: Iterable<readonly XlsxCell[]>,
  ): void {
    const n = this.sheets.length + 1;
    const entry = new NativeDeflate(`xl/worksheets/sheet${n}.xml`);
    this.zip.add(entry);
    const sheet = new SheetWriter(entry, columns);
    for (const r of rows) {
      sheet.row(r);
      this.check();
    }
    const links = sheet.end();
    this.check();
    this.file(
      `xl/worksheets/_rels/sheet${n}.xml.rels`,
      `${XML_HEAD}<Relationships xmlns="${NS_PKG_REL}">${links
        .map(
          (l, i) =>
            `<Relationship Id="rId${i + 1}" Type="${REL_TYPE}/hyperlink" Target="${xmlText(l.target)}" TargetMode="External"/>`,
        )
        .join('')}</Relationships>`,
    );
    this.sheets.push({ name, rows: sheet.rows, columns: columns.length });
  }

  /** Writes the workbook's parts (the caller then commits the sink). */
  close(): void {
    const sheets = this.sheets;
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.file(
      '[Content_Types].xml',
      `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
        `<Default Extension="xml" ContentType="application/xml"/>` +
        `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
        sheets
          .map(
            (_, i) =>
              `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`,
          )
          .join('') +
        `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
        `<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
        `<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>` +
        `</Types>`,
    );
    this.file(
      '_rels/.rels',
      `${XML_HEAD}<Relationships xmlns="${NS_PKG_REL}">` +
        `<Relationship Id="rId1" Type="${REL_TYPE}/officeDocument" Target="xl/workbook.xml"/>` +
        `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
        `<Relationship Id="rId3" Type="${REL_TYPE}/extended-properties" Target="docProps/app.xml"/>` +
        `</Relationships>`,
    );
    this.file(
      'docProps/core.xml',
      `${XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
        `<dc:creator>${xmlText(this.props.creator)}</dc:creator><dc:title>${xmlText(this.props.title)}</dc:title>` +
        `<dcterms:created xsi:type="dcterms:W3CDTF">${now}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${now}</dcterms:modified>` +
        `</cp:coreProperties>`,
    );
    this.file(
      'docProps/app.xml',
      `${XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>gov-open-audit</Application></Properties>`,
    );
    this.file(
      'xl/workbook.xml',
      `${XML_HEAD}<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><bookViews><workbookView/></bookViews><sheets>` +
        sheets.map((s, i) => `<sheet name="${xmlText(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
        `</sheets><definedNames>` +
        sheets
          .map(
            (s, i) =>
              `<definedName name="_xlnm._FilterDatabase" localSheetId="${i}" hidden="1">'${xmlText(s.name.replace(/'/g, "''"))}'!$A$1:$${columnName(s.columns - 1)}$${Math.max(1, s.rows)}</definedName>`,
          )
          .join('') +
        `</definedNames></workbook>`,
    );
    this.file(
      'xl/_rels/workbook.xml.rels',
      `${XML_HEAD}<Relationships xmlns="${NS_PKG_REL}">` +
        sheets
          .map(
            (_, i) =>
              `<Relationship Id="rId${i + 1}" Type="${REL_TYPE}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
          )
          .join('') +
        `<Relationship Id="rId${sheets.length + 1}" Type="${REL_TYPE}/styles" Target="styles.xml"/></Relationships>`,
    );
    this.file('xl/styles.xml', STYLES_XML);
    this.zip.end();
    this.check();
  }
}
