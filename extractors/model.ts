/**
 * The document model every reader produces and the recogniser consumes.
 * Like mammoth's: a reader builds this small model, never canonical cells itself,
 * and every step returns a Result carrying its value plus messages instead of throwing
 * on the first oddity.
 */

export type InputFormat = 'docx' | 'html' | 'txt' | 'pdf';

/** How a grid cell came to be: printed, or a copy made by expanding a row/column span. */
export type SpanCopy = 'none' | 'row' | 'col' | 'both';

export interface GridCell {
  /** The cell's text, whitespace inside kept as printed (line breaks as \n). */
  readonly text: string;
  /** Grid position of the printed cell this one was expanded from (itself when not a copy). */
  readonly originRow: number;
  readonly originCol: number;
  readonly copy: SpanCopy;
  /** The page the cell is printed on (PDF; 1-based). */
  readonly page?: number;
}

/**
 * A table with row and column spans expanded: rows × columns. A reader that cannot know
 * the spans (the plain-text export flattens them) yields ragged rows with copy = 'none'.
 */
export interface Grid {
  /** Index of this table among the document's top-level tables. */
  readonly index: number;
  /** 0 for a top-level table; 1 for a table inside a cell of one, and so on. */
  readonly depth: number;
  readonly rows: readonly (readonly GridCell[])[];
  /** The reader distrusts this table's layout (mammoth: "cell merging may be incorrect"). */
  readonly layoutSuspect?: string;
}

export type Block =
  | { readonly kind: 'paragraph'; readonly text: string }
  | { readonly kind: 'table'; readonly grid: Grid };

export interface DocumentModel {
  readonly format: InputFormat;
  /** <title> of a web page, when there is one. */
  readonly title?: string;
  /** Paragraphs and top-level tables in reading order. */
  readonly blocks: readonly Block[];
}

export type Severity = 'error' | 'warning' | 'info';

export interface Message {
  readonly type: Severity;
  /** Pipeline stage that raised it: sniff, decode, read, recognise, load. */
  readonly stage: string;
  readonly message: string;
}

export interface Result<T> {
  readonly value: T;
  readonly messages: readonly Message[];
}

export function result<T>(value: T, messages: readonly Message[] = []): Result<T> {
  return { value, messages };
}

/** Raised where going on is impossible; carries the stage so the ledger can name it. */
export class StageError extends Error {
  constructor(
    readonly stage: string,
    message: string,
  ) {
    super(`${stage}: ${message}`);
    this.name = 'StageError';
  }
}

/** Builds an expanded grid from rows of printed cells with their spans (the HTML table algorithm). */
export function expandSpans(
  index: number,
  printedRows: readonly (readonly { text: string; rowspan: number; colspan: number }[])[],
  depth = 0,
  layoutSuspect?: string,
): Grid {
  const rows: GridCell[][] = printedRows.map(() => []);
  printedRows.forEach((printed, r) => {
    let c = 0;
    for (const cell of printed) {
      while (rows[r][c] !== undefined) c++;
      const rowspan = Math.max(1, Math.min(cell.rowspan, printedRows.length - r));
      const colspan = Math.max(1, Math.min(cell.colspan, 1000));
      for (let dr = 0; dr < rowspan; dr++) {
        for (let dc = 0; dc < colspan; dc++) {
          const copy: SpanCopy = dr === 0 && dc === 0 ? 'none' : dr === 0 ? 'col' : dc === 0 ? 'row' : 'both';
          rows[r + dr][c + dc] = { text: cell.text, originRow: r, originCol: c, copy };
        }
      }
      c += colspan;
    }
  });
  // Holes left by ragged markup become empty cells so every row is dense. Each row is built
  // again in order: spans fill a row out of order, and V8 then keeps it as a holey array, a
  // second shape that made the recogniser's optimised code bail out and be compiled again.
  const dense = rows.map((row, r) =>
    Array.from(row, (cell, c): GridCell => cell ?? { text: '', originRow: r, originCol: c, copy: 'none' }),
  );
  return layoutSuspect ? { index, depth, rows: dense, layoutSuspect } : { index, depth, rows: dense };
}
