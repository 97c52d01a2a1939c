/**
 * Auditors' review decisions, kept in a CSV that survives re-runs:
 *   fingerprint,decision,note,reviewer,date      (decision: confirmed | dismissed, or 确认 | 排除)
 * Read on every run and written into anomalies.review_decision / review_note. A finding whose
 * numbers change gets a new fingerprint, so an old decision no longer applies to it by design.
 * A malformed file is an error naming its line; call `loadReviews` before the run starts so
 * nothing is published on a bad file.
 */
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { readCsv } from '../common/index.js';

export const REVIEW_COLUMNS = ['fingerprint', 'decision', 'note', 'reviewer', 'date'] as const;
export const REVIEW_DECISIONS = ['confirmed', 'dismissed'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];
/** The decisions as an auditor may write them in Chinese (stored as their English form). */
const DECISION_WORDS: Readonly<Record<string, ReviewDecision>> = {
  confirmed: 'confirmed',
  dismissed: 'dismissed',
  确认: 'confirmed',
  排除: 'dismissed',
};

export interface Review {
  fingerprint: string;
  decision: ReviewDecision;
  note: string | null;
  reviewer: string | null;
  date: string | null;
  /** Line of the file the decision was read from (1 = header). */
  line: number;
}

/** Decisions by fingerprint; a fingerprint listed twice keeps its last line. */
export type Reviews = Map<string, Review>;

export class ReviewsFileError extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${path} line ${line}: ${reason}`);
    this.name = 'ReviewsFileError';
  }
}

/** Where the decisions are read from: --reviews FILE, else <out>/reviews.csv. */
export function reviewsPath(outDir: string, reviewsCsv?: string): string {
  return reviewsCsv ?? join(outDir, 'reviews.csv');
}

const DATE = /^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}([ T].*)?$/;

/**
 * Reads and checks a reviews file. A missing file is no decisions, unless `mustExist`
 * (a file named with --reviews should be there).
 */
export function loadReviews(path: string, opts: { mustExist?: boolean } = {}): Reviews {
  const reviews: Reviews = new Map();
  if (!existsSync(path)) {
    if (opts.mustExist) throw new ReviewsFileError(path, 0, 'file not found');
    return reviews;
  }
  const fail = (line: number, reason: string): never => {
    throw new ReviewsFileError(path, line, reason);
  };
  for (const { fields, line } of readCsv(path, REVIEW_COLUMNS, fail)) {
    const { fingerprint, decision: decisionText, note, reviewer, date } = fields;
    const decision = DECISION_WORDS[decisionText.trim().toLowerCase()];
    if (!fingerprint) fail(line, 'the fingerprint is empty');
    if (!decision) fail(line, `decision must be confirmed or dismissed (确认 or 排除), found "${decisionText}"`);
    if (date && !DATE.test(date)) fail(line, `date must look like 2024-05-31, found "${date}"`);
    reviews.set(fingerprint, {
      fingerprint,
      decision,
      note: note || null,
      reviewer: reviewer || null,
      date: date || null,
      line,
    });
  }
  return reviews;
}

/** Creates an empty reviews file (header only, with BOM for Excel) where none exists yet. */
export function ensureReviewsFile(path: string): boolean {
  if (existsSync(path)) return false;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, '\uFEFF' + REVIEW_COLUMNS.join(',') + '\r\n');
  return true;
}

export interface ReviewsApplied {
  /** Findings that carry a decision this run. */
  applied: number;
  /**
   * Decisions whose fingerprint matches no finding of this run: mistyped, from another warehouse,
   * or a finding that is gone (its numbers changed, or the report was corrected). Which of these is
   * not known here; they are listed as matching nothing, never applied.
   */
  stale: Review[];
}

/** Writes the decisions into anomalies.review_decision / review_note (clearing older ones). */
export async function applyReviews(conn: DuckDBConnection, reviews: Reviews): Promise<ReviewsApplied> {
  await conn.run(
    'UPDATE anomalies SET review_decision = NULL, review_note = NULL WHERE review_decision IS NOT NULL OR review_note IS NOT NULL',
  );
  if (reviews.size === 0) return { applied: 0, stale: [] };
  await conn.run('CREATE OR REPLACE TEMP TABLE review_input (fingerprint VARCHAR, decision VARCHAR, note VARCHAR)');
  const ap = await conn.createAppender('review_input');
  for (const r of reviews.values()) {
    ap.appendVarchar(r.fingerprint);
    ap.appendVarchar(r.decision);
    if (r.note === null) ap.appendNull();
    else ap.appendVarchar(r.note);
    ap.endRow();
  }
  ap.closeSync();
  await conn.run(
    `UPDATE anomalies SET review_decision = r.decision, review_note = r.note
     FROM review_input r WHERE anomalies.fingerprint = r.fingerprint`,
  );
  const found = await conn.runAndReadAll(
    'SELECT DISTINCT r.fingerprint FROM review_input r JOIN anomalies a ON a.fingerprint = r.fingerprint',
  );
  await conn.run('DROP TABLE review_input');
  const matched = new Set(found.getRowObjectsJS().map((row) => row.fingerprint as string));
  return { applied: matched.size, stale: [...reviews.values()].filter((r) => !matched.has(r.fingerprint)) };
}
