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
import { renderSvg } from './chart-render.js';
import { writePage } from '../files.js';
import { keyedUnit, type OutputKeys } from './output-keys.js';
import { html, trusted, type Html } from './html.js';
import { toCsv } from '../exports/exports.js';
import { formatValue } from './labels.js';
import type { Row } from '../query.js';

export { formatValue };

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

/** Draws a chart's SVG (`renderSvg` on this thread, or a `ChartDrawer`'s thread). */
export type DrawSvg = (spec: Record<string, unknown>, rows: readonly Row[], idPrefix: string) => Promise<string>;

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
  return startFigure(chart, dir, hrefDir, previousDir, keys)();
}

/**
 * `chartFigure` in two steps: the chart's drawing starts now (with `draw`), and the function
 * returned finishes the figure (waits for the SVG, writes the files, returns the figure).
 */
export function startFigure(
  chart: Chart,
  dir: string,
  hrefDir: string,
  previousDir: string | null = null,
  keys: OutputKeys | null = null,
  draw: DrawSvg = renderSvg,
): () => Promise<Html> {
  if (chart.rows.length === 0) {
    return async () =>
      html`<figure class="chart" id="chart-${chart.name}"><figcaption><b>${chart.title}</b></figcaption><p class="muted">没有可画的数据。</p></figure>`;
  }
  const unit = keyedUnit(keys, `chart ${chart.name}`, () => chart, dir, previousDir);
  const drawn = unit?.kept ? null : draw(chart.spec, chart.rows, chart.name);
  // awaited when the figure is finished: a failure surfaces there
  drawn?.catch(() => undefined);
  return async () => {
    let svg: string;
    if (drawn === null) svg = readFileSync(join(previousDir!, `${chart.name}.svg`), 'utf8');
    else {
      svg = await drawn;
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
    return figureOf(chart, svg, hrefDir);
  };
}

/** A chart's figure: its inline SVG, links to its files, and the table of its numbers. */
function figureOf(chart: Chart, svg: string, hrefDir: string): Html {
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
