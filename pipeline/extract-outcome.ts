/** One document extracted, as it crosses back to the pool: its cells packed, or why it failed (the worker's job, or the calling thread's). */
import { extractDocument } from '../extractors/index.js';
import { StageError } from '../extractors/model.js';
import type { ExtractOutcome } from './extract-pool.js';
import { packExtraction } from './packed-cells.js';

/** "stage: reason": a StageError names its stage; anything else went wrong while reading. */
function describeFailure(e: unknown): string {
  if (e instanceof StageError) return e.message;
  const msg = e instanceof Error ? e.message : String(e);
  return `read: ${msg.split('\n')[0]}`;
}

export async function extractOutcome(id: number, bytes: Uint8Array): Promise<ExtractOutcome> {
  try {
    const r = await extractDocument(bytes);
    return { id, extraction: packExtraction(r.value), failure: null, messages: r.messages, timings: r.timings };
  } catch (e) {
    return { id, extraction: null, failure: describeFailure(e), messages: [] };
  }
}
