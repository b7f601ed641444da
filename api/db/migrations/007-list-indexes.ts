// Frozen in time: this migration imports no application code.
import { sql, type Kysely } from 'kysely';

/**
 * Indexes the list endpoints read pages from (issue 3). A page at offset N
 * walks N index entries: each index below holds every column its query needs
 * to find a page's ids, so those N entries are read from the index alone and
 * only the page's own rows are fetched from the table.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // The visitors list hides deleted and anonymised visitors by default; sorted by folded name.
  await db.schema
    .createIndex('users_listed_name_idx')
    .on('users')
    .expression(sql`(search_text is null), search_text, id`)
    .where(sql.ref('deleted_at'), 'is', null)
    .where(sql.ref('anonymised_at'), 'is', null)
    .execute();
  // The live screen: pending, active and suspended sessions in issue order, and their count,
  // without walking the ended ones (the great majority after a year).
  await db.schema
    .createIndex('sessions_live_created_idx')
    .on('sessions')
    .columns(['created_at', 'status'])
    .where(sql<boolean>`status in ('pending', 'active', 'suspended')`)
    .execute();

  // A change counter per listed table, bumped by triggers in the writing transaction itself,
  // whoever writes (this process, a script, another connection): a list may keep a total it
  // counted until the counter moves (api/shared/list-totals.ts).
  await db.schema
    .createTable('list_versions')
    .addColumn('name', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  for (const table of ['users', 'sessions']) {
    await sql`insert into list_versions (name, version) values (${table}, 0)`.execute(db);
    for (const event of ['insert', 'update', 'delete']) {
      await sql
        .raw(`create trigger ${table}_list_version_${event} after ${event} on ${table} begin update list_versions set version = version + 1 where name = '${table}'; end`)
        .execute(db);
    }
  }
}
