/** SQL text built in TypeScript: string literals (everything else goes in as parameters or identifiers). */

/** A text as a SQL literal: quoted, its quotes doubled. */
export const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** A text as a SQL literal, or NULL. */
export const sqlStringOrNull = (s: string | null): string => (s === null ? 'NULL' : sqlString(s));
