/**
 * One document extracted, as it crosses back to the pool: its cells
 * packed, or why it failed (the worker's job, or the calling thread's).
 */
import { extractDocument, StageError, packExtraction } from '../../extractors/index.js';
import type { Message, PackedExtraction, StageTimings } from '../../extractors/index.js';
import { sha256Of } from '../common/index.js';

export interface ExtractOutcome {
  id: number;
  /** The sha256 of the bytes actually parsed (null when none were: the document failed before). */
  sha256: string | null;
  extraction: PackedExtraction | null;
  /** stage: reason, when the document could not be read. */
  failure: string | null;
  messages: readonly Message[];
  timings?: StageTimings;
}

/** "stage: reason": a StageError names its stage; anything else went wrong while reading. */
function describeFailure(e: unknown): string {
  if (e instanceof StageError) return e.message;
  const msg = e instanceof Error ? e.message : String(e);
  return `read: ${msg.split('\n')[0]}`;
}

/** Extracts job `id`, answering with the sha256 of the very bytes it parsed (the pool checks it against the job's). */
export async function extractOutcome(id: number, bytes: Uint8Array): Promise<ExtractOutcome> {
  const sha256 = sha256Of(bytes);
  try {
    const r = await extractDocument(bytes);
    return { id, sha256, extraction: packExtraction(r.value), failure: null, messages: r.messages, timings: r.timings };
  } catch (e) {
    return { id, sha256, extraction: null, failure: describeFailure(e), messages: [] };
  }
}
