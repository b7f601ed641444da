import { sql, type SqlBool, type Transaction } from 'kysely';
import type { Database, Db, DbOrTx } from '../db/schema.ts';
import { inTransaction, isUniqueViolation } from '../db/transaction.ts';
import { DomainError, conflict, notFound } from '../shared/errors.ts';
import { stationTaken, type UniqueField } from './station-errors.ts';
import type { LiveSessionRef } from './station-view.ts';
import type { NewStation, Station, StationUpdate } from './stations-table.ts';
import { indexedBy } from '../db/indexed-by.ts';

/** Session statuses that occupy a station (the partial unique index allows one per station). */
export const RUNNING_STATUSES = ['active', 'suspended'] as const;

/** A station that is not deleted, or undefined. */
export async function findStation(db: DbOrTx, id: number): Promise<Station | undefined> {
  return db.selectFrom('stations').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
}

/** A station that is not deleted, or a STATION_NOT_FOUND error. */
export async function requireStation(db: DbOrTx, id: number): Promise<Station> {
  const station = Number.isSafeInteger(id) ? await findStation(db, id) : undefined;
  if (station === undefined) throw notFound('station', id);
  return station;
}

export async function findStationByMac(db: DbOrTx, mac: string): Promise<Station | undefined> {
  return db.selectFrom('stations').selectAll().where('mac', '=', mac).where('deleted_at', 'is', null).executeTakeFirst();
}

/** The live station holding a name (case-insensitive, as the unique index), MAC or IP. */
export async function findHolder(db: DbOrTx, field: UniqueField, value: string, exceptId?: number): Promise<{ id: number; name: string } | undefined> {
  let query = db.selectFrom('stations').select(['id', 'name']).where('deleted_at', 'is', null);
  query = field === 'name' ? query.where(sql<string>`lower(name)`, '=', sql<string>`lower(${value})`) : query.where(field, '=', value);
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
  return query.executeTakeFirst();
}

/** Throws STATION_<FIELD>_TAKEN for the first value another live station already holds. */
export async function assertUnique(db: DbOrTx, fields: Partial<Record<UniqueField, string | null>>, exceptId?: number): Promise<void> {
  for (const field of ['name', 'mac', 'ip'] as const) {
    const value = fields[field];
    if (value === undefined || value === null) continue;
    const holder = await findHolder(db, field, value, exceptId);
    if (holder !== undefined) throw stationTaken(field, value, holder);
  }
}

export type LiveRow = { id: number; user_id: number; station_id: number | null; status: string; started_at: number | null; ends_at: number | null; remaining_ms: number | null };

export function toLiveRef(row: LiveRow, now: number): LiveSessionRef {
  const active = row.status === 'active';
  const remaining = active ? (row.ends_at ?? now) - now : (row.remaining_ms ?? 0);
  return {
    id: row.id,
    userId: row.user_id,
    status: active ? 'active' : 'suspended',
    startedAt: row.started_at,
    endsAt: active ? row.ends_at : null,
    remainingMs: Math.max(0, remaining),
  };
}

// The partial index's condition written out (a bound status list cannot prove it) and the index
// named (the planner still prefers sessions_status_idx, every running session).
const RUNNING_BY_STATION = indexedBy('sessions', 'sessions_running_station_uq');
const RUNNING_CONDITION = sql<SqlBool>`status in ('active', 'suspended')`;

/** Running sessions, through sessions_running_station_uq (every query adds a station_id condition). */
export function liveSessionsQuery(db: DbOrTx) {
  return db
    .selectFrom(RUNNING_BY_STATION)
    .select(['id', 'user_id', 'station_id', 'status', 'started_at', 'ends_at', 'remaining_ms'])
    .where(RUNNING_CONDITION);
}

/** The session running (active or suspended) on a station, if any. */
export async function liveSessionFor(db: DbOrTx, stationId: number, now: number): Promise<LiveSessionRef | null> {
  const row = await liveSessionsQuery(db).where('station_id', '=', stationId).executeTakeFirst();
  return row === undefined ? null : toLiveRef(row, now);
}

/**
 * Running sessions of several stations at once (one query for a page of the list),
 * looked up station by station in sessions_running_station_uq.
 */
export async function liveSessionsFor(db: DbOrTx, stationIds: number[], now: number): Promise<Map<number, LiveSessionRef>> {
  const map = new Map<number, LiveSessionRef>();
  if (stationIds.length === 0) return map;
  const rows = await liveSessionsQuery(db).where('station_id', 'in', stationIds).execute();
  for (const row of rows) map.set(row.station_id!, toLiveRef(row, now));
  return map;
}

export async function insertStation(db: DbOrTx, row: NewStation): Promise<Station> {
  return db.insertInto('stations').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateStationRow(db: DbOrTx, id: number, patch: StationUpdate): Promise<Station> {
  return db.updateTable('stations').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/**
 * inTransaction, plus: a UNIQUE violation the pre-checks did not see (a
 * concurrent writer on PostgreSQL) becomes a clear conflict, not a storage failure.
 */
export async function stationTransaction<T>(db: Db, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  try {
    return await inTransaction(db, work);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'STORAGE_FAILURE' && isUniqueViolation(error.cause) && /station/i.test(String((error.cause as Error).message))) {
      throw conflict(
        'STATION_DUPLICATE',
        'Un autre poste porte déjà ce nom, cette adresse MAC ou cette adresse IP.',
        'Another station already has this name, MAC address or IP address.',
      );
    }
    throw error;
  }
}
