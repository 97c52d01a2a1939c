/** padGridBefore puts the placeholder in the row that declares w:gridBefore, nested tables included. */
import { describe, expect, it } from 'vitest';
import { padGridBefore } from '../../extractors/docx/grid-before.js';

const cell = (t: string) => `<w:tc><w:p><w:r><w:t>${t}</w:t></w:r></w:p></w:tc>`;

describe('padGridBefore', () => {
  it('pads a top-level row, leaves rows without gridBefore alone', () => {
    const xml = `<w:tbl><w:tr>${cell('A')}${cell('B')}</w:tr><w:tr><w:trPr><w:gridBefore w:val="2"/></w:trPr>${cell('C')}</w:tr></w:tbl>`;
    const out = padGridBefore(xml);
    expect(out).toBe(
      `<w:tbl><w:tr>${cell('A')}${cell('B')}</w:tr><w:tr><w:trPr><w:gridBefore w:val="2"/></w:trPr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p/></w:tc>${cell('C')}</w:tr></w:tbl>`,
    );
  });

  it('pads the first row of a nested table inside that row, not the enclosing one', () => {
    const inner = `<w:tbl><w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>${cell('x')}</w:tr></w:tbl>`;
    const xml = `<w:tbl><w:tr>${cell('A')}<w:tc>${inner}<w:p/></w:tc></w:tr></w:tbl>`;
    const out = padGridBefore(xml);
    const innerPadded = `<w:tbl><w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr><w:tc><w:tcPr></w:tcPr><w:p/></w:tc>${cell('x')}</w:tr></w:tbl>`;
    expect(out).toBe(`<w:tbl><w:tr>${cell('A')}<w:tc>${innerPadded}<w:p/></w:tc></w:tr></w:tbl>`);
  });

  it('reads the attribute in either quote style and ignores gridBefore 0', () => {
    expect(padGridBefore(`<w:tr><w:trPr><w:gridBefore w:val='1'/></w:trPr>${cell('C')}</w:tr>`)).toContain(
      '<w:tcPr></w:tcPr><w:p/></w:tc>',
    );
    const zero = `<w:tr><w:trPr><w:gridBefore w:val="0"/></w:trPr>${cell('C')}</w:tr>`;
    expect(padGridBefore(zero)).toBe(zero);
  });
});
