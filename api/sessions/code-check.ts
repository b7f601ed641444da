import { stationActor, type Actor } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import type { DbOrTx } from '../db/schema.ts';
import { inTransaction, reading } from '../db/transaction.ts';
import type { DomainContext, DomainPolicy } from '../shared/domain-context.ts';
import { notFound, type DomainError } from '../shared/errors.ts';
import { codeFingerprint, normaliseCode } from './access-code.ts';
import { checkId, codeRejected, stationBusy, stationUnavailable } from './session-errors.ts';
import { findStationFacts, findVisitorFacts, type StationFacts } from './session-peers-repository.ts';
import { toSessionView, type SessionView } from './session-view.ts';
import { findLiveSessionByCode, findRunningSessionOnStation } from './sessions-repository.ts';
import type { Session } from './sessions-table.ts';
import { ineligibleError, visitorIneligibility } from './visitor-eligibility.ts';

/** The real reason a code was refused, kept in the audit trail only. */
export type RejectReason = 'unknown_code' | 'code_in_use' | 'code_expired' | 'bound_to_other_station' | 'visitor_not_eligible';

export type CodeCheck =
  | { ok: true; session: Session; station: StationFacts }
  | { ok: false; reason: RejectReason; sessionId: number | null; error: DomainError };

/**
 * Whether a (normalised) code can start on this station now. Problems of the
 * station itself throw at once (they say nothing about codes); problems of the
 * code come back as a rejection to record, and every code problem carries the
 * same public error so a wrong code never tells whether it exists elsewhere.
 */
export async function checkCodeAt(db: DbOrTx, code: string, stationId: number, now: number, policy: DomainPolicy): Promise<CodeCheck> {
  const station = await usableStation(db, stationId);
  const session = await findLiveSessionByCode(db, code);
  if (session === undefined) return rejected('unknown_code', null);
  if (session.status !== 'pending') return rejected('code_in_use', session.id);
  if (session.code_expires_at <= now) return rejected('code_expired', session.id);
  if (session.bound_station_id !== null && session.bound_station_id !== stationId) return rejected('bound_to_other_station', session.id);
  const visitor = await findVisitorFacts(db, session.user_id);
  const why = visitor === undefined ? 'user_deleted' : visitorIneligibility(visitor, now, policy);
  if (why !== null) return { ok: false, reason: 'visitor_not_eligible', sessionId: session.id, error: ineligibleError(why, session.user_id, policy) };
  return { ok: true, session, station };
}

/** Exists, approved, not in maintenance or offline, and no other session running there. */
async function usableStation(db: DbOrTx, stationId: number): Promise<StationFacts> {
  const station = await findStationFacts(db, stationId);
  if (station === undefined) throw notFound('station', stationId);
  if (station.state === 'pending' || station.state === 'maintenance' || station.state === 'offline') {
    throw stationUnavailable(stationId, station.state);
  }
  const running = await findRunningSessionOnStation(db, stationId);
  if (running !== undefined) throw stationBusy(stationId);
  return station;
}

function rejected(reason: Exclude<RejectReason, 'visitor_not_eligible'>, sessionId: number | null): CodeCheck {
  return { ok: false, reason, sessionId, error: codeRejected() };
}

/**
 * Writes `session.code_rejected` (its own transaction: the refused attempt
 * changed nothing else) and returns the error to throw. The code is kept only
 * as a short fingerprint.
 */
export async function recordRejection(
  ctx: DomainContext,
  rejection: Extract<CodeCheck, { ok: false }>,
  code: string,
  stationId: number,
  actor: Actor,
): Promise<DomainError> {
  await inTransaction(ctx.db, (trx) =>
    appendAudit(trx, ctx.clock, {
      actor,
      action: 'session.code_rejected',
      target: { type: 'station', id: stationId },
      metadata: { reason: rejection.reason, stationId, sessionId: rejection.sessionId, codeFingerprint: codeFingerprint(code) },
    }),
  );
  return rejection.error;
}

/**
 * Checks a typed code on a station without starting anything: format first
 * (no database access for a malformed entry), then station, code, binding and
 * the visitor's consent. Returns the pending session's view.
 */
export async function validateCode(
  ctx: DomainContext,
  input: unknown,
  stationId: number,
  actor: Actor = stationActor(stationId),
): Promise<SessionView> {
  const code = normaliseCode(input, ctx.policy.codeLength);
  checkId('stationId', stationId);
  const now = ctx.clock.now();
  const check = await reading(() => checkCodeAt(ctx.db, code, stationId, now, ctx.policy));
  if (!check.ok) throw await recordRejection(ctx, check, code, stationId, actor);
  return toSessionView(check.session, now);
}
