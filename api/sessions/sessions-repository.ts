import { sql, type SqlBool } from 'kysely';
import type { DbOrTx } from '../db/schema.ts';
import { LIVE_STATUSES, type NewSession, type Session, type SessionStatus, type SessionUpdate } from './sessions-table.ts';
import { hotQuery } from '../db/hot-query.ts';
import { indexedBy } from '../db/indexed-by.ts';

/** Statuses in which a session holds its station (the partial unique index agrees). */
export const RUNNING_STATUSES = ['active', 'suspended'] as const satisfies readonly SessionStatus[];

export async function insertSession(db: DbOrTx, row: NewSession): Promise<Session> {
  return db.insertInto('sessions').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findSessionById(db: DbOrTx, id: number): Promise<Session | undefined> {
  return db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The live session holding a normalised code, if any (at most one: partial unique index). */
// Compiled once (hotQuery): every code a visitor types and every station poll reads these.
const liveByCode = hotQuery(1, (db, code: string) => db.selectFrom('sessions').selectAll().where('code', '=', code).where('status', 'in', LIVE_STATUSES));

export async function findLiveSessionByCode(db: DbOrTx, code: string): Promise<Session | undefined> {
  return (await liveByCode(db, code))[0];
}

export async function liveCodeExists(db: DbOrTx, code: string): Promise<boolean> {
  const row = await db
    .selectFrom('sessions')
    .select('id')
    .where('code', '=', code)
    .where('status', 'in', LIVE_STATUSES)
    .executeTakeFirst();
  return row !== undefined;
}

/** The active or suspended session on a station, if any. */
// Statuses written out and the partial index named: with bound statuses SQLite walks
// every past session of the station (see liveSessionsQuery in api/stations).
const runningOnStation = hotQuery(1, (db, stationId: number) =>
  db
    .selectFrom(indexedBy('sessions', 'sessions_running_station_uq'))
    .selectAll()
    .where('station_id', '=', stationId)
    .where(sql<SqlBool>`status in ('active', 'suspended')`),
);

export async function findRunningSessionOnStation(db: DbOrTx, stationId: number): Promise<Session | undefined> {
  return (await runningOnStation(db, stationId))[0];
}

/**
 * Updates a session only if it is still in the status the caller read, so a
 * concurrent change is never overwritten; undefined when it was not.
 */
export async function updateSessionFrom(
  db: DbOrTx,
  id: number,
  from: SessionStatus,
  patch: SessionUpdate,
): Promise<Session | undefined> {
  return db
    .updateTable('sessions')
    .set(patch)
    .where('id', '=', id)
    .where('status', '=', from)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Sessions of a visitor that count against the daily quota: created in
 * [start, end) and not given back. A code cancelled by an operator or expired
 * unused gives its slot back; every other session counts, live or ended.
 */
export async function countQuotaSessions(db: DbOrTx, userId: number, start: number, end: number): Promise<number> {
  const row = await db
    .selectFrom('sessions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('created_at', '>=', start)
    .where('created_at', '<', end)
    .where((eb) => eb.or([eb('end_reason', 'is', null), eb('end_reason', 'not in', ['cancelled', 'code_expired'])]))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listLiveSessions(db: DbOrTx): Promise<Session[]> {
  return db.selectFrom('sessions').selectAll().where('status', 'in', LIVE_STATUSES).orderBy('created_at').orderBy('id').execute();
}

/** Pending sessions whose code has expired by `now`, oldest first. */
export async function findExpiredPending(db: DbOrTx, now: number, limit: number): Promise<Session[]> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('status', '=', 'pending')
    .where('code_expires_at', '<=', now)
    .orderBy('code_expires_at')
    .limit(limit)
    .execute();
}

/** Active sessions whose deadline is at or before `now`, earliest first. */
export async function findDueActive(db: DbOrTx, now: number, limit: number): Promise<Session[]> {
  return db
    .selectFrom('sessions')
    .selectAll()
    .where('status', '=', 'active')
    .where('ends_at', '<=', now)
    .orderBy('ends_at')
    .limit(limit)
    .execute();
}

export interface ActiveDeadline {
  sessionId: number;
  stationId: number | null;
  endsAt: number;
}

export async function listActiveDeadlines(db: DbOrTx): Promise<ActiveDeadline[]> {
  const rows = await db
    .selectFrom('sessions')
    .select(['id', 'station_id', 'ends_at'])
    .where('status', '=', 'active')
    .where('ends_at', 'is not', null)
    .orderBy('ends_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ sessionId: r.id, stationId: r.station_id, endsAt: r.ends_at as number }));
}

export async function earliestCodeExpiry(db: DbOrTx): Promise<number | null> {
  const row = await db
    .selectFrom('sessions')
    .select((eb) => eb.fn.min('code_expires_at').as('t'))
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return row?.t === null || row?.t === undefined ? null : Number(row.t);
}
