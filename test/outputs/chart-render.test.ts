/**
 * Charts drawn with a kept view (charts.ts): a chart's SVG depends on its rows only, never on the
 * rows drawn before with the same spec, nor on draws running at the same time; and its ids are
 * the same in every run.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers.js';
import { ChartDrawer } from '../../pipeline/outputs/site/chart-drawer.js';
import { renderSvg } from '../../pipeline/outputs/site/chart-render.js';
import { countColumns, groupedBars, linesByYear } from '../../pipeline/outputs/site/overview.js';

const rates = [
  { key: 'grant_rate', label: '予以公开率', format: 'pct' as const },
  { key: 'review_correction_rate', label: '复议纠错率', format: 'pct' as const },
];
const spec = linesByYear(rates, '比率', true);
// B: two years, both rates; A: five years, one rate NULL throughout, other values
const B = [
  { year: 2021, grant_rate: 0.25, review_correction_rate: 0.5 },
  { year: 2022, grant_rate: 0.75, review_correction_rate: 0.125 },
];
const A = [2019, 2020, 2021, 2022, 2023].map((year, i) => ({ year, grant_rate: i / 10, review_correction_rate: null }));

describe('a kept chart view', () => {
  it('draws the same SVG for the same rows whatever it drew before', async () => {
    const first = await renderSvg(spec, B, 'x');
    const other = await renderSvg(spec, A, 'x');
    expect(other).not.toBe(first);
    expect(other).not.toContain('复议纠错率: ');
    expect(await renderSvg(spec, B, 'x')).toBe(first);
    expect(first).toContain('年度: 2022; 比率: 75%; 指标: 予以公开率');
    expect(first).toContain('年度: 2021; 比率: 50%; 指标: 复议纠错率');
  });

  it('keeps draws running at the same time apart', async () => {
    const bars = groupedBars(countColumns('carried_forward', 'carried_over'), 'pair', '件数', 300);
    const rows = (n: number) => [{ pair: '2021→2022', carried_forward: n, carried_over: n + 1 }];
    const svgs = await Promise.all([1, 2, 3, 4].map((n) => renderSvg(bars, rows(n * 10), `c${n}`)));
    svgs.forEach((svg, i) => {
      const n = (i + 1) * 10;
      expect(svg).toContain(`年度: 2021→2022; 件数: ${n}; 指标: 结转下年度`);
      expect(svg).toContain(`年度: 2021→2022; 件数: ${n + 1}; 指标: 上年结转`);
    });
  });

  it('names its ids after the chart, the same every time', async () => {
    const heat = {
      mark: 'rect',
      encoding: {
        x: { field: 'year', type: 'ordinal' },
        y: { field: 'region', type: 'nominal' },
        color: { field: 'share', type: 'quantitative' },
      },
    };
    const rows = [{ year: 2022, region: '甲市', share: 0.5 }];
    const one = await renderSvg(heat, rows, 'heat');
    const two = await renderSvg({ ...heat, width: 200 }, rows, 'heat');
    expect(one).toContain('id="heat-0"');
    expect(one).toContain('url(#heat-0)');
    expect(two.match(/ id="[^"]+"/g)).toEqual(one.match(/ id="[^"]+"/g));
  });
});

describe('charts drawn on a thread of their own', () => {
  it('draw what this thread draws, and name a chart that cannot be drawn', async () => {
    const drawer = new ChartDrawer();
    try {
      const [one, two] = await Promise.all([drawer.draw(spec, B, 'x'), drawer.draw(spec, A, 'y')]);
      expect(one).toBe(await renderSvg(spec, B, 'x'));
      expect(two).toBe(await renderSvg(spec, A, 'y'));
      await expect(drawer.draw({ mark: 'no-such-mark' }, B, 'broken')).rejects.toThrow(/^chart broken: ./);
      // the thread draws on after a failure
      expect(await drawer.draw(spec, B, 'x')).toBe(one);
    } finally {
      await drawer.close();
    }
  });

  it('stop their thread once every chart asked for is drawn, when finished before the charts are awaited', async () => {
    // (the outputs stop the thread after the exports, before the index awaits its charts)
    const drawer = new ChartDrawer();
    const drawn = drawer.draw(spec, B, 'x');
    const broken = drawer.draw({ mark: 'no-such-mark' }, B, 'broken');
    broken.catch(() => undefined);
    await drawer.finish();
    expect(await drawn).toBe(await renderSvg(spec, B, 'x'));
    await expect(broken).rejects.toThrow(/^chart broken: ./);
  });

  it('keep a process that awaits nothing but a chart alive until it is drawn', () => {
    // (an unreferenced thread let the CLI end, exit 0, before its outputs were written)
    const drawerModule = pathToFileURL(join(ROOT, 'dist', 'pipeline', 'outputs', 'site', 'chart-drawer.js')).href;
    const script = `const { ChartDrawer } = await import(${JSON.stringify(drawerModule)});
      const drawer = new ChartDrawer();
      const svg = await drawer.draw({ mark: 'bar', encoding: { x: { field: 'a', type: 'nominal' } } }, [{ a: 'x' }], 'c');
      process.stdout.write(String(svg.startsWith('<svg')));
      await drawer.close();`;
    const file = join(tempDir('goa-drawer-'), 'draw.mjs');
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('true');
  });
});
