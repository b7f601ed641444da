import type { Actor } from '../audit/audit-actions.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { conflict } from '../shared/errors.ts';
import { capAtClosing, closingForStart, closingNote } from './opening-gate.ts';
import { changeSession, type ChangePlan, type Planner } from './session-change.ts';
import { endReasonInvalid, stationUnavailable, timeUp } from './session-errors.ts';
import { findStationFacts, releaseStation } from './session-peers-repository.ts';
import type { SessionView } from './session-view.ts';
import { remainingAt } from './session-timing.ts';
import type { EndReason, Session } from './sessions-table.ts';

/** Reasons a caller may give to endSession; expiry and cancellation have their own paths. */
export const MANUAL_END_REASONS = ['ended_by_operator', 'ended_by_visitor'] as const satisfies readonly EndReason[];
export type ManualEndReason = (typeof MANUAL_END_REASONS)[number];

/** Active → suspended: the deadline is dropped and the time left is frozen. The station stays held. */
export function suspendSession(ctx: DomainContext, sessionId: number, actor: Actor): Promise<SessionView> {
  return changeSession(ctx, sessionId, 'suspend', actor, (session, now) => {
    const remainingMs = remainingAt(session, now);
    if (remainingMs <= 0) throw timeUp(session.id);
    return {
      patch: { remaining_ms: remainingMs, ends_at: null, suspended_at: now },
      audit: 'session.suspended',
      metadata: { stationId: session.station_id, remainingMs },
    };
  });
}

/**
 * Suspended → active: new deadline = now + the frozen time. Refused when the
 * station meanwhile went into maintenance, offline or was removed, since the
 * visitor could not use the time, and while the EPN is closed; capped at
 * closing like a start (opening-gate.ts).
 */
export async function resumeSession(ctx: DomainContext, sessionId: number, actor: Actor): Promise<SessionView> {
  let closesAt: number | null = null;
  const view = await changeSession(ctx, sessionId, 'resume', actor, async (session, now, trx) => {
    closesAt = closingForStart(ctx.policy, now);
    const station = session.station_id === null ? undefined : await findStationFacts(trx, session.station_id);
    if (station === undefined) {
      throw conflict('SESSION_STATION_GONE', "Le poste de cette session n'existe plus.", "This session's station no longer exists.", {
        sessionId,
      });
    }
    if (station.state !== 'occupied' && station.state !== 'available') throw stationUnavailable(station.id, station.state);
    const { endsAt, allottedMs, note } = capAtClosing(now + (session.remaining_ms ?? 0), session.allotted_ms, closesAt);
    return {
      patch: { allotted_ms: allottedMs, ends_at: endsAt, remaining_ms: null, suspended_at: null },
      audit: 'session.resumed',
      metadata: { stationId: station.id, remainingMs: endsAt - now, endsAt, suspendedMs: now - (session.suspended_at ?? now), ...note },
    };
  });
  return view.endsAt === null ? view : { ...view, ...closingNote({ ends_at: view.endsAt }, closesAt) };
}

/**
 * Active or suspended → ended by a person. The time left is frozen; an active
 * session already past its deadline is recorded as ending at the deadline (the
 * station locked itself then). The station goes back to available only if it
 * is still marked occupied.
 */
export async function endSession(ctx: DomainContext, sessionId: number, reason: ManualEndReason, actor: Actor): Promise<SessionView> {
  if (!(MANUAL_END_REASONS as readonly string[]).includes(reason)) throw endReasonInvalid(reason);
  return changeSession(ctx, sessionId, 'end', actor, (session, now) => endPlan(session, now, reason));
}

function endPlan(session: Session, now: number, reason: ManualEndReason): ChangePlan {
  const remainingMs = Math.max(0, remainingAt(session, now));
  const endedAt = session.status === 'active' && session.ends_at !== null ? Math.min(now, session.ends_at) : now;
  return {
    patch: { end_reason: reason, ended_at: endedAt, remaining_ms: remainingMs, ends_at: null, suspended_at: null },
    audit: 'session.ended',
    metadata: { reason, stationId: session.station_id, usedMs: session.allotted_ms - remainingMs, remainingMs },
    also: releaseOnEnd(session, now),
  };
}

/** The station flip every ending shares. */
export function releaseOnEnd(session: Session, now: number): ChangePlan['also'] {
  const stationId = session.station_id;
  return stationId === null ? undefined : (trx) => releaseStation(trx, stationId, now);
}

/** Pending → ended (cancelled): the code dies unused and gives its quota slot back. */
export function cancelSession(ctx: DomainContext, sessionId: number, actor: Actor): Promise<SessionView> {
  const planner: Planner = (session, now) => ({
    patch: { end_reason: 'cancelled', ended_at: now },
    audit: 'session.cancelled',
    metadata: { userId: session.user_id, allottedMs: session.allotted_ms },
  });
  return changeSession(ctx, sessionId, 'cancel', actor, planner);
}
