/**
 * Which agencies have a page (<out>/agencies/<id>.html) and its name: kept apart from the pages'
 * code (which draws charts) so the report pages, rendered on worker threads, can link to them.
 */
import { createHash } from 'node:crypto';

export const AGENCIES_DIR = 'agencies';

/** The file name of an agency's page (its normalised name hashed: any name makes a safe file name). */
export const agencyPageId = (agencyNorm: string): string =>
  `a${createHash('sha256').update(agencyNorm, 'utf8').digest('hex').slice(0, 12)}`;

/**
 * The agencies with a page: reports (one per year: is_primary) of
 * two years or more (standing.ts counts the same in its scan).
 */
export const MULTI_YEAR_AGENCIES = `SELECT agency_norm FROM report_metrics WHERE is_primary AND year IS NOT NULL AND agency_norm IS NOT NULL
       GROUP BY agency_norm HAVING count(DISTINCT year) >= 2`;
