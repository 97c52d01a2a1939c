/** One run from start to end: options, lock, ingest, rules, outputs, publishing. */
export { LockHeldError, LockHeldTooLongError } from './lock.js';
export { configureHeaps, pipelineNodeOptions } from './node-options.js';
export { EXIT, WarehouseFileError, runPipeline } from './run.js';
export type { RunOptions } from './run.js';
