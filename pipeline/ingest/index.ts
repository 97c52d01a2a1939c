/** Ingest: discover input files, extract them on worker threads, load their cells into the warehouse. */
export { discover } from './discover.js';
export type { InputFile } from './discover.js';
export { ExtractPool } from './extract-pool.js';
export { ingest } from './ingest.js';
export type { DocumentOutcome } from './ingest.js';
export { NoInputError } from './no-input.js';
