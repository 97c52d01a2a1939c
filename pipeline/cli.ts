#!/usr/bin/env node
/**
 * Command line: `npm run pipeline -- [options]`. Exit codes (README): 0 ok, 1 crash,
 * 2 usage error, 3 finished with failed documents, 65 --db is not a warehouse, 69 the lock held
 * by a run for too long, 74 output not writable, 75 another run holds the lock, 130 / 143
 * stopped by SIGINT / SIGTERM.
 */
import { Command, InvalidArgumentError } from 'commander';
import { readSourcesCsv } from './crawl/index.js';
import { LockHeldError, LockHeldTooLongError } from './lock.js';
import { ReviewsFileError } from './outputs/index.js';
import { AgencyCsvError } from './rules/index.js';
import { EXIT, isOutputError, runPipeline, UsageError, WarehouseFileError, type RunOptions } from './run.js';
import { configureHeaps } from './node-options.js';
import { DEFAULT_DB_MEMORY } from './warehouse.js';

function shardArg(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new InvalidArgumentError('expected i/n with 0 <= i < n, e.g. 0/4');
  return { index: Number(m[1]), count: Number(m[2]) };
}

function hoursArg(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of hours above 0');
  return n;
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
    .option('--parquet <dir>', 'also write reports, cells, anomalies, claims as Parquet (Hive-partitioned by year)')
    .option('--reviews <file>', 'review decisions CSV (fingerprint,decision,note,reviewer,date)')
    .option('--shard <i/n>', 'process one hash-partition of the inputs (merge the shard warehouses with --merge)', shardArg)
    .option('--merge <files...>', 'merge shard warehouses into --db, then run the rules and outputs over all of them')
    .option('--workers <n>', 'extraction worker threads (default: one per core)', intArg)
    .option('--worker-memory-mb <n>', "memory one extraction worker may take, heap and the rest: the document in hand over it fails", intArg, 512)
    .option('--max-mb <n>', 'refuse documents larger than this', intArg, 50)
    .option('--db-memory <size>', "DuckDB's memory limit (it spills to disk beyond), e.g. 1GB", DEFAULT_DB_MEMORY)
    .option('--force', 're-extract documents even if unchanged')
    .option('--stale-lock-hours <h>', 'a lock held this long by a live run is an error (exit 69: hung?), not exit 75', hoursArg, 12)
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
    maxBytes: o.maxMb * 1024 * 1024, force: o.force, dbMemory: o.dbMemory, staleLockHours: o.staleLockHours, workerMemoryMb: o.workerMemoryMb,
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
    if (e instanceof LockHeldTooLongError) return EXIT.lockHeldTooLong; // logged at error level by the run
    if (e instanceof WarehouseFileError) {
      process.stderr.write(`pipeline: ${e.message}\n`);
      return EXIT.badWarehouse;
    }
    if (e instanceof UsageError || e instanceof AgencyCsvError || e instanceof ReviewsFileError) {
      process.stderr.write(`pipeline: ${e.message}\n`);
      return EXIT.usage;
    }
    if (isOutputError(e)) {
      process.stderr.write(`pipeline: output error, nothing published: ${(e as Error).message}\n`);
      return EXIT.outputError;
    }
    process.stderr.write(`pipeline: crashed: ${(e as Error).stack ?? String(e)}\n`);
    return EXIT.crash;
  }
}

main(process.argv).then((code) => {
  process.exitCode = code;
});
