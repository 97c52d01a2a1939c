/**
 * Where a report stands among its peers: for every metric, its percentile among the reports of
 * the same year and level (one per agency and year: is_primary; level from the agency CSV,
 * 未分级 where none), beside the peers' P25/P50/P75 (quantile_cont, as `benchmarks` computes
 * them). Read in one query for every report and shown on its page, with a link to the agency's
 * page when it has one.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { METRICS, metricByKey, NO_LEVEL } from '../metrics.js';
import { AGENCIES_DIR, agencyPageId } from './agency-ids.js';
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

/** quantile_cont as DuckDB computes it (linear between the two nearest of the sorted values). */
export function quantileCont(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Sets `standing` (primary reports) and `agencyHref` (every report of an agency with a page) on
 * the groups. One scan of report_metrics, the ranks and percentiles computed here: as windows and
 * a join with benchmarks, the query evaluated report_metrics four times and, under a small DuckDB
 * memory limit, spilled to disk (full-disk.test).
 */
export async function loadStanding(conn: DuckDBConnection, groups: readonly ReportGroup[]): Promise<void> {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const rows = await jsonRows<[string, string | null, boolean, number | null, string, ...(number | null)[]]>(
    conn,
    `SELECT json_array(report_id, agency_norm, is_primary, CAST(year AS INTEGER), coalesce(level, '${NO_LEVEL}'), ${METRICS.map((m) => finite(m.key)).join(', ')})
     FROM report_metrics`,
  );
  // the peers: primary reports of a year and level; the agencies with a page: primary reports of two years or more
  const peers = new Map<string, number[][]>();
  const yearsOf = new Map<string, Set<number>>();
  for (const [, norm, primary, year, level, ...values] of rows) {
    if (!primary || year === null) continue;
    const key = `${year}\u0001${level}`;
    const lists = peers.get(key) ?? METRICS.map(() => []);
    values.forEach((v, i) => v !== null && lists[i].push(v));
    peers.set(key, lists);
    if (norm) yearsOf.set(norm, (yearsOf.get(norm) ?? new Set()).add(year));
  }
  for (const lists of peers.values()) for (const l of lists) l.sort((x, y) => x - y);
  for (const [id, norm, primary, year, level, ...values] of rows) {
    const g = byId.get(id);
    if (!g) continue;
    if (norm && (yearsOf.get(norm)?.size ?? 0) >= 2) g.agencyHref = `../${AGENCIES_DIR}/${agencyPageId(norm)}.html`;
    if (!primary || year === null) continue;
    const lists = peers.get(`${year}\u0001${level}`)!;
    g.standing = {
      year, level,
      rows: METRICS.map((m, i) => {
        const sorted = lists[i];
        const value = values[i];
        // percent_rank: the share of the other peers below this value
        const below = value === null ? 0 : sorted.findIndex((v) => v >= value);
        const rank = value === null ? null : sorted.length < 2 ? 0 : (below < 0 ? sorted.length : below) / (sorted.length - 1);
        return {
          key: m.key, value, rank, peers: sorted.length,
          p25: quantileCont(sorted, 0.25), p50: quantileCont(sorted, 0.5), p75: quantileCont(sorted, 0.75),
        };
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
