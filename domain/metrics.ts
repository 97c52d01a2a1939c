/**
 * The metric dictionary: every rate of `report_metrics` defined once — key, Chinese and English
 * name, formula, denominator rule, unit, version. From this list come the rate columns of
 * report_metrics and the percentile columns of `benchmarks` (views.sql's placeholders, filled by
 * `fillViewsSql`), the warehouse's `metrics` view, the data dictionary's comments, and the methods
 * shown on the pages: a definition cannot say one thing in SQL and another on a page.
 */

export interface Metric {
  /** Column of report_metrics. */
  readonly key: string;
  readonly name_zh: string;
  readonly name_en: string;
  /** The formula in report_metrics' column names. */
  readonly formula: string;
  /** The SQL of the numerator and the denominator over report_metrics' totals (`totals`: the view report_cell_totals). */
  readonly numerator: string;
  readonly denominator: string;
  /** What the denominator is, and what the metric is when it is 0 or missing. */
  readonly denominator_rule: string;
  readonly unit: string;
  /** Bumped when the definition changes. */
  readonly version: number;
}

const NA = '分母为 0 或缺失时为 NULL（不是 100%）— NULL (not 100%) when the denominator is 0 or missing';
const RATIO = '比率 0–1 — ratio 0–1';

export const METRICS: readonly Metric[] = [
  {
    key: 'grant_rate',
    name_zh: '予以公开率',
    name_en: 'Grant rate',
    formula: 'granted ÷ total_processed',
    numerator: 'totals.granted',
    denominator: 'totals.total_processed',
    denominator_rule: `T3（七）总计：本年办理结果合计。${NA}`,
    unit: RATIO,
    version: 1,
  },
  {
    key: 'substantive_open_rate',
    name_zh: '实质公开率',
    name_en: 'Substantive open rate',
    formula: '(granted + partial) ÷ total_processed',
    numerator: '(totals.granted + totals.partial)',
    denominator: 'totals.total_processed',
    denominator_rule: `T3（七）总计。${NA}`,
    unit: RATIO,
    version: 1,
  },
  {
    key: 'denial_rate',
    name_zh: '不予公开率',
    name_en: 'Denial rate',
    formula: 'denied ÷ total_processed',
    numerator: 'totals.denied',
    denominator: 'totals.total_processed',
    denominator_rule: `T3（七）总计。${NA}`,
    unit: RATIO,
    version: 1,
  },
  {
    key: 'completion_rate',
    name_zh: '办结率',
    name_en: 'Completion rate',
    formula: 'total_processed ÷ (requests_received + carried_over)',
    numerator: 'totals.total_processed',
    denominator: '(totals.requests_received + totals.carried_over)',
    denominator_rule: `本年新收 + 上年结转（第一项 + 第二项）。${NA}`,
    unit: RATIO,
    version: 1,
  },
  {
    key: 'review_correction_rate',
    name_zh: '复议纠错率',
    name_en: 'Review correction rate',
    formula: 'review_corrected ÷ (review_total − review_pending)',
    numerator: 'totals.review_corrected',
    denominator: '(totals.review_total - totals.review_pending)',
    denominator_rule: `已审结的行政复议（总计 − 尚未审结）。${NA}`,
    unit: RATIO,
    version: 1,
  },
  {
    key: 'litigation_correction_rate',
    name_zh: '诉讼纠错率',
    name_en: 'Litigation correction rate',
    formula: 'litigation_corrected ÷ (litigation_total − litigation_pending)',
    numerator: 'totals.litigation_corrected',
    denominator: '(totals.litigation_total - totals.litigation_pending)',
    denominator_rule: `已审结的行政诉讼（直接起诉与复议后起诉，总计 − 尚未审结）。${NA}`,
    unit: RATIO,
    version: 1,
  },
  {
    key: 'challenge_rate',
    name_zh: '复议诉讼率',
    name_en: 'Challenges per answered request',
    formula: '(review_total + litigation_total) ÷ total_processed',
    numerator: '(totals.review_total + totals.litigation_total)',
    denominator: 'totals.total_processed',
    denominator_rule: `T3（七）总计。${NA}`,
    unit: RATIO,
    version: 1,
  },
];

export const metricByKey = new Map(METRICS.map((m) => [m.key, m]));

/** The percentiles `benchmarks` gives of every metric (column `<key>_p25`, …). */
export const BENCHMARK_QUANTILES = [
  ['p25', 0.25],
  ['p50', 0.5],
  ['p75', 0.75],
] as const;

/** The label of the reports an agency CSV gives no region or level (benchmarks, pages). */
export const NO_REGION = '未分区';
export const NO_LEVEL = '未分级';
/** benchmarks' row over every region (or level). */
export const ALL = '全部';
