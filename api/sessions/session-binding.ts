import type { Actor } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import { inTransaction } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { conflict, notFound } from '../shared/errors.ts';
import { checkBindable } from './issue-session.ts';
import { checkId, sessionChanged } from './session-errors.ts';
import { toSessionView, type SessionView } from './session-view.ts';
import { findSessionById, updateSessionFrom } from './sessions-repository.ts';

/**
 * The one thing an operator may change on a session once issued: which
 * station its code is reserved for (null = any station), while the code is
 * still unused — the visitor sat elsewhere, the reserved station broke down.
 * Visitor and duration are not editable: time has its own audited actions,
 * and a code for someone else is a new code (the quota counts per visitor).
 * Setting the binding it already has writes nothing.
 */
export async function changeBinding(ctx: DomainContext, sessionId: number, boundStationId: number | null, actor: Actor): Promise<SessionView> {
  checkId('sessionId', sessionId);
  const to = boundStationId === null ? null : checkId('boundStationId', boundStationId);
  const now = ctx.clock.now();
  const session = await inTransaction(ctx.db, async (trx) => {
    const current = await findSessionById(trx, sessionId);
    if (current === undefined) throw notFound('session', sessionId);
    if (current.status !== 'pending') throw bindingFrozen(sessionId, current.status);
    if (current.bound_station_id === to) return current;
    if (to !== null) await checkBindable(trx, to);
    const updated = await updateSessionFrom(trx, sessionId, 'pending', { bound_station_id: to, updated_at: now });
    if (updated === undefined) throw sessionChanged(sessionId);
    await appendAudit(trx, ctx.clock, {
      actor,
      action: 'session.binding_changed',
      target: { type: 'session', id: sessionId },
      metadata: { from: current.bound_station_id, to },
    });
    return updated;
  });
  return toSessionView(session, now);
}

function bindingFrozen(sessionId: number, status: string) {
  return conflict(
    'SESSION_STATE_CONFLICT',
    "Seul un code pas encore utilisé peut être réservé à un autre poste.",
    'Only an unused code can be reserved for another station.',
    { sessionId, from: status, action: 'change_binding' },
  );
}
