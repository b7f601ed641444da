import { stationActor } from '../audit/audit-actions.ts';
import { hotQuery } from '../db/hot-query.ts';
import { reading } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { DomainError } from '../shared/errors.ts';
import { endSession } from './session-lifecycle.ts';
import { timeRemainingOf, type TimeRemaining } from './session-queries.ts';
import { checkId } from './session-errors.ts';
import type { SessionView } from './session-view.ts';
import type { Session } from './sessions-table.ts';

/**
 * A station may only see and end the session that runs (or ran) on it. A
 * session of another station and a session that does not exist get the same
 * answer, so a station learns nothing about sessions elsewhere.
 */
export function notOnThisStation(sessionId: number, stationId: number): DomainError {
  return new DomainError(
    'SESSION_NOT_ON_THIS_STATION',
    'forbidden',
    { fr: "Cette session ne tourne pas sur ce poste.", en: 'This session does not run on this station.' },
    { details: { sessionId, stationId } },
  );
}

// findSessionById, compiled once: stations poll their countdown.
const sessionById = hotQuery(1, (db, id: number) => db.selectFrom('sessions').selectAll().where('id', '=', id));

/**
 * Throws unless the session ran on this station. station_id is set once, at
 * the start, and never changes afterwards, so checking it before the change's
 * own transaction cannot be overtaken by another write.
 */
async function requireOwnSession(ctx: DomainContext, sessionId: number, stationId: number): Promise<Session> {
  checkId('sessionId', sessionId);
  checkId('stationId', stationId);
  const session = (await reading(() => sessionById(ctx.db, sessionId)))[0];
  if (session === undefined || session.station_id !== stationId) throw notOnThisStation(sessionId, stationId);
  return session;
}

/** The visitor ends their own session at the station ("Terminer ma session"). */
export async function endSessionOnStation(ctx: DomainContext, sessionId: number, stationId: number): Promise<SessionView> {
  await requireOwnSession(ctx, sessionId, stationId);
  return endSession(ctx, sessionId, 'ended_by_visitor', stationActor(stationId));
}

/** The countdown of the station's own session. */
export async function timeRemainingOnStation(ctx: DomainContext, sessionId: number, stationId: number): Promise<TimeRemaining> {
  // One read serves both the ownership check and the countdown (stations poll this).
  const session = await requireOwnSession(ctx, sessionId, stationId);
  return timeRemainingOf(session, ctx.clock.now());
}
