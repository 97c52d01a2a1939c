/** Worker thread: extracts one document per message (CPU-bound work off the main thread). */
import { parentPort } from 'node:worker_threads';
import type { ExtractRequest } from './extract-pool.js';
import { extractOutcome } from './extract-outcome.js';

parentPort!.on('message', async (req: ExtractRequest) => {
  const out = await extractOutcome(req.id, new Uint8Array(req.bytes));
  const cells = out.extraction?.cells;
  // the packed columns are handed over, not copied
  parentPort!.postMessage(out, cells ? ([cells.refs.buffer, cells.values.buffer, cells.grid.buffer] as ArrayBuffer[]) : []);
});
