/** The warehouse: DuckDB schema, loading, views, the data dictionary, memory, merge and publishing. */
export { SCHEMA_VERSION } from './dictionary.js';
export { mergeShards } from './merge.js';
export {
  discardPrivateCopy,
  publish,
  removeStaleBuilds,
  startPrivateCopyInBackground,
} from './publish.js';
export { attachScratch, type Scratch } from './scratch.js';
export { createViews } from './views.js';
export { duckdb } from './duckdb.js';
export {
  DEFAULT_DB_MEMORY,
  LOADING_DB_MEMORY,
  OUTPUTS_DB_MEMORY,
  PAGES_DB_MEMORY,
  closeWarehouse,
  limitDbMemory,
  loadReport,
  loadReports,
  nowTimestamp,
  openWarehouse,
  reportIdOf,
  returnFreedMemory,
  sizeBytes,
  smallerSize,
  statusOf,
  timestampOf,
  withDbMemory,
  withMemoryToSpare,
} from './warehouse.js';
export type { ReportRecord, Warehouse } from './warehouse.js';
