/**
 * Claims the prose makes about the tables ("共受理政府信息公开申请10件", "予以公开4件，占44.44%").
 * Each claim: the quantity it speaks of, the value, optionally a percentage and its base,
 * and the sentence with its offset in the report's prose.
 *
 * The quantity vocabulary and its patterns: claims/vocabulary.ts; the NARR.* rules in
 * sql/rules/ compare the claims with the cells. Precision first: a count whose meaning is
 * unclear is not claimed at all, or claimed with its readings (a|b) and never flagged.
 */
import type { Claim } from './claim.js';
import { extractFromParagraphs } from './extract.js';

export type { Claim } from './claim.js';

/** Extracts claims from the report's paragraphs (in reading order). */
export function extractClaims(paragraphs: readonly string[]): Claim[] {
  return extractFromParagraphs(paragraphs);
}
