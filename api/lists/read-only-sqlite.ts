import BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { kyselyOver, setConnectionLimits } from '../db/open-sqlite.ts';
import type { Database } from '../db/schema.ts';

export interface ReadOnlySqliteOptions {
  /** An existing database file in WAL mode. */
  path: string;
  busyTimeoutMs: number;
  /** Page cache of this connection, in KiB. */
  pageCacheKiB: number;
}

/**
 * A second, read-only connection to the appliance's database (the list
 * worker's). WAL is required, not set (a read-only connection cannot change
 * the journal mode, and the main connection already did): in WAL a reader
 * never holds up the writer and sees every transaction committed before its
 * read began. In rollback mode it would block the writer's commits, so it is
 * refused. Same busy timeout and bounded page cache as openSqlite, the same
 * statement cache and direct reads; `query_only` on top of the read-only open.
 */
export function openReadOnlySqlite(options: ReadOnlySqliteOptions): Kysely<Database> {
  const native = new BetterSqlite3(options.path, { readonly: true, fileMustExist: true });
  try {
    const mode = native.pragma('journal_mode', { simple: true });
    if (mode !== 'wal') throw new Error(`${options.path} is in journal mode ${String(mode)}, not WAL: a reader would hold up the writer`);
    native.pragma('query_only = 1');
    setConnectionLimits(native, options.busyTimeoutMs, options.pageCacheKiB);
  } catch (error) {
    native.close();
    throw error;
  }
  return kyselyOver(native);
}
