// Frozen in time: this migration imports no application code.
import { sql, type Kysely } from 'kysely';

/**
 * Plain indexes for lookups whose partial twins the planner cannot use: a
 * query binds its status list as parameters, and SQLite only uses a partial
 * index when it can prove the query's WHERE implies the index's, which it
 * cannot through parameters. Without this, checking a typed code scanned
 * every live session.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('sessions_code_idx').on('sessions').column('code').execute();
  // The visitors list sorts by folded name with anonymised rows last: an index in that exact order
  // lets a page be read instead of sorting every visitor on each request.
  await db.schema.createIndex('users_name_order_idx').on('users').expression(sql`(search_text is null), search_text, id`).execute();
}
