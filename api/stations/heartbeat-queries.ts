import { hotQuery } from '../db/hot-query.ts';
import type { DbOrTx } from '../db/schema.ts';
import type { LiveSessionRef } from './station-view.ts';
import { RUNNING_STATUSES, toLiveRef } from './stations-repository.ts';
import type { Station } from './stations-table.ts';

// The heartbeat's reads, compiled once (hotQuery): the same as findStation and
// liveSessionFor in stations-repository.ts, which the rest of the code uses.

const stationById = hotQuery(1, (db, id: number) => db.selectFrom('stations').selectAll().where('id', '=', id).where('deleted_at', 'is', null));

const runningOn = hotQuery(1, (db, stationId: number) =>
  db
    .selectFrom('sessions')
    .select(['id', 'user_id', 'station_id', 'status', 'started_at', 'ends_at', 'remaining_ms'])
    .where('status', 'in', RUNNING_STATUSES)
    .where('station_id', '=', stationId),
);

/** A station that is not deleted, or undefined. */
export async function findStationHot(db: DbOrTx, id: number): Promise<Station | undefined> {
  return (await stationById(db, id))[0];
}

/** The session running (active or suspended) on a station, if any. */
export async function liveSessionForHot(db: DbOrTx, stationId: number, now: number): Promise<LiveSessionRef | null> {
  const row = (await runningOn(db, stationId))[0];
  return row === undefined ? null : toLiveRef(row, now);
}
