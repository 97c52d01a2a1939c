/**
 * The domain both halves share — the extractors that write cells and the pipeline that checks and
 * shows them: the template's canonical keys and labels, the one normal form of an agency's name,
 * the definitions of the metrics, and the rule catalogue (the rule files' headers). Import from here, not from the
 * files.
 */
export * from './template.js';
export * from './metrics.js';
export { normaliseAgency } from './agency-names.js';
export * from './rule-catalogue.js';
export type { RuleHeader, Severity, Wording } from './rule-header.js';
