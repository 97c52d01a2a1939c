/**
 * The agency hierarchy CSV (`--agencies FILE`): header `agency,parent,region,level`, optional
 * `aliases` (former names, separated by `|`) and `region_code` (e.g. the administrative division code). Read and
 * checked before a run writes anything:
 * a missing header, an unknown parent, a cycle, a duplicate agency or alias is an error naming
 * the file and the line.
 */
import { normaliseAgency } from '../../domain/index.js';
import type { DuckDBConnection } from '@duckdb/node-api';
import { readCsv } from '../common/index.js';
import { duckdb } from '../warehouse/index.js';

export interface AgencyRow {
  readonly agency: string;
  /** The name as reports are matched (reports.agency_norm). */
  readonly norm: string;
  readonly parent: string | null;
  /** The parent's norm (resolved through aliases). */
  readonly parentNorm: string | null;
  readonly region: string | null;
  /** The CSV's optional region_code column (e.g. 350128), as written. */
  readonly regionCode: string | null;
  readonly level: string | null;
  readonly aliases: readonly string[];
  /** 1-based line of the row in the file. */
  readonly line: number;
}

export interface AgencyHierarchy {
  readonly path: string;
  readonly agencies: readonly AgencyRow[];
}

export class AgencyCsvError extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    message: string,
  ) {
    super(`${path}: line ${line}: ${message}`);
    this.name = 'AgencyCsvError';
  }
}

const REQUIRED = ['agency', 'parent', 'region', 'level'] as const;

const blankToNull = (s: string | undefined): string | null => {
  const t = (s ?? '').trim();
  return t === '' ? null : t;
};

interface RawRow {
  agency: string;
  parent: string | null;
  region: string | null;
  regionCode: string | null;
  level: string | null;
  aliases: string[];
  line: number;
}

function readRows(path: string): RawRow[] {
  const fail = (line: number, message: string): never => {
    throw new AgencyCsvError(path, line, message);
  };
  return readCsv(path, REQUIRED, fail, `${REQUIRED.join(',')} (optional: aliases, region_code)`).map(
    ({ fields, line }) => {
      const agency = blankToNull(fields.agency);
      if (!agency) fail(line, 'empty agency');
      return {
        agency: agency!,
        parent: blankToNull(fields.parent),
        region: blankToNull(fields.region),
        regionCode: blankToNull(fields.region_code),
        level: blankToNull(fields.level),
        aliases: (fields.aliases ?? '')
          .split('|')
          .map((a) => a.trim())
          .filter((a) => a !== ''),
        line,
      };
    },
  );
}

/** Reads and checks the hierarchy CSV. Throws AgencyCsvError (file and line) on any defect. */
export function loadAgencies(path: string): AgencyHierarchy {
  const rows = readRows(path);
  const fail = (line: number, message: string): never => {
    throw new AgencyCsvError(path, line, message);
  };

  // Every name (agency or alias) resolves to one agency.
  const byName = new Map<string, RawRow>();
  for (const row of rows) {
    const norm = normaliseAgency(row.agency);
    const prior = byName.get(norm);
    if (prior) fail(row.line, `agency ${JSON.stringify(row.agency)} is already listed on line ${prior.line}`);
    byName.set(norm, row);
  }
  for (const row of rows) {
    for (const alias of row.aliases) {
      const norm = normaliseAgency(alias);
      const prior = byName.get(norm);
      if (prior && prior !== row)
        fail(
          row.line,
          `alias ${JSON.stringify(alias)} of ${JSON.stringify(row.agency)} already names ${JSON.stringify(prior.agency)} (line ${prior.line})`,
        );
      byName.set(norm, row);
    }
  }
  for (const row of rows) {
    if (row.parent !== null && !byName.has(normaliseAgency(row.parent))) {
      fail(
        row.line,
        `parent ${JSON.stringify(row.parent)} of ${JSON.stringify(row.agency)} is not listed as an agency`,
      );
    }
  }
  const parentOf = (row: RawRow): RawRow | null =>
    row.parent === null ? null : byName.get(normaliseAgency(row.parent))!;
  for (const row of rows) {
    const path: RawRow[] = [row];
    for (let p = parentOf(row); p !== null; p = parentOf(p)) {
      if (p === row) {
        fail(row.line, `cycle in the hierarchy: ${[...path, row].map((r) => r.agency).join(' → ')}`);
      }
      if (path.includes(p)) break; // a cycle further up: reported at its own first line
      path.push(p);
    }
  }
  return {
    path,
    agencies: rows.map((row) => {
      const parent = parentOf(row);
      return {
        agency: row.agency,
        norm: normaliseAgency(row.agency),
        parent: row.parent,
        parentNorm: parent ? normaliseAgency(parent.agency) : null,
        region: row.region,
        regionCode: row.regionCode,
        level: row.level,
        aliases: row.aliases,
        line: row.line,
      };
    }),
  };
}

/**
 * Stores the hierarchy in the warehouse (`agencies`, replaced: empty without --agencies) and sets
 * every report's region and level from it (matched by normalised name or alias; NULL when the
 * report's agency is not listed). Run by every run, after the reports are loaded.
 */
export async function storeAgencies(conn: DuckDBConnection, h: AgencyHierarchy | null): Promise<void> {
  await conn.run('BEGIN TRANSACTION');
  try {
    await conn.run('DELETE FROM agencies');
    if (h && h.agencies.length > 0) {
      const ap = await conn.createAppender('agencies');
      const text = (v: string | null) => (v === null ? ap.appendNull() : ap.appendVarchar(v));
      for (const a of h.agencies) {
        text(a.agency);
        text(a.norm);
        text(a.parent);
        text(a.parentNorm);
        text(a.region);
        text(a.regionCode);
        text(a.level);
        ap.appendList(duckdb.listValue([...a.aliases]), duckdb.LIST(duckdb.VARCHAR));
        ap.appendList(duckdb.listValue(a.aliases.map(normaliseAgency)), duckdb.LIST(duckdb.VARCHAR));
        ap.appendInteger(a.line);
        ap.endRow();
      }
      ap.closeSync();
    }
    // agency_names (sql/views.sql): every name and alias of the CSV, with its agency
    await conn.run(`UPDATE reports SET region = a.region, level = a.level
      FROM agency_names a
      WHERE reports.agency_norm = a.name_norm AND (reports.region IS DISTINCT FROM a.region OR reports.level IS DISTINCT FROM a.level)`);
    await conn.run(`UPDATE reports SET region = NULL, level = NULL
      WHERE (region IS NOT NULL OR level IS NOT NULL)
        AND (agency_norm IS NULL OR agency_norm NOT IN (SELECT name_norm FROM agency_names))`);
    await conn.run('COMMIT');
  } catch (e) {
    await conn.run('ROLLBACK');
    throw new Error(`agencies: storing ${h?.path ?? 'no agency CSV'}: ${(e as Error).message}`);
  }
}
