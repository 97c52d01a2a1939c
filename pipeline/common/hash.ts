/** The sha256 of a document's bytes: its identity in the ledger, the content store and the extract pool. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The sha256 of a file, read as a stream (a file too large to hold is still hashed). */
export async function sha256OfFile(path: string | Buffer): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
