/** Worker thread: extracts one document per message (CPU-bound work off the main thread). */
import { parentPort } from 'node:worker_threads';
import type { ExtractRequest } from './extract-pool.js';
import { extractOutcome } from './extract-outcome.js';

/**
 * One document at a time, in the order sent: a document that waits (the mammoth fallback is
 * asynchronous) must not let the next one start and finish first. The pool matches results
 * by id anyway; this keeps a worker's memory to one document and its clock honest.
 */
let previous: Promise<void> = Promise.resolve();

parentPort!.on('message', (req: ExtractRequest) => {
  previous = previous.then(async () => {
    const out = await extractOutcome(req.id, new Uint8Array(req.bytes));
    const cells = out.extraction?.cells;
    // the packed columns are handed over, not copied
    parentPort!.postMessage(
      out,
      cells ? ([cells.refs.buffer, cells.values.buffer, cells.grid.buffer] as ArrayBuffer[]) : [],
    );
  });
});
