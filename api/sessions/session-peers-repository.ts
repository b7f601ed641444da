/**
 * The few reads and writes the sessions domain needs on the `users` and
 * `stations` tables. They live here, on purpose, instead of going through the
 * users and stations services: the session rules only need these columns, and
 * the station flips must run in the session's own transaction. The tables
 * themselves belong to those folders.
 */
import { hotQuery } from '../db/hot-query.ts';
import type { DbOrTx } from '../db/schema.ts';
import type { StationState } from '../stations/stations-table.ts';

/** What the session rules read of a visitor. */
export interface VisitorFacts {
  id: number;
  birth_date: string | null;
  guardian_name: string | null;
  guardian_consent_at: number | null;
  consent_at: number | null;
  consent_revoked_at: number | null;
  anonymised_at: number | null;
  deleted_at: number | null;
}

// Compiled once (hotQuery): every code check reads the visitor and the station.
const visitorFacts = hotQuery(1, (db, userId: number) =>
  db.selectFrom('users').select(['id', 'birth_date', 'guardian_name', 'guardian_consent_at', 'consent_at', 'consent_revoked_at', 'anonymised_at', 'deleted_at']).where('id', '=', userId),
);

export async function findVisitorFacts(db: DbOrTx, userId: number): Promise<VisitorFacts | undefined> {
  return (await visitorFacts(db, userId))[0];
}

/** What the session rules read of a station. */
export interface StationFacts {
  id: number;
  ip: string | null;
  state: StationState;
}

// A deleted station is gone for sessions too (its rows stay for the connection records).
const stationFacts = hotQuery(1, (db, stationId: number) => db.selectFrom('stations').select(['id', 'ip', 'state']).where('id', '=', stationId).where('deleted_at', 'is', null));

export async function findStationFacts(db: DbOrTx, stationId: number): Promise<StationFacts | undefined> {
  return (await stationFacts(db, stationId))[0];
}

/** A session started there: the station is occupied. */
export async function markStationOccupied(db: DbOrTx, stationId: number, now: number): Promise<void> {
  await db
    .updateTable('stations')
    .set({ state: 'occupied', updated_at: now })
    .where('id', '=', stationId)
    .execute();
}

/**
 * The session there ended: back to available, but only from occupied, so a
 * station put in maintenance (or found offline) meanwhile keeps that state.
 */
export async function releaseStation(db: DbOrTx, stationId: number, now: number): Promise<void> {
  await db
    .updateTable('stations')
    .set({ state: 'available', updated_at: now })
    .where('id', '=', stationId)
    .where('state', '=', 'occupied')
    .execute();
}
