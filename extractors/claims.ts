/**
 * Claims the prose makes about the tables ("共受理政府信息公开申请10件", "予以公开4件，占44.44%").
 * Each claim: the quantity it speaks of, the value, optionally a percentage and its base,
 * and the sentence with its offset in the report's prose.
 */

export interface Claim {
  /** What the claim speaks of, e.g. 't3.new_received', 't3.granted', 't4.review.total'. */
  quantity: string;
  value: number | null;
  percent: number | null;
  /** The base a percentage names (已答复总数, 总数, …). */
  base: string | null;
  sentence: string;
  /** Character offset of the sentence in the prose (paragraphs joined with \n). */
  offset: number;
}

/** Extracts claims from the report's paragraphs (in reading order). */
export function extractClaims(_paragraphs: readonly string[]): Claim[] {
  return [];
}
