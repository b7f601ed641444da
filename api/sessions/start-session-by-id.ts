import type { Actor } from '../audit/audit-actions.ts';
import { inTransaction, isUniqueViolation } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { conflict, DomainError, notFound } from '../shared/errors.ts';
import { checkCodeAt, type CodeCheck } from './code-check.ts';
import { applyChange } from './session-change.ts';
import { closingForStart, closingNote } from './opening-gate.ts';
import { checkId, stationBusy } from './session-errors.ts';
import { transition } from './session-transitions.ts';
import { toSessionView, type SessionView } from './session-view.ts';
import { findSessionById } from './sessions-repository.ts';
import { startPlanner } from './start-session.ts';

/**
 * An operator starts a pending session on a chosen station from the panel
 * (the visitor cannot type, the station's keyboard is broken…). The same
 * checks as a typed code — station usable and free, code not expired, the
 * binding, the visitor's consent — but an operator sees every code anyway, so
 * the refusal names its real reason instead of the station's one
 * CODE_REJECTED, and nothing counts as a guess.
 */
export async function startSessionById(ctx: DomainContext, sessionId: number, stationId: number, actor: Actor): Promise<SessionView> {
  checkId('sessionId', sessionId);
  checkId('stationId', stationId);
  const now = ctx.clock.now();
  const closesAt = closingForStart(ctx.policy, now);
  try {
    const started = await inTransaction(ctx.db, async (trx) => {
      const session = await findSessionById(trx, sessionId);
      if (session === undefined) throw notFound('session', sessionId);
      transition(session.status, 'start', sessionId);
      const check = await checkCodeAt(trx, session.code, stationId, now, ctx.policy);
      if (!check.ok) throw operatorRefusal(check, sessionId, stationId);
      return applyChange(trx, ctx, check.session, 'start', actor, startPlanner(check.station, closesAt), now);
    });
    return { ...toSessionView(started, now), ...closingNote(started, closesAt) };
  } catch (error) {
    // Two starts raced for the station: the running-session index let one through.
    if (error instanceof DomainError && error.code === 'STORAGE_FAILURE' && isUniqueViolation(error.cause)) throw stationBusy(stationId);
    throw error;
  }
}

function operatorRefusal(check: Extract<CodeCheck, { ok: false }>, sessionId: number, stationId: number): DomainError {
  switch (check.reason) {
    case 'code_expired':
      return conflict(
        'SESSION_CODE_EXPIRED',
        "Ce code a expiré sans avoir servi : émettez-en un nouveau.",
        'This code expired unused: issue a new one.',
        { sessionId },
      );
    case 'bound_to_other_station':
      return conflict(
        'SESSION_BOUND_ELSEWHERE',
        "Ce code est réservé à un autre poste : changez d'abord sa réservation.",
        'This code is reserved for another station: change its reservation first.',
        { sessionId, stationId },
      );
    default:
      // visitor_not_eligible carries the users domain's own error; the other
      // reasons cannot follow a pending status read in this transaction.
      return check.error;
  }
}
