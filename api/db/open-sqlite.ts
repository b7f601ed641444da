import BetterSqlite3, { type Statement } from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { allowDirectReads } from './direct-read.ts';
import type { Database } from './schema.ts';
import { withStatementCache } from './statement-cache.ts';

export interface SqliteOptions {
  /** File path, or ':memory:' for tests. */
  path: string;
  /** How long a writer waits for a lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /** Page cache of the connection, in KiB (see DEFAULT_PAGE_CACHE_KIB). */
  pageCacheKiB?: number;
}

/**
 * better-sqlite3 builds SQLite with a 16,000 KiB page cache per connection
 * (SQLITE_DEFAULT_CACHE_SIZE=-16000, against SQLite's own 2,000). The cache
 * fills as the database grows and its pages stay allocated: ~19 MiB of RSS
 * once full, which put the appliance over its 150 MB target after ~5 minutes
 * of the realtime bench. The hot paths read a few index pages each; the rest
 * of the file stays in the kernel's page cache, a pread away.
 */
export const DEFAULT_PAGE_CACHE_KIB = 4096;

/**
 * Opens the embedded database with the pragmas we rely on: WAL (readers never
 * block the writer), foreign keys on, a busy timeout so a second process
 * (backup, CLI) waits instead of failing, a bounded page cache.
 */
export function openSqlite(options: SqliteOptions): Kysely<Database> {
  const native = new BetterSqlite3(options.path);
  native.pragma('journal_mode = WAL');
  native.pragma('foreign_keys = ON');
  native.pragma('synchronous = NORMAL');
  setConnectionLimits(native, options.busyTimeoutMs ?? 5000, options.pageCacheKiB ?? DEFAULT_PAGE_CACHE_KIB);
  return kyselyOver(native);
}

/** The busy timeout and the bounded page cache every connection of ours has. */
export function setConnectionLimits(native: BetterSqlite3.Database, busyTimeoutMs: number, pageCacheKiB: number): void {
  native.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  // Negative: a size in KiB rather than a page count.
  native.pragma(`cache_size = ${-Math.max(64, Math.trunc(pageCacheKiB))}`);
}

/** Kysely over an open connection, with the statement cache and direct reads. */
export function kyselyOver(native: BetterSqlite3.Database): Kysely<Database> {
  const statements = withStatementCache(native);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: statements }) });
  allowDirectReads(db, native, (sql) => statements.prepare(sql) as unknown as Statement);
  return db;
}
