/**
 * Plain-text export reader. The layout (as in the seed's .txt):
 * - a table cell is a line starting with a tab; a blank line ends a table row;
 * - a line without the tab directly under a cell continues that cell (`（三）不予` / `公开`);
 * - a row-spanned cell appears as an empty cell line; column spans are not represented,
 *   so rows are ragged and every cell has copy = 'none';
 * - any other line is a paragraph, and ends the table it follows.
 */
import { decodeText } from '../input/decode.js';
import { cleanText } from '../html/markup.js';
import { result, type Block, type DocumentModel, type GridCell, type Message, type Result } from '../model.js';

const NUMBERISH = /^[\s+\-−－]*[\d０-９][\d０-９,，.．]*\s*$/;

export function readTxtText(text: string): DocumentModel {
  const lines = text.replace(/^\ufeff/, '').split(/\r\n?|\n/);
  const blocks: Block[] = [];
  let rows: string[][] = [];
  let row: string[] = [];
  let lastWasCell = false;

  const endRow = () => {
    if (row.length) rows.push(row);
    row = [];
  };
  const endTable = () => {
    endRow();
    if (rows.length) {
      const gridRows: GridCell[][] = rows.map((cells, r) =>
        cells.map((t, c) => ({ text: cleanText(t), originRow: r, originCol: c, copy: 'none' as const })),
      );
      blocks.push({
        kind: 'table',
        grid: { index: blocks.filter((b) => b.kind === 'table').length, depth: 0, rows: gridRows },
      });
    }
    rows = [];
  };

  for (const line of lines) {
    if (line.startsWith('\t')) {
      row.push(line.slice(1));
      lastWasCell = true;
    } else if (line.trim() === '') {
      endRow();
      lastWasCell = false;
    } else if (lastWasCell && row.length && !NUMBERISH.test(row[row.length - 1])) {
      // A wrapped label: the export broke one cell's text over several lines.
      row[row.length - 1] += `\n${line}`;
    } else {
      endTable();
      lastWasCell = false;
      const para = cleanText(line);
      if (para) blocks.push({ kind: 'paragraph', text: para });
    }
  }
  endTable();
  return { format: 'txt', blocks };
}

export function readTxt(bytes: Uint8Array): Result<DocumentModel> {
  const messages: Message[] = [];
  const decoded = decodeText(bytes, messages);
  return result(readTxtText(decoded.text), messages);
}
