/** The sha256 of a document's bytes: its identity in the ledger, the content store and the extract pool. */
import { createHash } from 'node:crypto';

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
