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
}
