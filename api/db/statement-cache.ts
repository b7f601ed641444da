import type { Database as NativeDatabase, Statement } from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { ARRAY_ROWS_MARK } from './array-rows.ts';
import { arrayRowsStatement, type RowsStatement } from './json-rows.ts';

/**
 * Kysely's SQLite driver prepares every statement anew on each query; with
 * better-sqlite3 preparing costs more than running a small indexed query. This
 * keeps recently used statements, keyed by SQL text (parameters are bound
 * at run time, so the text is shared by every call of a query shape).
 * Safe because better-sqlite3 is synchronous: a statement is never in use by
 * two callers at once (Kysely's streaming, which could hold one open, is not
 * used by epnbox).
 *
 * A statement whose SQL starts with ARRAY_ROWS_MARK (array-rows.ts) returns
 * its rows as arrays, read through one JSON text (json-rows.ts); the mark is
 * part of the key, so the same query without it keeps its own statement
 * returning objects.
 *
 * Eviction is CLOCK (second chance), not exact LRU: a hit only marks its entry
 * used, and the map changes only when a statement is added. Moving each hit to
 * the back (delete, then set) made V8 rebuild the map's table every few dozen
 * queries; those tables lived long enough to be promoted, and under a list load
 * they were a third of what reached the old generation (session 6,
 * docs/performance.md), i.e. of what its collections then had to clear.
 */
export function withStatementCache(db: NativeDatabase, maxStatements = 500): SqliteDatabase {
  const cache = new Map<string, { statement: Statement | RowsStatement; used: boolean }>();
  /** The oldest entry not used since it was last passed over; a used one goes to the back, unmarked. */
  const evictOne = (): void => {
    for (const [sql, entry] of cache) {
      cache.delete(sql);
      if (!entry.used) return;
      entry.used = false;
      cache.set(sql, entry);
    }
  };
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare(sql: string): SqliteStatement {
      const cached = cache.get(sql);
      if (cached !== undefined) {
        cached.used = true;
        return cached.statement as unknown as SqliteStatement;
      }
      const statement = sql.startsWith(ARRAY_ROWS_MARK) ? arrayRowsStatement(db, sql) : db.prepare(sql);
      if (cache.size >= maxStatements) evictOne();
      cache.set(sql, { statement, used: false });
      return statement as unknown as SqliteStatement;
    },
  };
}
