import type { CompiledQuery } from 'kysely';
import { directReadOf } from './direct-read.ts';
import type { DbOrTx } from './schema.ts';

/** The array row of `columns` selected from a table whose rows are `T`. */
export type RowOf<T, C extends ReadonlyArray<keyof T>> = { -readonly [K in keyof C]: T[C[K] & keyof T] };

/** Starts the SQL of a query whose rows the statement cache returns as arrays (statement-cache.ts). */
export const ARRAY_ROWS_MARK = '/* rows as arrays */ ';

/**
 * Runs a compiled query and gives its rows as arrays, the columns in the
 * order the query selects them. For list pages: better-sqlite3 builds an
 * object per row with a property per column, which costs about as much as
 * the query itself for 50 wide rows; an array of values costs about half.
 *
 * On the handle openSqlite returned, with no transaction open on the
 * connection, the statement runs at once (direct-read.ts); otherwise the
 * query runs through Kysely's executor (its connection lock: never inside
 * another caller's open transaction). A handle whose driver ignores the
 * mark (no statement cache) returns objects; their values are taken in key
 * order, which is the select order as long as no two columns share a name
 * and none is named like an integer.
 */
export async function arrayRows<R extends readonly unknown[]>(db: DbOrTx, query: CompiledQuery): Promise<R[]> {
  const marked = query.sql.startsWith(ARRAY_ROWS_MARK) ? query : { ...query, sql: ARRAY_ROWS_MARK + query.sql };
  const rows = directReadOf(db)?.(marked) ?? (await db.executeQuery<unknown>(marked)).rows;
  if (rows.length === 0 || Array.isArray(rows[0])) return rows as R[];
  return rows.map((row) => Object.values(row as object)) as unknown as R[];
}
