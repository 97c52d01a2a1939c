/**
 * Worker thread: draws the charts the main thread sends it (chart-drawer.ts), one message per
 * chart, answering each with its SVG or the reason it could not be drawn.
 */
import { parentPort } from 'node:worker_threads';
import { renderSvg } from './chart-render.js';
import type { ChartDrawn, ChartToDraw } from './chart-drawer.js';

parentPort!.on('message', (job: ChartToDraw) => {
  renderSvg(job.spec, job.rows, job.idPrefix).then(
    (svg) => parentPort!.postMessage({ id: job.id, svg } satisfies ChartDrawn),
    (e: unknown) =>
      parentPort!.postMessage({ id: job.id, error: e instanceof Error ? e.message : String(e) } satisfies ChartDrawn),
  );
});
