/** A number the prose states, with what it speaks of: what the claim rules compare with the tables. */
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
