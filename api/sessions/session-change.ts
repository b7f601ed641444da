import type { Transaction } from 'kysely';
import type { Actor, AuditAction } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import type { Database } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { notFound } from '../shared/errors.ts';
import { checkId, sessionChanged } from './session-errors.ts';
import { transition, type SessionAction } from './session-transitions.ts';
import { toSessionView, type SessionView } from './session-view.ts';
import { findSessionById, updateSessionFrom } from './sessions-repository.ts';
import type { Session, SessionUpdate } from './sessions-table.ts';

/** What one action does to a session, decided from the session as read. */
export interface ChangePlan {
  /** Columns to set besides status and updated_at. */
  patch: SessionUpdate;
  audit: AuditAction;
  /** Ids and durations only. */
  metadata: Record<string, unknown>;
  /** Further writes in the same transaction (station flips). */
  also?: (trx: Transaction<Database>, updated: Session) => Promise<void>;
}

export type Planner = (session: Session, now: number, trx: Transaction<Database>) => ChangePlan | Promise<ChangePlan>;

/**
 * Applies one action inside an open transaction: the transition table decides
 * the new status, the update only lands if nobody changed the status since it
 * was read, and exactly one audit event is written with it.
 */
export async function applyChange(
  trx: Transaction<Database>,
  ctx: DomainContext,
  session: Session,
  action: SessionAction,
  actor: Actor,
  planner: Planner,
  now: number,
): Promise<Session> {
  const status = transition(session.status, action, session.id);
  const plan = await planner(session, now, trx);
  const updated = await updateSessionFrom(trx, session.id, session.status, { ...plan.patch, status, updated_at: now });
  if (updated === undefined) throw sessionChanged(session.id);
  await plan.also?.(trx, updated);
  await appendAudit(trx, ctx.clock, { actor, action: plan.audit, target: { type: 'session', id: session.id }, metadata: plan.metadata });
  return updated;
}

/** Reads the session, applies the action and returns the view, all at the clock's now. */
export async function changeSession(
  ctx: DomainContext,
  sessionId: number,
  action: SessionAction,
  actor: Actor,
  planner: Planner,
): Promise<SessionView> {
  checkId('sessionId', sessionId);
  const now = ctx.clock.now();
  const updated = await inTransaction(ctx.db, async (trx) => {
    const session = await findSessionById(trx, sessionId);
    if (session === undefined) throw notFound('session', sessionId);
    return applyChange(trx, ctx, session, action, actor, planner, now);
  });
  return toSessionView(updated, now);
}
