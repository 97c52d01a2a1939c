/**
 * The catalogue of rule ids (docs/rules.md): ids are a contract — they appear in `anomalies`, in
 * every report and export, and in tests. A new rule gets a new id; an id is never reused.
 * Every rule, NARR.* included, is a header in sql/rules/ (pipeline/rules/files.ts): its id, severity, titles,
 * scope and wording are written there once. rule-headers.ts holds those headers as TypeScript
 * (written by `npm run rules`; test/rules/catalogue.test.ts fails when it is stale), so the code
 * and the SQL share the ids and RuleId is their union.
 */
import type { RuleHeader, Severity } from './rule-header.js';
import { RULE_HEADERS } from './rule-headers.js';

export const RULE_CATALOGUE: readonly RuleHeader[] = RULE_HEADERS;

export type RuleId = (typeof RULE_HEADERS)[number]['id'];

export const RULE_IDS: readonly RuleId[] = RULE_HEADERS.map((r) => r.id);

const BY_ID = new Map<string, RuleHeader>(RULE_HEADERS.map((r) => [r.id, r]));

export function isRuleId(id: string): id is RuleId {
  return BY_ID.has(id);
}

/** The header of a rule of the catalogue (undefined: a rule the catalogue does not know). */
export function ruleHeader(id: string): RuleHeader | undefined {
  return BY_ID.get(id);
}

export function catalogueSeverity(id: RuleId): Severity {
  return BY_ID.get(id)!.severity;
}

/** NARR.* rules check the prose (the claims table) against the tables, or against itself. */
export function isNarrative(id: string): boolean {
  return id.startsWith('NARR.');
}
