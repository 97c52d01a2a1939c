/**
 * A document's link from its page (`sourceLink`) is the path relative to the page's folder, each
 * part URL-encoded: the same whether the folder's part is made for the file or reused from another
 * file of the folder.
 */
import { relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sourceLink } from '../../pipeline/outputs/site/source-links.js';

/** The link as made from the whole path. */
const expected = (pageDir: string, file: string) =>
  relative(resolve(pageDir), file)
    .split(sep)
    .map((part) => encodeURIComponent(part))
    .join('/');

describe('sourceLink', () => {
  it('links files of many folders, in the page folder, above it and beside it, as the whole path says', () => {
    const pageDir = '/srv/out/reports';
    const inputs = ['/srv/in', '/srv/out/reports', '/srv/out', '/', '/srv/in/年报 2020', '/other/a b/c#d'];
    const names = ['a.docx', '年度报告（2020）.docx', 'x y%.html', 'page?.pdf', '..hidden', '.docx'];
    for (let round = 0; round < 2; round++)
      for (const input of inputs)
        for (const name of names) {
          for (const source of [name, `sub/${name}`, `../up/${name}`]) {
            const link = sourceLink({ source, inputDir: input }, pageDir, '/unused', undefined, undefined, () => true);
            expect(link.href).toBe(expected(pageDir, resolve(input, source)));
          }
        }
  });

  it('links a document copied into the output folder beside the pages', () => {
    const link = sourceLink(
      { source: 'a.docx', inputDir: '/srv/in' },
      '/srv/out/reports',
      '/unused',
      'abc123.docx',
      undefined,
      () => true,
    );
    expect(link.archived).toBe('../sources/abc123.docx');
  });
});
