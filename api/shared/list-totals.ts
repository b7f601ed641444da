import { CompiledQuery, type Compilable } from 'kysely';
import { directReadOf } from '../db/direct-read.ts';
import type { DbOrTx } from '../db/schema.ts';

/** Tables whose writes move a counter in list_versions (triggers of migrations 007 and 008). */
export type VersionedTable = 'users' | 'sessions' | 'audit_events' | 'stations';

interface Remembered {
  version: number;
  total: number;
}

/** Distinct count queries kept per database handle (filters × search words seen recently). */
const MAX_REMEMBERED = 500;
const remembered = new WeakMap<object, Map<string, Remembered>>();
const versionQueries = new Map<VersionedTable, CompiledQuery>();

function versionQuery(table: VersionedTable): CompiledQuery {
  let query = versionQueries.get(table);
  if (!query) {
    query = CompiledQuery.raw('select version from list_versions where name = ?', [table]);
    versionQueries.set(table, query);
  }
  return query;
}

/**
 * The `total` of a list page: what `countQuery` (one row, column `n`; built,
 * or compiled once per shape by the caller) counts,
 * remembered until `table` changes. Counting every match again for each page
 * walks thousands of index entries (31,000 open codes, 10,000 visitors); the
 * triggers of migration 007 bump the table's counter in the same transaction
 * as any insert, update or delete, from any connection, so a remembered total
 * is reused only while nothing it counted can have changed.
 *
 * The counter is read before counting: a write landing between the two leaves
 * a newer total under an older counter, which the next read discards. Inside a
 * transaction nothing is remembered (its writes may still roll back, and a
 * counter value seen there may come back with other rows behind it).
 */
export async function countedTotal(db: DbOrTx, table: VersionedTable, countQuery: Compilable<{ n: unknown }> | CompiledQuery<{ n: unknown }>): Promise<number> {
  const compiled = 'compile' in countQuery ? countQuery.compile() : countQuery;
  if (db.isTransaction) return totalOf(await db.executeQuery(compiled));
  // Read on the connection at once when no transaction is open there (direct-read.ts), else through the executor.
  const [row] = (directReadOf(db)?.(versionQuery(table)) ?? (await db.executeQuery(versionQuery(table))).rows) as Array<{ version: number }>;
  // No counter row: migration 007 has not run on this handle's database; count every time.
  if (row === undefined) return totalOf(await db.executeQuery(compiled));
  const key = `${table}\u0000${compiled.sql}\u0000${JSON.stringify(compiled.parameters)}`;
  let cache = remembered.get(db);
  if (!cache) {
    cache = new Map();
    remembered.set(db, cache);
  }
  const known = cache.get(key);
  if (known !== undefined && known.version === row.version) return known.total;
  const total = totalOf(await db.executeQuery(compiled));
  cache.delete(key);
  if (cache.size >= MAX_REMEMBERED) cache.delete(cache.keys().next().value!);
  cache.set(key, { version: row.version, total });
  return total;
}

function totalOf(result: { rows: unknown[] }): number {
  return Number((result.rows[0] as { n: unknown } | undefined)?.n ?? 0);
}
