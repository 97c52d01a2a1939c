/**
 * How a finding's two numbers read. A sum is stated neutrally ("印为 8，各项之和为 9"): which cell
 * is wrong, the total or one of its parts, the arithmetic cannot tell. Other rules compare other
 * things (the prose with the table or with itself, this year with last year, yuan with 万元), and
 * some carry a count the message already explains. A finding from the prose alone never says 表中.
 * Each rule's wording is written in its header (`-- wording: …` lines, see pipeline/rules/files.ts).
 */
import { ruleHeader, type Wording } from '../../../domain/index.js';

export type { Wording } from '../../../domain/index.js';

/**
 * null: the numbers are a count or a value the message already puts in words (a rule without a
 * wording line, or one the catalogue does not know). `tableId`: the finding's table (null: none,
 * a finding from the prose alone, which reads as the rule's `wording_no_table` when it has one).
 */
export function wordingOf(ruleId: string, tableId: string | null = null): Wording | null {
  const rule = ruleHeader(ruleId);
  if (!rule) return null;
  return (tableId ? null : rule.wordingNoTable) ?? rule.wording;
}
