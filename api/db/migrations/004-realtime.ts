// Frozen in time: this migration imports no application code.
import type { Kysely } from 'kysely';

/**
 * Events a station agent queued while the box was unreachable and replayed
 * later: one row per (station, event id), so an event replayed twice is
 * applied once.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('station_replays')
    .addColumn('station_id', 'integer', (c) => c.notNull().references('stations.id').onDelete('cascade'))
    .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('event_type', 'varchar(32)', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('outcome', 'varchar(16)', (c) => c.notNull())
    .addColumn('error_code', 'varchar(64)')
    .addPrimaryKeyConstraint('station_replays_pk', ['station_id', 'event_id'])
    .execute();
  await db.schema.createIndex('station_replays_received_idx').on('station_replays').column('received_at').execute();
}
