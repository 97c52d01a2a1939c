/** Small helpers every stage of the pipeline uses (paths, SQL text, CSV, logging, error kinds). */
export { readCsv } from './csv.js';
export { Logger } from './log.js';
export { OutputError, describeOutputError, isOutputError } from './output-error.js';
export { distDir, projectRoot, sqlDir } from './paths.js';
export { sqlIdent, sqlString, sqlStringOrNull } from './sql-text.js';
export { UsageError } from './usage-error.js';
export { sha256Of, sha256OfFile } from './hash.js';
export { Interner } from './interner.js';
