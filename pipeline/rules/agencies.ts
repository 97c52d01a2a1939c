/**
 * The agency hierarchy CSV (`--agencies FILE`): header `agency,parent,region,level`, optional
 * `aliases` (former names, separated by `|`). Read and checked before a run writes anything:
 * a missing header, an unknown parent, a cycle, a duplicate agency or alias is an error naming
 * the file and the line.
 */
import { normaliseAgency } from '../../extractors/recognise/meta.js';
import { readCsv } from '../csv.js';

export interface AgencyRow {
  readonly agency: string;
  /** The name as reports are matched (reports.agency_norm). */
  readonly norm: string;
  readonly parent: string | null;
  /** The parent's norm (resolved through aliases). */
  readonly parentNorm: string | null;
  readonly region: string | null;
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
  level: string | null;
  aliases: string[];
  line: number;
}

function readRows(path: string): RawRow[] {
  const fail = (line: number, message: string): never => {
    throw new AgencyCsvError(path, line, message);
  };
  return readCsv(path, REQUIRED, fail, `${REQUIRED.join(',')} (optional: aliases)`).map(({ fields, line }) => {
    const agency = blankToNull(fields.agency);
    if (!agency) fail(line, 'empty agency');
    return {
      agency: agency!,
      parent: blankToNull(fields.parent),
      region: blankToNull(fields.region),
      level: blankToNull(fields.level),
      aliases: (fields.aliases ?? '').split('|').map((a) => a.trim()).filter((a) => a !== ''),
      line,
    };
  });
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
      if (prior && prior !== row) fail(row.line, `alias ${JSON.stringify(alias)} of ${JSON.stringify(row.agency)} already names ${JSON.stringify(prior.agency)} (line ${prior.line})`);
      byName.set(norm, row);
    }
  }
  for (const row of rows) {
    if (row.parent !== null && !byName.has(normaliseAgency(row.parent))) {
      fail(row.line, `parent ${JSON.stringify(row.parent)} of ${JSON.stringify(row.agency)} is not listed as an agency`);
    }
  }
  const parentOf = (row: RawRow): RawRow | null => (row.parent === null ? null : byName.get(normaliseAgency(row.parent))!);
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
        level: row.level,
        aliases: row.aliases,
        line: row.line,
      };
    }),
  };
}
