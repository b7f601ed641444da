import type { Actor } from '../audit/audit-actions.ts';
import { inTransaction } from '../db/transaction.ts';
import { auditUser, loadChangeableUser, loadVisibleUser } from './user-access.ts';
import { runningSession } from './user-errors.ts';
import { toUserView, type UserView } from './user-view.ts';
import { removePhotoFileAfterCommit, type UsersContext } from './users-context.ts';
import { anonymisedPatch, cancelPendingSessions, runningSessionIds, updateUserRow } from './users-repository.ts';
import type { User, UserUpdate } from './users-table.ts';

export interface AnonymisationResult {
  user: UserView;
  /** Codes not yet used that were cancelled (status ended, reason cancelled). */
  cancelledSessionIds: number[];
  /**
   * False when the photo file could not be removed after the commit: the
   * database no longer points at it and `sweepOrphanPhotos` will remove it.
   */
  photoFileRemoved: boolean;
}

/**
 * The common part of revocation and deletion, in one transaction: refuse if a
 * session runs on a station, cancel unused codes, clear every personal field.
 * Connection records (sessions rows: station, IP, times) stay as they are.
 */
async function anonymise(
  ctx: UsersContext,
  actor: Actor,
  id: number,
  mode: { load: typeof loadVisibleUser; extra: UserUpdate; action: 'user.consent_revoked' | 'user.deleted' },
): Promise<AnonymisationResult> {
  const now = ctx.clock.now();
  const { row, cancelled, oldKey } = await inTransaction(ctx.db, async (trx) => {
    const user: User = await mode.load(trx, id);
    const running = await runningSessionIds(trx, id);
    if (running.length > 0) throw runningSession(id, running);
    const cancelledIds = await cancelPendingSessions(trx, id, now);
    const alreadyAnonymised = user.anonymised_at !== null;
    const patch = alreadyAnonymised ? { updated_at: now, ...mode.extra } : { ...anonymisedPatch(now), ...mode.extra };
    const updated = await updateUserRow(trx, id, patch);
    await auditUser(trx, ctx.clock, actor, mode.action, id, {
      cancelledSessionIds: cancelledIds,
      anonymised: !alreadyAnonymised,
      photoRemoved: user.photo_key !== null,
    });
    return { row: updated, cancelled: cancelledIds, oldKey: user.photo_key };
  });
  const photoFileRemoved = await removePhotoFileAfterCommit(ctx, oldKey);
  return { user: toUserView(row, now, ctx.policy), cancelledSessionIds: cancelled, photoFileRemoved };
}

/**
 * Withdraws RGPD consent: the person is anonymised at once (names, birth date,
 * phone, email, guardian, notes, photo), unused codes are cancelled. Refused
 * with USER_HAS_RUNNING_SESSION while a session is active or suspended: the
 * operator ends it first. Audited as user.consent_revoked.
 */
export async function revokeConsent(ctx: UsersContext, actor: Actor, id: number): Promise<AnonymisationResult> {
  const now = ctx.clock.now();
  return anonymise(ctx, actor, id, { load: loadChangeableUser, extra: { consent_revoked_at: now }, action: 'user.consent_revoked' });
}

/**
 * Deletes a visitor: the same anonymisation, plus deleted_at (the row stays so
 * connection records keep their link). Works on an already anonymised
 * visitor. Audited as user.deleted.
 */
export async function deleteUser(ctx: UsersContext, actor: Actor, id: number): Promise<AnonymisationResult> {
  const now = ctx.clock.now();
  return anonymise(ctx, actor, id, { load: loadVisibleUser, extra: { deleted_at: now }, action: 'user.deleted' });
}
