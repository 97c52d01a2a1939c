/**
 * The run cannot write where it must (full disk, read-only, not a folder): exit 74, nothing
 * published, and no document blamed for it.
 */
export class OutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

const OUTPUT_ERRNOS = new Set(['ENOSPC', 'EACCES', 'EROFS', 'EPERM', 'EDQUOT', 'ENOTDIR', 'EEXIST', 'EISDIR']);

/**
 * DuckDB says so in words: a write of its file or log that failed ("Could not write file …: No
 * space left on device"), and a block it could not spill to its temp folder when its memory
 * limit was reached ("Out of Memory Error: failed to offload data block": the disk is full,
 * since the pipeline sets no max_temp_directory_size). A database invalidated by either repeats
 * the original error in its message.
 */
const OUTPUT_MESSAGES =
  /No space left|Disk quota exceeded|Read-only file system|Permission denied|failed to offload data block|max_temp_directory_size/i;

export function isOutputError(e: unknown): boolean {
  return (
    e instanceof OutputError ||
    OUTPUT_ERRNOS.has((e as NodeJS.ErrnoException)?.code ?? '') ||
    OUTPUT_MESSAGES.test(String((e as Error)?.message))
  );
}

/**
 * The first line of the message (DuckDB adds paragraphs of advice on memory), with the line naming
 * the cause when another one does, and what an offload failure means.
 */
export function describeOutputError(e: unknown): string {
  const lines = String((e as Error)?.message ?? e).split('\n');
  const cause = lines.find((l) => OUTPUT_MESSAGES.test(l))?.trim();
  const said = cause && cause !== lines[0].trim() ? `${lines[0].trim()} … ${cause}` : lines[0];
  return /failed to offload data block/i.test(said)
    ? `${said} (DuckDB could not spill to its temp folder beside the warehouse: the disk is full)`
    : said;
}
