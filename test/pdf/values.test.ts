/**
 * One definition of a value in the PDF reader: the cell joining across pages and the unruled tables' number columns
 * both use it.
 */
import { describe, expect, it } from 'vitest';
import { isValueText } from '../../extractors/pdf/text.js';

describe('isValueText', () => {
  it('a number, signed, grouped, with a decimal point or a percent sign, in half or full width', () => {
    for (const t of ['0', '12', '1,234', '１２', '-5', '－3', '12.5%', '12％', '1.2．', ' 12 '])
      expect(isValueText(t), t).toBe(true);
  });
  it('a blank mark: dashes, slashes, 无', () => {
    for (const t of ['—', '——', '-', '－', '–', '/', '／', '\\', '无']) expect(isValueText(t), t).toBe(true);
  });
  it('not a label, a range, a fraction or two kinds together', () => {
    for (const t of ['', '其他', '（三）不予公开', '2020-2021', '1/2', '12无', '12\n—', '+', '%'])
      expect(isValueText(t), t).toBe(false);
  });
});
