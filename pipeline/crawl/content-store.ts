/** Content-addressed raw store: the bytes of every fetched body at `<rawDir>/<sha256>`, written once. */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Of } from '../common/index.js';

export interface StoredBlob {
  sha256: string;
  path: string;
  size: number;
}

export class ContentStore {
  constructor(readonly dir: string) {}

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  pathOf(sha256: string): string {
    return join(this.dir, sha256);
  }

  /** Size of the stored blob, or null when absent. */
  async sizeOf(sha256: string): Promise<number | null> {
    try {
      return (await stat(this.pathOf(sha256))).size;
    } catch {
      return null;
    }
  }

  read(sha256: string): Promise<Buffer> {
    return readFile(this.pathOf(sha256));
  }

  /**
   * Stores `bytes` unless already there. Written to a temp name, synced, then renamed, so the final
   * name only ever holds complete content (rename is atomic within one directory).
   */
  async put(bytes: Uint8Array): Promise<StoredBlob> {
    const sha256 = sha256Of(bytes);
    const path = this.pathOf(sha256);
    if ((await this.sizeOf(sha256)) === null) {
      const temp = join(this.dir, `.tmp-${sha256.slice(0, 16)}-${randomUUID()}`);
      try {
        const file = await open(temp, 'wx');
        try {
          await file.writeFile(bytes);
          await file.sync();
        } finally {
          await file.close();
        }
        await rename(temp, path);
      } catch (err) {
        await unlink(temp).catch(() => {});
        throw err;
      }
    }
    return { sha256, path, size: bytes.byteLength };
  }
}
