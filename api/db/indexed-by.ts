import { sql } from 'kysely';

/**
 * A table for `selectFrom` that names the index SQLite must use. Its planner
 * ignores a partial index unless the query repeats the index's condition as
 * literals, and may still prefer another one; INDEXED BY makes the query fail
 * instead of falling back, so a missing index cannot go unnoticed.
 */
export function indexedBy<T extends string>(table: T, index: string): T {
  return sql`${sql.table(table)}`.as(sql`${sql.table(table)} indexed by ${sql.id(index)}`) as unknown as T;
}
