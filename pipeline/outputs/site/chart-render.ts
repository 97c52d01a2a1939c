/**
 * Drawing a chart: a Vega-Lite specification rendered to SVG (vega's headless renderer, no canvas
 * and no browser), its ids made stable. Apart from the figures (charts.ts) so that a worker thread
 * can draw (chart-drawer.ts) without loading the outputs' other modules.
 */
import type { View } from 'vega';
import type { TopLevelSpec } from 'vega-lite';

/** A row of a chart's data. */
type Row = Record<string, unknown>;

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
