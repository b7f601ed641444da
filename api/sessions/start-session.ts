import { stationActor, type Actor } from '../audit/audit-actions.ts';
import { inTransaction, isUniqueViolation } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { DomainError } from '../shared/errors.ts';
import { normaliseCode } from './access-code.ts';
import { applyChange, type Planner } from './session-change.ts';
import { checkCodeAt, recordRejection, type CodeCheck } from './code-check.ts';
import { capAtClosing, closingForStart, closingNote } from './opening-gate.ts';
import { checkId, stationBusy } from './session-errors.ts';
import { markStationOccupied, type StationFacts } from './session-peers-repository.ts';
import { toSessionView, type SessionView } from './session-view.ts';
import type { Session } from './sessions-table.ts';

/**
 * A visitor typed a code on a station: the same checks as validateCode, then,
 * in one transaction, the session becomes active with its deadline
 * (now + the time it still had), records where it runs, the station becomes
 * occupied and one `session.started` event is written. `actor` is the station
 * (code typed there) or an operator starting it from the panel.
 */
export async function startSession(
  ctx: DomainContext,
  input: unknown,
  stationId: number,
  actor: Actor = stationActor(stationId),
): Promise<SessionView> {
  const code = normaliseCode(input, ctx.policy.codeLength);
  checkId('stationId', stationId);
  const now = ctx.clock.now();
  // Before the code is looked at: while closed nothing is written and no guess is counted.
  const closesAt = closingForStart(ctx.policy, now);
  let result: Extract<CodeCheck, { ok: false }> | { ok: true; started: Session };
  try {
    result = await inTransaction(ctx.db, async (trx) => {
      const check = await checkCodeAt(trx, code, stationId, now, ctx.policy);
      if (!check.ok) return check;
      const started = await applyChange(trx, ctx, check.session, 'start', actor, startPlanner(check.station, closesAt), now);
      return { ok: true as const, started };
    });
  } catch (error) {
    // Two starts raced for the station: the running-session index let one through.
    if (error instanceof DomainError && error.code === 'STORAGE_FAILURE' && isUniqueViolation(error.cause)) throw stationBusy(stationId);
    throw error;
  }
  if (!result.ok) throw await recordRejection(ctx, result, code, stationId, actor);
  return { ...toSessionView(result.started, now), ...closingNote(result.started, closesAt) };
}

/** `closesAt`: the closing the deadline may not pass (null: none); see opening-gate.ts. */
export function startPlanner(station: StationFacts, closesAt: number | null = null): Planner {
  return (session, now) => {
    const remainingMs = session.remaining_ms ?? session.allotted_ms;
    const { endsAt, allottedMs, note } = capAtClosing(now + remainingMs, session.allotted_ms, closesAt);
    return {
      patch: {
        allotted_ms: allottedMs,
        started_at: now,
        ends_at: endsAt,
        remaining_ms: null,
        station_id: station.id,
        station_ip: station.ip,
        suspended_at: null,
      },
      audit: 'session.started',
      metadata: { userId: session.user_id, stationId: station.id, allottedMs, remainingMs: endsAt - now, endsAt, ...note },
      also: (trx) => markStationOccupied(trx, station.id, now),
    };
  };
}
