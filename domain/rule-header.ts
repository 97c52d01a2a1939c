/**
 * What the header of a rule file says (sql/rules/*.sql, read by pipeline/rules/files.ts): the
 * shape of every rule's id, severity, titles, scope and wording, which the rules and the pages share.
 */
export type Severity = 'error' | 'warning' | 'info';

/** How a finding's two numbers read on the pages (see pipeline/outputs/site/wording.ts). */
export interface Wording {
  /** Label of `actual`, then of `expected`, in the finding's arithmetic line. */
  readonly actual: string;
  readonly expected: string;
  /** Show the difference actual − expected. */
  readonly difference: boolean;
  readonly suffix: string;
  /** On the cell a finding points at: "8 → 应为 9" (arrow) or "8（各项之和 9）" (note); null: nothing. */
  readonly cell: { readonly label: string; readonly arrow: boolean } | null;
}

/** What the header of a rule says (everything but its query). */
export interface RuleHeader {
  readonly id: string;
  readonly severity: Severity;
  readonly titleZh: string | null;
  readonly titleEn: string | null;
  /** `report`: each report's findings depend on that report only (the query can run a slice of reports at a time). */
  readonly scope: 'report' | 'warehouse';
  /** File name under sql/rules/. */
  readonly file: string;
  /**
   * What a report needs for the rule to assess it, over rule_scope's columns (rule-results.ts); null: every report
   * read.
   */
  readonly needs: string | null;
  /** The rule's line in docs/rules.md (null: its English title). */
  readonly doc: string | null;
  /** null: the numbers are a count or a value the message already puts in words. */
  readonly wording: Wording | null;
  /** For a finding that names no table (null: `wording`). */
  readonly wordingNoTable: Wording | null;
}
