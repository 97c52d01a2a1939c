/** Ingest: discover input files, extract them on worker threads, load their cells into the warehouse. */
export { discover, statFiles } from './discover.js';
export type { FileStats, InputFile } from './discover.js';
export { ExtractPool } from './extract-pool.js';
export { ingest, prestartForNewer } from './ingest.js';
export type { DocumentOutcome } from './ingest.js';
export { NoInputError } from './no-input.js';
