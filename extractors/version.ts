/** Bumped whenever a change to the extractor can change its output: documents loaded by an older one are re-read. */
export const EXTRACTOR_VERSION = '4';
