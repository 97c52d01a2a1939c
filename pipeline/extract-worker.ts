/** Worker thread: extracts one document per message (CPU-bound work off the main thread). */
import { parentPort } from 'node:worker_threads';
import { extractDocument } from '../extractors/index.js';
import { describeFailure, type ExtractRequest, type ExtractOutcome } from './extract-pool.js';
import { packExtraction } from './packed-cells.js';

parentPort!.on('message', async (req: ExtractRequest) => {
  let out: ExtractOutcome;
  try {
    const r = await extractDocument(new Uint8Array(req.bytes));
    out = { id: req.id, extraction: packExtraction(r.value), failure: null, messages: r.messages, timings: r.timings };
  } catch (e) {
    out = { id: req.id, extraction: null, failure: describeFailure(e), messages: [] };
  }
  const cells = out.extraction?.cells;
  // the packed columns are handed over, not copied
  parentPort!.postMessage(out, cells ? ([cells.refs.buffer, cells.values.buffer, cells.grid.buffer] as ArrayBuffer[]) : []);
});
