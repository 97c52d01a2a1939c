/** Tables without rulings, from the alignment of text ("stream"): filled in below. */
import type { PageLayout } from './page.js';

export function streamTables(page: PageLayout): PageLayout {
  return page;
}
