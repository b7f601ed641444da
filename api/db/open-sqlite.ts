import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './schema.ts';
import { withStatementCache } from './statement-cache.ts';

export interface SqliteOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
  /** How long a writer waits for a lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

/**
 * Opens the embedded database with the pragmas we rely on: WAL (readers never
 * block the writer), foreign keys on, a busy timeout so a second process
 * (backup, CLI) waits instead of failing.
 */
export function openSqlite(options: SqliteOptions): Kysely<Database> {
  const native = new BetterSqlite3(options.path);
  native.pragma('journal_mode = WAL');
  native.pragma('foreign_keys = ON');
  native.pragma('synchronous = NORMAL');
  native.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(native) }) });
}
