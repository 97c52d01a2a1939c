#!/usr/bin/env node
/**
 * Command line: `npm run pipeline -- [options]`. Exit codes (README): 0 ok, 1 crash,
 * 2 usage error, 3 finished with failed documents, 74 output not writable, 75 another run holds the lock.
 */
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_MAX_LINKS_PER_LISTING, DEFAULT_MAX_REPORTS_PER_SOURCE, readSourcesCsv } from './crawl/index.js';
import { LockHeldError } from './lock.js';
import { ReviewsFileError } from './outputs/index.js';
import { AgencyCsvError } from './rules/index.js';
import { describeOutputError } from './output-error.js';
import { EXIT, isOutputError, runPipeline, UsageError, type RunOptions } from './run.js';
import { configureHeaps } from './node-options.js';
import { DEFAULT_DB_MEMORY } from './warehouse.js';

function shardArg(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new InvalidArgumentError('expected i/n with 0 <= i < n, e.g. 0/4');
  return { index: Number(m[1]), count: Number(m[2]) };
}

function intArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

export function buildCommand(): Command {
  return new Command('pipeline')
    .description('Audit the statistics tables of 政府信息公开工作年度报告: extract, load into DuckDB, check, report.')
    .option('--input <dir>', 'folder of reports (searched recursively)', 'data/reports')
    .option('--db <file>', 'the DuckDB warehouse to publish', 'data/warehouse.duckdb')
    .option('--out <dir>', 'anomaly report and exports', 'data/out')
    .option('--agencies <file>', 'agency hierarchy CSV: agency,parent,region,level[,aliases]')
    .option('--sources <file>', "CSV agency,url of the agencies' annual-report listing pages to crawl")
    .option('--raw <dir>', 'content-addressed store for crawled documents', 'data/raw')
    .option('--max-links-per-listing <n>', 'crawl: report links followed per listing page (the rest are cut and listed)', intArg, DEFAULT_MAX_LINKS_PER_LISTING)
    .option('--max-reports-per-source <n>', 'crawl: report documents fetched per source (the rest are cut and listed)', intArg, DEFAULT_MAX_REPORTS_PER_SOURCE)
    .option('--parquet <dir>', 'also write reports, cells, anomalies, claims as Parquet (Hive-partitioned by year)')
    .option('--reviews <file>', 'review decisions CSV (fingerprint,decision,note,reviewer,date)')
    .option('--shard <i/n>', 'process one hash-partition of the inputs (merge the shard warehouses with --merge)', shardArg)
    .option('--merge <files...>', 'merge shard warehouses into --db, then run the rules and outputs over all of them')
    .option('--workers <n>', 'extraction worker threads (default: one per core)', intArg)
    .option('--max-mb <n>', 'refuse documents larger than this', intArg, 50)
    .option('--db-memory <size>', "DuckDB's memory limit (it spills to disk beyond), e.g. 1GB", DEFAULT_DB_MEMORY)
    .option('--force', 're-extract documents even if unchanged')
    .option('--log-json', 'JSON-lines logs (run id, document, stage, duration) on stderr')
    .option('--quiet', 'no progress, no summary')
    .exitOverride();
}

export async function main(argv: string[]): Promise<number> {
  configureHeaps();
  const cmd = buildCommand();
  try {
    cmd.parse(argv);
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    return code === 0 ? EXIT.ok : EXIT.usage;
  }
  const o = cmd.opts();
  // With --sources, the bundled sample is not read unless --input is given too.
  const inputGiven = cmd.getOptionValueSource('input') === 'cli';
  const readsInput = inputGiven || (!o.sources && !o.merge);
  const options: RunOptions = {
    input: readsInput ? o.input : undefined, merge: o.merge, db: o.db, out: o.out, agencies: o.agencies, parquet: o.parquet,
    reviews: o.reviews, raw: o.raw, shard: o.shard, logJson: o.logJson, quiet: o.quiet, workers: o.workers,
    maxBytes: o.maxMb * 1024 * 1024, force: o.force, dbMemory: o.dbMemory,
    crawlTuning: { maxLinksPerListing: o.maxLinksPerListing, maxReportsPerSource: o.maxReportsPerSource },
  };
  try {
    if (o.sources) options.sources = readSourcesCsv(o.sources);
  } catch (e) {
    process.stderr.write(`pipeline: ${(e as Error).message}\n`);
    return EXIT.usage;
  }
  try {
    const { exitCode } = await runPipeline(options);
    return exitCode;
  } catch (e) {
    if (e instanceof LockHeldError) {
      process.stderr.write(`pipeline: ${e.message}\n`);
      return EXIT.locked;
    }
    if (e instanceof UsageError || e instanceof AgencyCsvError || e instanceof ReviewsFileError) {
      process.stderr.write(`pipeline: ${e.message}\n`);
      return EXIT.usage;
    }
    if (isOutputError(e)) {
      process.stderr.write(`pipeline: output error, nothing published: ${describeOutputError(e)}\n`);
      return EXIT.outputError;
    }
    process.stderr.write(`pipeline: crashed: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT.crash;
  }
}

main(process.argv).then((code) => {
  process.exitCode = code;
});
