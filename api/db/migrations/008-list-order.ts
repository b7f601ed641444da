// Frozen in time: this migration imports no application code.
import { sql, type Kysely } from 'kysely';

/**
 * Two list costs that grew with the data (issue 3).
 *
 * The audit list's total remembered like the visitors' and sessions' ones
 * (migration 007): a counter in list_versions bumped by every insert into
 * audit_events and every delete (only the monthly archive deletes, and no
 * update is allowed). Counting 300,000 events walks ~5 MB of index, more
 * than the connection's page cache holds, on every page otherwise.
 *
 * The stations list's total likewise, bumped by what its filters read
 * (name, MAC, IP, state, deletion) and not by a heartbeat's time alone, which
 * rewrites a row per station every 10 s; a total filtered on "online" depends
 * on the time and is counted every time (list-totals.ts callers).
 *
 * The live screen's index (migration 007) gets the list's whole order,
 * (created_at, id), with status last so it stays covering: with status
 * second, every run of sessions issued in the same millisecond (a batch of
 * codes) was sorted again by id for each page, 3 ms at offset 5,000 against
 * 0.16 ms in index order.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`insert into list_versions (name, version) values ('audit_events', 0)`.execute(db);
  for (const event of ['insert', 'delete']) {
    await sql
      .raw(`create trigger audit_events_list_version_${event} after ${event} on audit_events begin update list_versions set version = version + 1 where name = 'audit_events'; end`)
      .execute(db);
  }
  await sql`insert into list_versions (name, version) values ('stations', 0)`.execute(db);
  for (const event of ['insert', 'delete', 'update of name, mac, ip, state, deleted_at']) {
    await sql
      .raw(`create trigger stations_list_version_${event.split(' ')[0]} after ${event} on stations begin update list_versions set version = version + 1 where name = 'stations'; end`)
      .execute(db);
  }
  await db.schema.dropIndex('sessions_live_created_idx').execute();
  await db.schema
    .createIndex('sessions_live_created_idx')
    .on('sessions')
    .columns(['created_at', 'id', 'status'])
    .where(sql<boolean>`status in ('pending', 'active', 'suspended')`)
    .execute();
}
