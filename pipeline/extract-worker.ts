/** Worker thread: extracts one document per message (CPU-bound work off the main thread). */
import { parentPort } from 'node:worker_threads';
import type { ExtractRequest } from './extract-pool.js';
import { extractOutcome } from './extract-outcome.js';

// One document at a time, answered in the order sent: the pool takes a worker's answers in that
// order, and a reader that really awaits (the PDF reader) would otherwise let a later, quicker
// document answer first.
let queue: Promise<void> = Promise.resolve();

parentPort!.on('message', (req: ExtractRequest) => {
  queue = queue.then(async () => {
    const out = await extractOutcome(req.id, new Uint8Array(req.bytes));
    const cells = out.extraction?.cells;
    // the packed columns are handed over, not copied
    parentPort!.postMessage(out, cells ? ([cells.refs.buffer, cells.values.buffer, cells.grid.buffer] as ArrayBuffer[]) : []);
  });
});
