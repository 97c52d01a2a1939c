/**
 * The catalogue of rule ids (docs/rules.md): ids are a contract — they appear in `anomalies`, in
 * every report and export, and in tests. A new rule gets a new id; an id is never reused.
 * Every id here but NARR.* has a file in sql/rules/ (checked by test/rules/catalogue.test.ts).
 */

export type Severity = 'error' | 'warning' | 'info';

export const RULE_CATALOGUE = [
  // Within one report
  { id: 'T3.ROW_TOTAL', severity: 'error' },
  { id: 'T3.RESULT_TOTAL', severity: 'error' },
  { id: 'T3.BALANCE', severity: 'error' },
  { id: 'T3.GROUP_SUBTOTAL', severity: 'error' },
  { id: 'T4.TOTAL', severity: 'error' },
  { id: 'T2.UNIT', severity: 'warning' },
  { id: 'VAL.NOT_A_NUMBER', severity: 'error' },
  { id: 'VAL.NEGATIVE', severity: 'error' },
  { id: 'VAL.FRACTION', severity: 'error' },
  { id: 'VAL.MISSING_TABLE', severity: 'error' },
  { id: 'VAL.MISSING_CELL', severity: 'warning' },
  { id: 'VAL.BLANK_CELL', severity: 'info' },
  /** Not in the specification's first list (docs/rules.md lists it): several failing sums of a table that a row or column shifted by one explains (an extra finding, never instead of them). */
  { id: 'VAL.LAYOUT_SUSPECT', severity: 'warning' },
  { id: 'META.DUPLICATE', severity: 'warning' },
  { id: 'META.YEAR', severity: 'warning' },
  // Prose against tables (written by the narrative-claims work)
  { id: 'NARR.T3_CLAIM', severity: 'warning' },
  { id: 'NARR.PARTS_SUM', severity: 'warning' },
  { id: 'NARR.PERCENT', severity: 'warning' },
  { id: 'NARR.T4_CLAIM', severity: 'warning' },
  { id: 'NARR.T2_CLAIM', severity: 'info' },
  // Across years of one agency
  { id: 'XY.CARRY_OVER', severity: 'error' },
  { id: 'XY.IN_FORCE_CHAIN', severity: 'warning' },
  { id: 'XY.ITEMS_CHAIN', severity: 'warning' },
  { id: 'XY.COPY', severity: 'warning' },
  { id: 'XY.JUMP', severity: 'info' },
  // Across agencies
  { id: 'XA.COPY', severity: 'warning' },
  { id: 'XA.AGGREGATE', severity: 'warning' },
  { id: 'XA.OUTLIER', severity: 'info' },
] as const satisfies readonly { id: string; severity: Severity }[];

export type RuleId = (typeof RULE_CATALOGUE)[number]['id'];

export const RULE_IDS: readonly RuleId[] = RULE_CATALOGUE.map((r) => r.id);

const BY_ID = new Map<string, { id: RuleId; severity: Severity }>(RULE_CATALOGUE.map((r) => [r.id, r]));

export function isRuleId(id: string): id is RuleId {
  return BY_ID.has(id);
}

export function catalogueSeverity(id: RuleId): Severity {
  return BY_ID.get(id)!.severity;
}

/** NARR.* rules check the prose (claims table); they are written elsewhere. */
export function isNarrative(id: string): boolean {
  return id.startsWith('NARR.');
}
