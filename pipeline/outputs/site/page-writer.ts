/**
 * Worker thread: writes the pages the page workers send it (each over a port of its own), one
 * after the other, and answers the main thread once per page (see page-pool.ts).
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { writePage } from '../files.js';
import type { PageDone, RenderedPage } from './page-pool.js';

const { dir, previousDir } = workerData as { dir: string; previousDir: string | null };

parentPort!.on('message', (port: MessagePort) => {
  port.on('message', (page: RenderedPage) => {
    const done: PageDone = { unchanged: false, error: null };
    if (page.error !== undefined) {
      done.error = { message: `${page.id}: ${page.error}` };
    } else {
      try {
        done.unchanged = writePage(dir, previousDir, `${page.id}.html`, page.html);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        done.error = { message: `${page.id}: ${err?.message ?? String(e)}`, code: err?.code };
      }
    }
    parentPort!.postMessage(done);
  });
});
