import type { Database as NativeDatabase, Statement } from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { ARRAY_ROWS_MARK } from './array-rows.ts';
import { arrayRowsStatement, type RowsStatement } from './json-rows.ts';

/**
 * Kysely's SQLite driver prepares every statement anew on each query; with
 * better-sqlite3 preparing costs more than running a small indexed query. This
 * keeps the most recent statements, keyed by SQL text (parameters are bound
 * at run time, so the text is shared by every call of a query shape).
 * Safe because better-sqlite3 is synchronous: a statement is never in use by
 * two callers at once (Kysely's streaming, which could hold one open, is not
 * used by epnbox).
 *
 * A statement whose SQL starts with ARRAY_ROWS_MARK (array-rows.ts) returns
 * its rows as arrays, read through one JSON text (json-rows.ts); the mark is
 * part of the key, so the same query without it keeps its own statement
 * returning objects.
 */
export function withStatementCache(db: NativeDatabase, maxStatements = 500): SqliteDatabase {
  const cache = new Map<string, Statement | RowsStatement>();
  return {
    close: () => {
      cache.clear();
      db.close();
    },
    prepare(sql: string): SqliteStatement {
      let stmt = cache.get(sql);
      if (stmt) {
        // Refresh its place: most recently used last.
        cache.delete(sql);
      } else {
        stmt = sql.startsWith(ARRAY_ROWS_MARK) ? arrayRowsStatement(db, sql) : db.prepare(sql);
        if (cache.size >= maxStatements) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt as unknown as SqliteStatement;
    },
  };
}
