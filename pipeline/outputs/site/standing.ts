/**
 * Where a report stands among its peers: for every metric, its percentile among the reports of
 * the same year and level (one per agency and year: is_primary; level from the agency CSV,
 * 未分级 where none), beside the peers' P25/P50/P75 (quantile_cont, as `benchmarks` computes
 * them). Read in one query for every report.
 *
 * The report's page carries its own values; its peers' values are in one file per year and level
 * (<out>/peers/<year>-<level>.js, written every run), which the page loads and its script reads
 * to fill in the position and the quartiles (page.ts). A new report changes that file, not the
 * page of every report of its year and level: a page is rewritten only when what it carries
 * changes (page-keys.ts).
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { DuckDBConnection } from '@duckdb/node-api';
import { METRICS, metricByKey, NO_LEVEL } from '../../../domain/index.js';
import { AGENCIES_DIR, agencyPageId } from './agency-ids.js';
import { writePage } from '../files.js';
import { formatValue } from './labels.js';
import { html, type Html } from './html.js';
import { PEERS_GLOBAL } from './page.js';
import { eachNamedRow, finite } from '../query.js';

/** What the standing reads and fills of a report group (audit-data.ts's ReportGroup). */
export interface StandingTarget {
  id: string;
  standing?: Standing;
  agencyHref?: string;
}

/** The peers' files' folder in --out (beside the report pages). */
export const PEERS_DIR = 'peers';

export interface Standing {
  year: number;
  level: string;
  /** Its peers' file, relative to the report pages. */
  peers: string;
  /**
   * Its value of every metric, in the order of METRICS (held for every report through the run: at
   * 50,000 reports an object per metric and report held 20 MB more than these arrays).
   */
  values: (number | null)[];
}

/** The peers of one year and level: each metric's values, sorted, nulls left out. */
export interface PeerGroup {
  file: string;
  values: Record<string, number[]>;
}

const peersFile = (year: number, level: string): string =>
  `${year}-${createHash('sha256').update(level, 'utf8').digest('hex').slice(0, 10)}.js`;

/** A report's metrics, as `loadStanding` reads them: `metric_values` in the order of METRICS. */
interface MetricsRow {
  report_id: string;
  agency_norm: string | null;
  is_primary: boolean;
  year: number | null;
  level: string;
  metric_values: (number | null)[];
}

/**
 * Sets `standing` (primary reports) and `agencyHref` (every report of an agency with a page) on
 * the groups, and returns the peers of every year and level (`writePeers`). One scan of
 * report_metrics: as windows and a join with benchmarks, the query evaluated report_metrics four
 * times and, under a small DuckDB memory limit, spilled to disk (full-disk.test).
 */
export async function loadStanding(conn: DuckDBConnection, groups: readonly StandingTarget[]): Promise<PeerGroup[]> {
  const byId = new Map(groups.map((g) => [g.id, g]));
  // the peers: primary reports of a year and level; the agencies with a page: primary reports of two years or more
  const peers = new Map<string, PeerGroup>();
  const yearsOf = new Map<string, Set<number>>();
  // each report's agency, linked once every year is counted
  const agencyOf = new Map<StandingTarget, string>();
  // streamed, each row taken as it comes (DuckDB's whole result, then every row held at once, were
  // each a step of the outputs' peak at 50,000 reports)
  await eachNamedRow<MetricsRow>(
    conn,
    `SELECT report_id, agency_norm, is_primary, CAST(year AS INTEGER) AS year, coalesce(level, '${NO_LEVEL}') AS level,
            [${METRICS.map((m) => finite(m.key)).join(', ')}] AS metric_values
     FROM report_metrics`,
    ({ report_id: id, agency_norm: norm, is_primary: primary, year, level, metric_values: values }) => {
      const g = byId.get(id);
      if (g && norm) agencyOf.set(g, norm);
      if (!primary || year === null) return;
      const key = `${year}\u0001${level}`;
      let group = peers.get(key);
      if (!group)
        peers.set(
          key,
          (group = { file: peersFile(year, level), values: Object.fromEntries(METRICS.map((m) => [m.key, []])) }),
        );
      METRICS.forEach((m, i) => values[i] !== null && group.values[m.key].push(values[i]));
      if (norm) yearsOf.set(norm, (yearsOf.get(norm) ?? new Set()).add(year));
      if (g) g.standing = { year, level, peers: `../${PEERS_DIR}/${group.file}`, values };
    },
  );
  for (const group of peers.values()) for (const l of Object.values(group.values)) l.sort((x, y) => x - y);
  for (const [g, norm] of agencyOf)
    if ((yearsOf.get(norm)?.size ?? 0) >= 2) g.agencyHref = `../${AGENCIES_DIR}/${agencyPageId(norm)}.html`;
  return [...peers.values()];
}

/**
 * Writes the peers' files into `dir` (<out>/peers, staged); one equal to the one published in `previousDir` keeps it.
 */
export function writePeers(peers: readonly PeerGroup[], dir: string, previousDir: string | null = null): void {
  mkdirSync(dir, { recursive: true });
  for (const p of peers) writePage(dir, previousDir, p.file, `window.${PEERS_GLOBAL} = ${JSON.stringify(p.values)};\n`);
}

/**
 * The page's block: the report's metrics, whose position among its peers and the peers'
 * quartiles the page's script fills in from the peers' file (STANDING_SCRIPT in page.ts:
 * percent_rank and quantile_cont as DuckDB computes them). `data-value` is the value as
 * JavaScript prints it, read back exactly.
 */
export function standingBlock(g: StandingTarget): Html {
  const agency = g.agencyHref ? html`<p><a href="${g.agencyHref}">该机构的历年情况（趋势、结转链）</a></p>` : '';
  const s = g.standing;
  if (!s)
    return html`<h2 id="standing">同年同级比较</h2>${agency}<p class="muted">本报告不参与比较（年度不明，或同一年度另一版本最先看到）。</p>`;
  const rows = METRICS.flatMap((m, i) => (s.values[i] === null ? [] : [{ key: m.key, value: s.values[i] }]));
  return html`<h2 id="standing">同年同级比较</h2>${agency}
<p class="muted">与 ${s.year} 年级别为“${s.level}”的报告（每机构每年一份）相比；百分位：0 为最低，100 为最高。定义见汇总页的“指标定义”。</p>
${
  rows.length
    ? html`<table class="list standing" data-peers><thead><tr><th>指标</th><th>本报告</th><th>位置</th><th>P25</th><th>P50</th><th>P75</th></tr></thead><tbody>${rows.map(
        (r) =>
          html`<tr data-metric="${r.key}" data-value="${String(r.value)}"><td>${metricByKey.get(r.key)?.name_zh ?? r.key}</td><td class="n">${formatValue(r.value, 'pct')}</td><td>—</td><td class="n">—</td><td class="n">—</td><td class="n">—</td></tr>`,
      )}</tbody></table><script src="${s.peers}"></script>`
    : html`<p class="muted">本报告没有可计算的比率（分母为 0 或缺失）。</p>`
}`;
}
