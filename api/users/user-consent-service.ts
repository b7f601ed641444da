import type { Actor } from '../audit/audit-actions.ts';
import { inTransaction } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { auditUser, loadChangeableUser } from './user-access.ts';
import { fieldIssue, validationError } from './user-errors.ts';
import { checkPersonFields } from './user-input.ts';
import { toUserView, type UserView } from './user-view.ts';
import { updateUserRow } from './users-repository.ts';

/**
 * Records the visitor's RGPD consent to the current text version
 * (`policy.consentTextVersion`), now. Recording it again renews it, e.g.
 * after the consent text changed.
 */
export async function recordConsent(ctx: DomainContext, actor: Actor, id: number): Promise<UserView> {
  const now = ctx.clock.now();
  const row = await inTransaction(ctx.db, async (trx) => {
    const user = await loadChangeableUser(trx, id);
    const updated = await updateUserRow(trx, id, {
      consent_at: now,
      consent_text_version: ctx.policy.consentTextVersion,
      updated_at: now,
    });
    await auditUser(trx, ctx.clock, actor, 'user.consent_given', id, {
      kind: 'visitor',
      consentTextVersion: ctx.policy.consentTextVersion,
      renewed: user.consent_at !== null,
    });
    return updated;
  });
  return toUserView(row, now, ctx.policy);
}

/**
 * Records a legal guardian's consent, now. `guardianName` names (or renames)
 * the guardian; without it the name already on file is used, and there must
 * be one.
 */
export async function recordGuardianConsent(
  ctx: DomainContext,
  actor: Actor,
  id: number,
  input: { guardianName?: string } = {},
): Promise<UserView> {
  const now = ctx.clock.now();
  const given = input.guardianName !== undefined;
  const values = given ? checkPersonFields({ guardianName: input.guardianName }, ['guardianName'], { now, timeZone: ctx.policy.timeZone }) : {};
  const row = await inTransaction(ctx.db, async (trx) => {
    const user = await loadChangeableUser(trx, id);
    const guardianName = values.guardianName ?? user.guardian_name;
    if (guardianName === null) {
      throw validationError([
        fieldIssue('USER_GUARDIAN_NAME_REQUIRED', 'guardianName', 'Indiquez le nom du représentant légal qui consent.', 'Give the name of the guardian who consents.'),
      ]);
    }
    const renamed = guardianName !== user.guardian_name;
    const updated = await updateUserRow(trx, id, {
      guardian_name: guardianName,
      guardian_consent_at: now,
      updated_at: now,
    });
    await auditUser(trx, ctx.clock, actor, 'user.consent_given', id, {
      kind: 'guardian',
      fields: renamed ? ['guardianName'] : [],
      renewed: user.guardian_consent_at !== null && !renamed,
    });
    return updated;
  });
  return toUserView(row, now, ctx.policy);
}
