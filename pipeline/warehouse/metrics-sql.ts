/**
 * The SQL the metric definitions (domain/metrics.ts) generate: report_metrics' rates, benchmarks' percentiles, the
 * metrics view.
 */
import { BENCHMARK_QUANTILES, METRICS } from '../../domain/index.js';
import { sqlString } from '../common/index.js';

/** views.sql with its generated parts: report_metrics' rate columns and benchmarks' percentiles. */
export function fillViewsSql(views: string): string {
  const rates = METRICS.map(
    (m) => `       -- ${m.name_zh} = ${m.formula}\n       ${m.numerator} / nullif(${m.denominator}, 0) AS ${m.key},`,
  ).join('\n');
  const quantiles = METRICS.flatMap((m) =>
    BENCHMARK_QUANTILES.map(([name, q]) => `       quantile_cont(${m.key}, ${q}) AS ${m.key}_${name},`),
  ).join('\n');
  return views
    .replace('-- @metric_rates', rates.trimStart())
    .replace('-- @benchmark_quantiles', quantiles.trimStart())
    .replace('-- @metrics_view', metricsView());
}

/**
 * The `metrics` view: the dictionary's rows as constants (a view rather than a table: it holds no
 * data blocks, and it is replaced with the other views whenever the dictionary changes).
 */
function metricsView(): string {
  const values = METRICS.map(
    (m) =>
      `(${[m.key, m.name_zh, m.name_en, m.formula, m.denominator_rule, m.unit].map(sqlString).join(', ')}, ${m.version})`,
  );
  return `CREATE OR REPLACE VIEW metrics AS
SELECT * FROM (VALUES ${values.join(',\n  ')}) AS m(key, name_zh, name_en, formula, denominator_rule, unit, version);`;
}
