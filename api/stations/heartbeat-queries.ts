import { hotQuery } from '../db/hot-query.ts';
import type { DbOrTx } from '../db/schema.ts';
import type { LiveSessionRef } from './station-view.ts';
import { liveSessionsQuery, toLiveRef } from './stations-repository.ts';
import type { Station } from './stations-table.ts';

// The heartbeat's reads, compiled once (hotQuery): the same as findStation and
// liveSessionFor in stations-repository.ts, which the rest of the code uses.

const stationById = hotQuery(1, (db, id: number) => db.selectFrom('stations').selectAll().where('id', '=', id).where('deleted_at', 'is', null));

// Through sessions_running_station_uq (liveSessionsQuery): with the statuses bound as
// parameters SQLite walks every past session of the station instead (13 vs 3 µs, bench DB).
const runningOn = hotQuery(1, (db, stationId: number) => liveSessionsQuery(db).where('station_id', '=', stationId));

/** A station that is not deleted, or undefined. */
export async function findStationHot(db: DbOrTx, id: number): Promise<Station | undefined> {
  return (await stationById(db, id))[0];
}

/** The session running (active or suspended) on a station, if any. */
export async function liveSessionForHot(db: DbOrTx, stationId: number, now: number): Promise<LiveSessionRef | null> {
  const row = (await runningOn(db, stationId))[0];
  return row === undefined ? null : toLiveRef(row, now);
}
