// Frozen in time: this migration imports no application code.
import { sql, type Kysely } from 'kysely';

/**
 * The audit list's total remembered like the visitors' and sessions' ones
 * (migration 007): a counter in list_versions bumped by every insert into
 * audit_events and every delete (only the monthly archive deletes, and no
 * update is allowed). Counting 300,000 events walks ~5 MB of index, more
 * than the connection's page cache holds, on every page otherwise.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`insert into list_versions (name, version) values ('audit_events', 0)`.execute(db);
  for (const event of ['insert', 'delete']) {
    await sql
      .raw(`create trigger audit_events_list_version_${event} after ${event} on audit_events begin update list_versions set version = version + 1 where name = 'audit_events'; end`)
      .execute(db);
  }
}
