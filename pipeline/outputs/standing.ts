/**
 * Where a report stands among its peers: for every metric, its percentile among the reports of
 * the same year and level (one per agency and year: is_primary; level from the agency CSV,
 * 未分级 where none), beside the peers' P25/P50/P75 from `benchmarks`. Read in one query for
 * every report and shown on its page, with a link to the agency's page when it has one.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { ALL, METRICS, metricByKey, NO_LEVEL } from '../metrics.js';
import { AGENCIES_DIR, agencyPageId, MULTI_YEAR_AGENCIES } from './agency-ids.js';
import type { ReportGroup } from './audit-data.js';
import { formatValue } from './labels.js';
import { html, type Html } from './html.js';
import { finite, jsonRows } from './query.js';

export interface StandingRow {
  key: string;
  value: number | null;
  /** percent_rank among the peers with a value (0: lowest, 1: highest). */
  rank: number | null;
  /** Peers with a value (the report included). */
  peers: number;
  p25: number | null;
  p50: number | null;
  p75: number | null;
}

export interface Standing {
  year: number;
  level: string;
  rows: StandingRow[];
}

/** Sets `standing` (primary reports) and `agencyHref` (every report of an agency with a page) on the groups. */
export async function loadStanding(conn: DuckDBConnection, groups: readonly ReportGroup[]): Promise<void> {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const ranked = METRICS.map(
    (m) => `CASE WHEN ${m.key} IS NOT NULL THEN percent_rank() OVER (PARTITION BY year, level_label, ${m.key} IS NULL ORDER BY ${m.key}) END AS ${m.key}_rank,
            count(${m.key}) OVER (PARTITION BY year, level_label) AS ${m.key}_n`,
  );
  const rows = await jsonRows<[string, string | null, number | null, string | null, ...unknown[]]>(
    conn,
    `WITH multi AS (${MULTI_YEAR_AGENCIES}),
     m AS (
       SELECT *, coalesce(level, '${NO_LEVEL}') AS level_label FROM report_metrics WHERE is_primary AND year IS NOT NULL
     ), r AS (SELECT report_id, agency_norm, CAST(year AS INTEGER) AS year, level_label, ${METRICS.map((m) => m.key).join(', ')}, ${ranked.join(', ')} FROM m)
     SELECT json_array(a.report_id, CASE WHEN a.agency_norm IN (SELECT agency_norm FROM multi) THEN a.agency_norm END, r.year, r.level_label, ${METRICS.map(
       (m) => `${finite(`r.${m.key}`)}, ${finite(`r.${m.key}_rank`)}, r.${m.key}_n, ${finite(`b.${m.key}_p25`)}, ${finite(`b.${m.key}_p50`)}, ${finite(`b.${m.key}_p75`)}`,
     ).join(', ')})
     FROM report_metrics a LEFT JOIN r USING (report_id)
     LEFT JOIN benchmarks b ON b.year = r.year AND b.region = '${ALL}' AND b.level = r.level_label`,
  );
  for (const [id, norm, year, level, ...values] of rows) {
    const g = byId.get(id);
    if (!g) continue;
    if (norm) g.agencyHref = `../${AGENCIES_DIR}/${agencyPageId(norm)}.html`;
    if (year === null || level === null) continue;
    g.standing = {
      year, level,
      rows: METRICS.map((m, i) => {
        const [value, rank, peers, p25, p50, p75] = values.slice(i * 6, i * 6 + 6) as (number | null)[];
        return { key: m.key, value, rank, peers: Number(peers ?? 0), p25, p50, p75 };
      }),
    };
  }
}

/** The page's block: the report's metrics against its year and level. */
export function standingBlock(g: ReportGroup): Html {
  const agency = g.agencyHref ? html`<p><a href="${g.agencyHref}">该机构的历年情况（趋势、结转链）</a></p>` : '';
  const s = g.standing;
  if (!s) return html`<h2 id="standing">同年同级比较</h2>${agency}<p class="muted">本报告不参与比较（年度不明，或同一年度另一版本最先看到）。</p>`;
  const rows = s.rows.filter((r) => r.value !== null);
  const position = (r: StandingRow) =>
    r.peers < 2 || r.rank === null ? '同组只有本报告' : `第 ${Math.round(r.rank * 100)} 百分位（高于 ${Math.round(r.rank * (r.peers - 1))} 份，共 ${r.peers} 份）`;
  return html`<h2 id="standing">同年同级比较</h2>${agency}
<p class="muted">与 ${s.year} 年级别为“${s.level}”的报告（每机构每年一份）相比；百分位：0 为最低，100 为最高。定义见汇总页的“指标定义”。</p>
${rows.length ? html`<table class="list standing"><thead><tr><th>指标</th><th>本报告</th><th>位置</th><th>P25</th><th>P50</th><th>P75</th></tr></thead><tbody>${rows.map(
    (r) => html`<tr data-metric="${r.key}"><td>${metricByKey.get(r.key)?.name_zh ?? r.key}</td><td class="n">${formatValue(r.value, 'pct')}</td><td>${position(r)}</td><td class="n">${formatValue(r.p25, 'pct')}</td><td class="n">${formatValue(r.p50, 'pct')}</td><td class="n">${formatValue(r.p75, 'pct')}</td></tr>`,
  )}</tbody></table>` : html`<p class="muted">本报告没有可计算的比率（分母为 0 或缺失）。</p>`}`;
}
