/**
 * An --input folder that holds no file at all: an unmounted disk or a wrong path looks like this,
 * and a nightly run must not pass it off as a quiet success. Exit code 66 (EX_NOINPUT); nothing
 * is published.
 */
export class NoInputError extends Error {
  constructor(
    input: string,
    readonly runId: string | null = null,
  ) {
    super(
      `no document under --input ${input}: the folder is empty (is a disk not mounted, or the path wrong?); nothing was published`,
    );
    this.name = 'NoInputError';
  }
}
