/**
 * Charts: Vega-Lite specifications rendered to SVG in the run (vega's headless renderer, no canvas
 * and no browser), written as files beside the data they draw (CSV) and inlined in the page. An
 * inline SVG carries no script and no style attribute, so the pages' Content-Security-Policy
 * holds and nothing loads from the network; the page's fonts (Chinese ones first) draw its text.
 * Each chart's marks keep Vega's aria-label ("年度: 2022; 数值: 10"), and a table under it gives
 * the same numbers, for a reader, a printout and the tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePage } from '../files.js';
import { keyedUnit, type OutputKeys } from './output-keys.js';
import type { View } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { html, trusted, type Html } from './html.js';
import { toCsv } from '../exports/exports.js';
import { formatValue } from './labels.js';
import type { Row } from '../query.js';

export { formatValue };

/** The pages' Chinese font stack (page.ts), for the text of the charts. */
export const CHART_FONT =
  'PingFang SC, Hiragino Sans GB, Microsoft YaHei, Noto Sans CJK SC, Source Han Sans SC, WenQuanYi Micro Hei, sans-serif';

const CONFIG = {
  font: CHART_FONT,
  background: 'white',
  axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 200 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 260 },
  title: { fontSize: 14 },
  view: { stroke: '#d5d8dd' },
  // a colour-blind-safe palette that prints in grey too
  range: { category: ['#1a56b8', '#d95f02', '#1b9e77', '#7570b3', '#e7298a', '#66a61e', '#a6761d', '#666666'] },
};

/** Data set the specs are compiled with (the rows are put in when a chart is drawn). */
const DATA = 'rows';
/**
 * A view per spec (by its text), drawn again with each chart's rows: compiling, parsing and
 * building the view took most of a chart's time, and an agency's page draws the same two specs
 * with other rows (keeping the parsed spec saves about half of a page's time, keeping the view most
 * of the rest; measured: docs/performance.md).
 * Draws of one view wait for each other (`busy`), so concurrent callers never mix their rows.
 */
const views = new Map<string, { view: View; busy: Promise<unknown> }>();
const MAX_VIEWS = 50;

/** vega and vega-lite, loaded on the first chart (a second or more to load: not on every start of the CLI). */
let libraries: Promise<[typeof import('vega'), typeof import('vega-lite')]> | null = null;
const loadLibraries = () => (libraries ??= Promise.all([import('vega'), import('vega-lite')]));

async function viewFor(spec: Record<string, unknown>): Promise<{ view: View; busy: Promise<unknown> }> {
  const text = JSON.stringify(spec);
  let entry = views.get(text);
  if (!entry) {
    const [vega, { compile }] = await loadLibraries();
    entry = views.get(text); // made while the libraries loaded
    if (entry) return entry;
    const full = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      ...spec,
      data: { name: DATA },
      config: CONFIG,
    } as unknown as TopLevelSpec;
    if (views.size >= MAX_VIEWS) {
      for (const e of views.values()) void e.busy.finally(() => e.view.finalize());
      views.clear();
    }
    entry = { view: new vega.View(vega.parse(compile(full).spec), { renderer: 'none' }), busy: Promise.resolve() };
    views.set(text, entry);
  }
  return entry;
}

/**
 * The SVG's ids (vega numbers its gradients and clips from a counter of the process) renamed
 * `<prefix>-<n>` in order: the same chart draws the same bytes in every run, and two charts
 * inlined in one page never share an id.
 */
export function stableIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  const named = svg.replace(/ id="([^"]+)"/g, (_, id: string) => {
    const next = `${prefix}-${ids.size}`;
    ids.set(id, next);
    return ` id="${next}"`;
  });
  return named.replace(/(url\(#|href="#)([^)"]+)/g, (m, lead: string, id: string) =>
    ids.has(id) ? `${lead}${ids.get(id)}` : m,
  );
}

/** Renders a Vega-Lite spec (without data: `values` are put in) to an SVG text, its ids prefixed `idPrefix`. */
export async function renderSvg(
  spec: Record<string, unknown>,
  values: readonly Row[],
  idPrefix = 'chart',
): Promise<string> {
  const entry = await viewFor(spec);
  const draw = entry.busy.then(async () => {
    entry.view.data(
      DATA,
      values.map((r) => ({ ...r })),
    );
    return stableIds(await entry.view.toSVG(), idPrefix);
  });
  entry.busy = draw.catch(() => undefined);
  return draw;
}

export interface ChartColumn {
  key: string;
  label: string;
  /** 'pct': a ratio shown as a percentage in the table (the CSV keeps the ratio). */
  format?: 'pct' | 'int';
  /** The cell's link (the report page of the figure), if any. */
  href?: (row: Row) => string | null;
}

export interface Chart {
  /** File name without extension: <dir>/<name>.svg and <dir>/<name>.csv. */
  name: string;
  title: string;
  /** What it shows, under the title. */
  note?: string;
  spec: Record<string, unknown>;
  rows: Row[];
  columns: ChartColumn[];
}

/** The files `chartFigure` writes for a chart (none for a chart with no row). */
export const chartFiles = (chart: Chart): string[] =>
  chart.rows.length ? [`${chart.name}.svg`, `${chart.name}.csv`] : [];

/**
 * Renders a chart, writes its SVG and CSV into `dir` (linked from the page as `<hrefDir>/<name>.*`)
 * and returns its figure: the inline SVG, the links, and the table of its numbers. With `keys`, a
 * chart whose rows and spec are those its published files were drawn from keeps them: its SVG is
 * read back, not drawn (output-keys.ts).
 */
export async function chartFigure(
  chart: Chart,
  dir: string,
  hrefDir: string,
  previousDir: string | null = null,
  keys: OutputKeys | null = null,
): Promise<Html> {
  if (chart.rows.length === 0) {
    return html`<figure class="chart" id="chart-${chart.name}"><figcaption><b>${chart.title}</b></figcaption><p class="muted">没有可画的数据。</p></figure>`;
  }
  const unit = keyedUnit(keys, `chart ${chart.name}`, () => chart, dir, previousDir);
  let svg: string;
  if (unit?.kept) svg = readFileSync(join(previousDir!, `${chart.name}.svg`), 'utf8');
  else {
    svg = await renderSvg(chart.spec, chart.rows, chart.name);
    // a file equal to the one published in `previousDir` keeps it (its time unchanged)
    writePage(dir, previousDir, `${chart.name}.svg`, svg);
    writePage(
      dir,
      previousDir,
      `${chart.name}.csv`,
      toCsv({ columns: chart.columns.map((c) => c.key), rows: chart.rows }),
    );
    unit?.made(chartFiles(chart));
  }
  const cell = (c: ChartColumn, r: Row) => {
    const text = formatValue(r[c.key], c.format);
    const href = c.href?.(r);
    return html`<td class="${typeof r[c.key] === 'number' ? 'n' : ''}" data-key="${c.key}" data-value="${r[c.key] ?? ''}">${href ? html`<a href="${href}">${text}</a>` : text}</td>`;
  };
  return html`<figure class="chart" id="chart-${chart.name}" data-chart="${chart.name}">
<figcaption><b>${chart.title}</b>${chart.note ? html` <span class="muted">${chart.note}</span>` : ''}
 <span class="muted">（<a href="${hrefDir}/${chart.name}.csv">数据 CSV</a> · <a href="${hrefDir}/${chart.name}.svg">SVG</a>）</span></figcaption>
<div class="svg">${trusted(svg)}</div>
<details class="chart-data"><summary>图中数字</summary><div class="scroll"><table class="list chart-data"><thead><tr>${chart.columns.map((c) => html`<th>${c.label}</th>`)}</tr></thead>
<tbody>${chart.rows.map((r) => html`<tr>${chart.columns.map((c) => cell(c, r))}</tr>`)}</tbody></table></div></details>
</figure>`;
}
