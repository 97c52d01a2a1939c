/** SQL text built in TypeScript: string literals and quoted identifiers. */

/** A text as a SQL literal: quoted, its quotes doubled. */
export const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** A text as a SQL literal, or NULL. */
export const sqlStringOrNull = (s: string | null): string => (s === null ? 'NULL' : sqlString(s));

/** A name as a SQL identifier: double-quoted, its double quotes doubled. */
export const sqlIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
