/**
 * Claims the prose makes about the tables ("共受理政府信息公开申请10件", "予以公开4件，占44.44%").
 * Each claim: the quantity it speaks of, the value, optionally a percentage and its base,
 * and the sentence with its offset in the report's prose.
 *
 * The quantity vocabulary and its patterns: claims/vocabulary.ts; the NARR.* rules in
 * sql/rules/ compare the claims with the cells. Precision first: a count whose meaning is
 * unclear is not claimed at all, or claimed with its readings (a|b) and never flagged.
 */
import { extractFromParagraphs } from './claims/extract.js';

export interface Claim {
  /** What the claim speaks of, e.g. 't3.received', 't3.granted', 't4.review.total', 'parts' (vocabulary.ts). */
  quantity: string;
  value: number | null;
  percent: number | null;
  /**
   * The base of the percentage as a quantity ('t3.total_processed', 't3.received',
   * 't3.received|t3.total_processed', 'parts:1975'), or the printed words when it is unclear
   * which total is meant (not checked then). For quantity 'parts': the parts, "970+662+343"
   * (a closed list) or "152+197+…" (an open one).
   */
  base: string | null;
  /** The sentence, or for a list its run of sentences; cut at 。！？ and ；. */
  sentence: string;
  /** Character offset of the sentence in the prose (paragraphs joined with \n). */
  offset: number;
}

/** Extracts claims from the report's paragraphs (in reading order). */
export function extractClaims(paragraphs: readonly string[]): Claim[] {
  return extractFromParagraphs(paragraphs);
}
