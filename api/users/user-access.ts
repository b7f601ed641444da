import type { Actor } from '../audit/audit-actions.ts';
import { appendAudit, type AuditEntry } from '../audit/audit-writer.ts';
import type { DbOrTx } from '../db/schema.ts';
import type { Clock } from '../shared/clock.ts';
import { userAnonymised, userNotFound } from './user-errors.ts';
import { findUserRow } from './users-repository.ts';
import type { User } from './users-table.ts';

/** A visitor that exists and is not deleted (anonymised ones included). */
export async function loadVisibleUser(db: DbOrTx, id: number): Promise<User> {
  if (!Number.isSafeInteger(id) || id < 1) throw userNotFound(id);
  const user = await findUserRow(db, id);
  if (user === undefined || user.deleted_at !== null) throw userNotFound(id);
  return user;
}

/** A visitor whose personal data may still change: not deleted, not anonymised. */
export async function loadChangeableUser(db: DbOrTx, id: number): Promise<User> {
  const user = await loadVisibleUser(db, id);
  if (user.anonymised_at !== null) throw userAnonymised(id);
  return user;
}

/** The operator id to record as author, when the actor is an operator. */
export function operatorIdOf(actor: Actor): number | null {
  return actor.type === 'operator' ? actor.id : null;
}

/** One audit event about a visitor; metadata holds ids and field names, never values. */
export function auditUser(
  trx: DbOrTx,
  clock: Clock,
  actor: Actor,
  action: AuditEntry['action'],
  userId: number,
  metadata: Record<string, unknown> = {},
): Promise<unknown> {
  return appendAudit(trx, clock, { actor, action, target: { type: 'user', id: userId }, metadata });
}
