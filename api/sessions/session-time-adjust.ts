import type { Actor } from '../audit/audit-actions.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import type { ChangePlan } from './session-change.ts';
import { changeSession } from './session-change.ts';
import { closingFor, pastClosing } from './opening-gate.ts';
import { checkMinutes, remainingTooLarge, removalTooLarge, timeUp } from './session-errors.ts';
import { MAX_REMAINING_MS, MAX_TIME_CHANGE_MINUTES } from './session-limits.ts';
import { remainingAt } from './session-timing.ts';
import type { SessionView } from './session-view.ts';
import type { Session } from './sessions-table.ts';

/**
 * Adds whole minutes to a live session: a pending code carries more time, an
 * active session gets a later deadline, a suspended one more frozen time. The
 * allotment grows by the same amount, so elapsed time is unchanged.
 */
export async function addTime(ctx: DomainContext, sessionId: number, minutes: number, actor: Actor): Promise<SessionView> {
  const deltaMs = checkMinutes('minutes', minutes, MAX_TIME_CHANGE_MINUTES) * 60_000;
  return changeSession(ctx, sessionId, 'add_time', actor, (session, now) => {
    const remainingMs = liveRemaining(session, now);
    if (remainingMs + deltaMs > MAX_REMAINING_MS) throw remainingTooLarge(session.id, MAX_REMAINING_MS);
    // An active session's deadline may not pass closing; pending and suspended ones are capped when they run.
    const closesAt = session.status === 'active' ? closingFor(ctx.policy, now) : null;
    if (closesAt !== null && now + remainingMs + deltaMs > closesAt) throw pastClosing(session.id, closesAt, closesAt - now - remainingMs, ctx.policy.timeZone);
    return shift(session, deltaMs, remainingMs, 'session.time_added');
  });
}

/**
 * Removes whole minutes from a live session. Taking away all that is left (or
 * more) is refused: ending or cancelling is the honest way to stop a session.
 */
export async function removeTime(ctx: DomainContext, sessionId: number, minutes: number, actor: Actor): Promise<SessionView> {
  const deltaMs = checkMinutes('minutes', minutes, MAX_TIME_CHANGE_MINUTES) * 60_000;
  return changeSession(ctx, sessionId, 'remove_time', actor, (session, now) => {
    const remainingMs = liveRemaining(session, now);
    if (deltaMs >= remainingMs) throw removalTooLarge(session.id, remainingMs, deltaMs);
    return shift(session, -deltaMs, remainingMs, 'session.time_removed');
  });
}

/** Time left now; an active session past its deadline is about to expire and takes no changes. */
function liveRemaining(session: Session, now: number): number {
  const remainingMs = remainingAt(session, now);
  if (session.status === 'active' && remainingMs <= 0) throw timeUp(session.id);
  return remainingMs;
}

function shift(session: Session, deltaMs: number, remainingMs: number, audit: ChangePlan['audit']): ChangePlan {
  const allottedMs = session.allotted_ms + deltaMs;
  const patch =
    session.status === 'active'
      ? { allotted_ms: allottedMs, ends_at: (session.ends_at ?? 0) + deltaMs }
      : { allotted_ms: allottedMs, remaining_ms: (session.remaining_ms ?? 0) + deltaMs };
  return {
    patch,
    audit,
    metadata: {
      deltaMs: Math.abs(deltaMs),
      allottedMs,
      remainingMs: remainingMs + deltaMs,
      status: session.status,
      stationId: session.station_id,
    },
  };
}
