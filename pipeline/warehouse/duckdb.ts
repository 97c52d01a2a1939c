/**
 * @duckdb/node-api's values (classes, type constructors), loaded with `require`: imported as an ES
 * module, this CommonJS package of 124 files had Node scan each of them for its exports at every
 * start of the pipeline, the nightly no-op's included (measured: docs/performance.md). Types are
 * still imported from the package (`import type`), which costs nothing at run time.
 */
import { createRequire } from 'node:module';

export const duckdb = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');
