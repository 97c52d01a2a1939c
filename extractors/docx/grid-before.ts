/** Rows declaring w:gridBefore, given the cell they skip (both DOCX readers use it). */

/**
 * Adds an empty spanning cell at the start of every row that declares w:gridBefore. A row's
 * properties (w:trPr) come before its first cell, so the text between `<w:tr>` and the row's
 * first `<w:tc>` is that row's own, even in tables nested inside cells.
 */
export function padGridBefore(documentXml: string): string {
  return documentXml.replace(
    /(<w:tr\b[^>]*>)((?:(?!<w:tc\b|<w:tr\b)[\s\S])*?)(<w:tc\b)/g,
    (whole, open: string, props: string, tc: string) => {
      const m = /<w:gridBefore\b[^>]*?\bw:val\s*=\s*["'](\d+)["']/.exec(props);
      if (!m || Number(m[1]) < 1) return whole;
      const span = Number(m[1]);
      const placeholder = `<w:tc><w:tcPr>${span > 1 ? `<w:gridSpan w:val="${span}"/>` : ''}</w:tcPr><w:p/></w:tc>`;
      return open + props + placeholder + tc;
    },
  );
}
