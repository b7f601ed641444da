import type { Database as NativeDatabase, Statement } from 'better-sqlite3';
import type { CompiledQuery } from 'kysely';

/** Runs a compiled read on the connection at once; undefined when it must go through Kysely's executor. */
export type DirectRead = (query: CompiledQuery) => unknown[] | undefined;

const readers = new WeakMap<object, DirectRead>();

/**
 * Lets hotQuery run its reads on a SQLite handle directly: the statement
 * (from the statement cache) runs synchronously, without Kysely's executor,
 * its connection lock and the promises and objects of each step (~3 µs and
 * some garbage per query; the heartbeat makes two). Registered by openSqlite
 * only, for the handle it returns: that handle has no plugin that would
 * transform results; a handle made from it (withPlugin, a transaction) is
 * another object and always takes the executor.
 *
 * The executor's lock is what keeps a read out of another caller's open
 * transaction on the one connection. A direct read checks for that instead:
 * with a transaction open (uncommitted rows visible on this connection) it
 * declines and the query queues behind the lock as before. Otherwise the read
 * sees the committed state, as it would have at the front of the queue:
 * better-sqlite3 is synchronous, so nothing runs between the check and the read.
 */
export function allowDirectReads(db: object, native: NativeDatabase, prepare: (sql: string) => Statement): void {
  readers.set(db, (query) => {
    if (!native.open || native.inTransaction) return undefined;
    const statement = prepare(query.sql);
    if (!statement.reader) return undefined;
    return statement.all(query.parameters as unknown[]);
  });
}

/** The direct read of a handle registered by allowDirectReads, if any. */
export function directReadOf(db: object): DirectRead | undefined {
  return readers.get(db);
}
