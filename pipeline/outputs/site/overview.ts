/**
 * The index's charts (<out>/charts/): key totals and rates by year, the distribution of the grant
 * and review-correction rates per year, a heatmap of region × year of the share of reports with an
 * open error, and a quality panel (documents read, partly read, failed; reports passing every rule)
 * by year. Each is drawn from one aggregate query (one row per year, or year and region), so its
 * cost does not grow with the number of report pages.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { ALL, metricByKey, type Metric } from '../../../domain/index.js';
import { type Chart, type ChartColumn, type DrawSvg, startFigure } from './charts.js';
import type { OutputKeys } from './output-keys.js';
import { html, type Html } from './html.js';
import { queryRows } from '../query.js';

export const CHARTS_DIR = 'charts';

/** Vega-Lite's fold of wide rows into (key, value), the key shown by its Chinese label. */
export function foldAs(columns: readonly ChartColumn[], label = '指标', value = '数值'): Record<string, unknown>[] {
  const labels = Object.fromEntries(columns.map((c) => [c.key, c.label]));
  return [
    { fold: columns.map((c) => c.key), as: ['key', value] },
    { calculate: `${JSON.stringify(labels)}[datum.key]`, as: label },
  ];
}

/** A count axis: whole numbers only. */
export const COUNT_AXIS = { format: 'd', tickMinStep: 1 };
/** The counts the charts draw (report_metrics' columns, and the quality panel's), by their Chinese labels. */
const COUNT_LABELS: Record<string, string> = {
  requests_received: '本年新收申请',
  carried_over: '上年结转',
  total_processed: '本年办理结果合计',
  granted: '予以公开',
  carried_forward: '结转下年度',
  review_total: '行政复议',
  litigation_total: '行政诉讼',
  open_errors: '错误',
  documents_ok: '完整识别的文件',
  documents_partial: '部分识别的文件',
  documents_failed: '读取失败的文件',
  reports: '报告',
  reports_passing: '通过全部规则的报告',
};
export const countColumns = (...keys: string[]): ChartColumn[] =>
  keys.map((key) => ({ key, label: COUNT_LABELS[key] ?? key, format: 'int' }));

const YEAR: ChartColumn = { key: 'year', label: '年度' };
const metricColumn = (m: Metric, suffix = '', label = m.name_zh): ChartColumn => ({
  key: `${m.key}${suffix}`,
  label,
  format: 'pct',
});
const metric = (key: string): Metric => metricByKey.get(key)!;

/** Lines by year of the folded columns. */
export function linesByYear(columns: readonly ChartColumn[], yTitle: string, pct: boolean): Record<string, unknown> {
  return {
    width: 420,
    height: 220,
    transform: foldAs(columns),
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'year', type: 'ordinal', title: '年度', axis: { labelAngle: 0 } },
      y: { field: '数值', type: 'quantitative', title: yTitle, axis: pct ? { format: '.0%' } : COUNT_AXIS },
      color: { field: '指标', type: 'nominal', title: null, sort: columns.map((c) => c.label) },
    },
  };
}

/** Bars side by side per x value (a year, a pair of years), one per folded column. */
export function groupedBars(
  columns: readonly ChartColumn[],
  xField: string,
  yTitle: string,
  width: number,
): Record<string, unknown> {
  const sort = columns.map((c) => c.label);
  return {
    width,
    height: 220,
    transform: foldAs(columns),
    mark: 'bar',
    encoding: {
      x: { field: xField, type: 'ordinal', title: '年度', axis: { labelAngle: 0 } },
      xOffset: { field: '指标', sort },
      y: { field: '数值', type: 'quantitative', title: yTitle, axis: COUNT_AXIS },
      color: { field: '指标', type: 'nominal', title: null, sort },
    },
  };
}

async function totalsChart(conn: DuckDBConnection): Promise<Chart> {
  const columns = countColumns('requests_received', 'total_processed', 'granted', 'review_total', 'litigation_total');
  const rows = await queryRows(
    conn,
    `SELECT CAST(year AS INTEGER) AS year, CAST(count(*) AS INTEGER) AS reports,
            ${columns.map((c) => `CAST(sum(${c.key}) AS DOUBLE) AS ${c.key}`).join(', ')}
     FROM report_metrics WHERE is_primary AND year IS NOT NULL GROUP BY ALL ORDER BY year`,
  );
  return {
    name: 'totals-by-year',
    title: '主要数量的年度合计',
    note: '每机构每年一份报告（is_primary）的合计',
    spec: linesByYear(columns, '件数', false),
    rows,
    columns: [YEAR, { key: 'reports', label: '报告数', format: 'int' }, ...columns],
  };
}

const TREND_METRICS = [
  'grant_rate',
  'substantive_open_rate',
  'completion_rate',
  'review_correction_rate',
  'litigation_correction_rate',
];

async function ratesChart(conn: DuckDBConnection): Promise<Chart> {
  const columns = TREND_METRICS.map((k) => metricColumn(metric(k), '_p50'));
  const rows = await queryRows(
    conn,
    `SELECT year, reports, ${columns.map((c) => c.key).join(', ')} FROM benchmarks WHERE region = '${ALL}' AND level = '${ALL}' ORDER BY year`,
  );
  return {
    name: 'rates-by-year',
    title: '主要比率的年度中位数（P50）',
    note: '各报告比率的中位数；定义见下方“指标定义”',
    spec: linesByYear(columns, '比率（中位数）', true),
    rows,
    columns: [YEAR, { key: 'reports', label: '报告数', format: 'int' }, ...columns],
  };
}

const DISTRIBUTION_METRICS = ['grant_rate', 'review_correction_rate'];

async function distributionChart(conn: DuckDBConnection): Promise<Chart> {
  const rows = await queryRows(
    conn,
    DISTRIBUTION_METRICS.map(
      (
        k,
      ) => `SELECT CAST(year AS INTEGER) AS year, '${k}' AS metric, '${metric(k).name_zh}' AS metric_zh, CAST(count(${k}) AS INTEGER) AS n,
                     min(${k}) AS min, quantile_cont(${k}, 0.25) AS p25, quantile_cont(${k}, 0.5) AS p50, quantile_cont(${k}, 0.75) AS p75, max(${k}) AS max
              FROM report_metrics WHERE is_primary AND year IS NOT NULL AND ${k} IS NOT NULL GROUP BY ALL`,
    ).join(' UNION ALL ') + ' ORDER BY metric, year',
  );
  const x = { field: 'year', type: 'ordinal', title: '年度', axis: { labelAngle: 0 } };
  const pct = { format: '.0%' };
  return {
    name: 'rate-distribution',
    title: '予以公开率和复议纠错率的分布（每年）',
    note: '竖线：最小至最大；方框：P25 至 P75；横线：中位数',
    spec: {
      facet: { column: { field: 'metric_zh', type: 'nominal', title: null } },
      spec: {
        width: 260,
        height: 200,
        layer: [
          {
            mark: { type: 'rule', color: '#5f6670' },
            encoding: {
              x,
              y: { field: 'min', type: 'quantitative', title: '比率', axis: pct, scale: { domain: [0, 1] } },
              y2: { field: 'max' },
            },
          },
          {
            mark: { type: 'bar', size: 16, color: '#9fbbe6' },
            encoding: { x, y: { field: 'p25', type: 'quantitative', title: '比率' }, y2: { field: 'p75' } },
          },
          {
            mark: { type: 'tick', color: '#23395d', thickness: 2, size: 18 },
            transform: [
              {
                calculate:
                  "datum.metric_zh + ' ' + datum.year + ' 年：中位数 ' + format(datum.p50, '.1%') + '，P25–P75 ' + format(datum.p25, '.1%') + '–' + format(datum.p75, '.1%') + '，' + datum.n + ' 份报告'",
                as: 'desc',
              },
            ],
            encoding: { x, y: { field: 'p50', type: 'quantitative', title: '比率' }, description: { field: 'desc' } },
          },
        ],
      },
      resolve: { scale: { x: 'independent' } },
    },
    rows,
    columns: [
      YEAR,
      { key: 'metric', label: '键' },
      { key: 'metric_zh', label: '指标' },
      { key: 'n', label: '报告数', format: 'int' },
      ...(['min', 'p25', 'p50', 'p75', 'max'] as const).map((k) => ({
        key: k,
        label: k.toUpperCase(),
        format: 'pct' as const,
      })),
    ],
  };
}

async function errorsHeatmap(conn: DuckDBConnection): Promise<Chart> {
  const rows = await queryRows(
    conn,
    `SELECT region, year, reports, error_share FROM benchmarks WHERE level = '${ALL}' AND region <> '${ALL}' ORDER BY region, year`,
  );
  const x = { field: 'year', type: 'ordinal', title: '年度', axis: { labelAngle: 0 } };
  const y = { field: 'region', type: 'nominal', title: '地区' };
  return {
    name: 'errors-by-region',
    title: '有错误的报告比例：地区 × 年度',
    note: '有未被排除的错误级发现的报告所占比例；未分区：机构表未给出地区',
    spec: {
      width: { step: 56 },
      height: { step: 24 },
      layer: [
        {
          mark: 'rect',
          encoding: {
            x,
            y,
            color: {
              field: 'error_share',
              type: 'quantitative',
              title: '比例',
              scale: { domain: [0, 1], scheme: 'oranges' },
              legend: { format: '.0%' },
            },
          },
        },
        {
          mark: { type: 'text', fontSize: 11 },
          encoding: {
            x,
            y,
            text: { field: 'error_share', type: 'quantitative', format: '.0%' },
            color: { condition: { test: 'datum.error_share > 0.6', value: 'white' }, value: 'black' },
          },
        },
      ],
    },
    rows,
    columns: [
      { key: 'region', label: '地区' },
      YEAR,
      { key: 'reports', label: '报告数', format: 'int' },
      { key: 'error_share', label: '有错误的比例', format: 'pct' },
    ],
  };
}

async function qualityChart(conn: DuckDBConnection): Promise<Chart> {
  const columns = countColumns('documents_ok', 'documents_partial', 'documents_failed', 'reports', 'reports_passing');
  const rows = await queryRows(
    conn,
    `WITH docs AS (
       SELECT coalesce(CAST(year AS VARCHAR), '年度不明') AS year,
              CAST(count(*) FILTER (WHERE status = 'ok') AS INTEGER) AS documents_ok,
              CAST(count(*) FILTER (WHERE status = 'partial') AS INTEGER) AS documents_partial,
              CAST(count(*) FILTER (WHERE status = 'failed') AS INTEGER) AS documents_failed
       FROM reports GROUP BY ALL
     ), counted AS (SELECT DISTINCT group_id FROM findings WHERE counted AND group_id IS NOT NULL),
     reps AS (
       SELECT coalesce(CAST(m.year AS VARCHAR), '年度不明') AS year, CAST(count(*) AS INTEGER) AS reports,
              CAST(count(*) FILTER (WHERE c.group_id IS NULL) AS INTEGER) AS reports_passing
       FROM report_metrics m LEFT JOIN counted c ON c.group_id = m.report_id GROUP BY ALL
     )
     SELECT year, coalesce(documents_ok, 0) AS documents_ok, coalesce(documents_partial, 0) AS documents_partial,
            coalesce(documents_failed, 0) AS documents_failed, coalesce(reports, 0) AS reports, coalesce(reports_passing, 0) AS reports_passing
     FROM docs FULL JOIN reps USING (year) ORDER BY year = '年度不明', year`,
  );
  return {
    name: 'quality-by-year',
    title: '读取和检查的质量（每年）',
    note: '文件按其统计年度；通过全部规则：没有计入的发现（任何级别）',
    spec: groupedBars(columns, 'year', '个数', 480),
    rows,
    columns: [YEAR, ...columns],
  };
}

/** The metric dictionary as the pages show it (the `metrics` view's rows). */
export function metricsTable(): Html {
  return html`<table class="list metrics"><thead><tr><th>指标</th><th>键</th><th>公式</th><th>分母</th><th>单位</th><th>版本</th></tr></thead><tbody>${[
    ...metricByKey.values(),
  ].map(
    (m) =>
      html`<tr><td>${m.name_zh}<br><span class="muted">${m.name_en}</span></td><td><code>${m.key}</code></td><td>${m.formula}</td><td>${m.denominator_rule}</td><td>${m.unit}</td><td class="n">${m.version}</td></tr>`,
  )}</tbody></table>`;
}

/**
 * Reads the index's charts from the warehouse and starts them (drawn with `draw`, while the
 * caller goes on; kept ones read back), into `dir` (<out>/charts, staged); `overviewSection`
 * finishes them.
 */
export async function startOverview(
  conn: DuckDBConnection,
  dir: string,
  previousDir: string | null = null,
  keys: OutputKeys | null = null,
  draw?: DrawSvg,
): Promise<(() => Promise<Html>)[]> {
  const charts = [
    await totalsChart(conn),
    await ratesChart(conn),
    await distributionChart(conn),
    await errorsHeatmap(conn),
    await qualityChart(conn),
  ];
  return charts.map((c) => startFigure(c, dir, CHARTS_DIR, previousDir, keys, draw));
}

/** The index's section of the charts (`startOverview`'s, finished here) and the lists of agency and region pages. */
export async function overviewSection(charts: readonly (() => Promise<Html>)[], pagesIndex: Html): Promise<Html> {
  const figures: Html[] = [];
  for (const finish of charts) figures.push(await finish());
  return html`<h2 id="overview">总览：趋势、分布和质量</h2>
<p class="muted">每机构每年计一份报告。比率的定义见<a href="#metrics">指标定义</a>；各年度、地区、级别的 P25/P50/P75 见数据库的 <code>benchmarks</code> 视图。每张图下有其数字，旁边有 CSV 文件。</p>
<div class="charts">${figures}</div>
${pagesIndex}
<h3 id="metrics">指标定义</h3>${metricsTable()}`;
}
