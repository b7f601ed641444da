import { appendAudit } from '../audit/audit-writer.ts';
import { operatorActor, systemActor, type Actor } from '../audit/audit-actions.ts';
import { inTransaction, isUniqueViolation, reading } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { conflict, invalid, notFound } from '../shared/errors.ts';
import type { Operator, OperatorRole } from './operators-table.ts';
import { MIN_PASSWORD_LENGTH, generateOneTimePassword, hashPassword, verifyPassword } from './passwords.ts';

type Ctx = Pick<DomainContext, 'db' | 'clock'>;

export interface NewOperatorInput {
  username: string;
  displayName: string;
  role: OperatorRole;
  password: string;
  mustChangePassword: boolean;
}

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw invalid(
      'OPERATOR_PASSWORD_TOO_SHORT',
      `Le mot de passe doit compter au moins ${MIN_PASSWORD_LENGTH} caractères.`,
      `The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`,
      [{ field: 'password', fr: `${MIN_PASSWORD_LENGTH} caractères minimum`, en: `at least ${MIN_PASSWORD_LENGTH} characters` }],
    );
  }
}

export async function createOperator(ctx: Ctx, actor: Actor, input: NewOperatorInput): Promise<Operator> {
  const username = input.username.trim().toLowerCase();
  if (!USERNAME.test(username)) {
    throw invalid('OPERATOR_USERNAME_INVALID', 'Identifiant invalide (minuscules, chiffres, . _ -).', 'Invalid username (lower-case letters, digits, . _ -).', [
      { field: 'username', fr: '2 à 64 caractères a-z 0-9 . _ -', en: '2 to 64 characters a-z 0-9 . _ -' },
    ]);
  }
  checkPassword(input.password);
  const passwordHash = await hashPassword(input.password);
  const now = ctx.clock.now();
  try {
    return await inTransaction(ctx.db, async (trx) => {
      const row = await trx
        .insertInto('operators')
        .values({
          username,
          display_name: input.displayName.trim() || username,
          role: input.role,
          password_hash: passwordHash,
          must_change_password: input.mustChangePassword ? 1 : 0,
          active: 1,
          created_at: now,
          updated_at: now,
          last_login_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await appendAudit(trx, ctx.clock, { actor, action: 'operator.created', target: { type: 'operator', id: row.id }, metadata: { role: row.role } });
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error) || isUniqueViolation((error as { cause?: unknown }).cause)) {
      throw conflict('OPERATOR_USERNAME_TAKEN', 'Cet identifiant est déjà utilisé.', 'This username is already taken.');
    }
    throw error;
  }
}

/**
 * On first start, when no operator exists, creates `admin` with a one-time
 * password that must be changed at first login. Returns the password so the
 * entry point can print it once; returns null when operators already exist.
 */
export async function bootstrapFirstAdmin(ctx: Ctx): Promise<{ username: string; password: string } | null> {
  const existing = await reading(() => ctx.db.selectFrom('operators').select('id').limit(1).executeTakeFirst());
  if (existing) return null;
  const password = generateOneTimePassword();
  await createOperator(ctx, systemActor, { username: 'admin', displayName: 'Administrateur', role: 'admin', password, mustChangePassword: true });
  return { username: 'admin', password };
}

/** Changes a password after checking the current one; clears the one-time flag. */
export async function changePassword(ctx: Ctx, operatorId: number, current: string, next: string): Promise<void> {
  const op = await reading(() => ctx.db.selectFrom('operators').selectAll().where('id', '=', operatorId).executeTakeFirst());
  if (!op) throw notFound('operator', operatorId);
  if (!(await verifyPassword(op.password_hash, current))) {
    throw invalid('OPERATOR_PASSWORD_WRONG', 'Mot de passe actuel incorrect.', 'Current password is wrong.', [
      { field: 'currentPassword', fr: 'incorrect', en: 'wrong' },
    ]);
  }
  checkPassword(next);
  if (next === current) {
    throw invalid('OPERATOR_PASSWORD_UNCHANGED', 'Le nouveau mot de passe doit être différent.', 'The new password must differ from the current one.', [
      { field: 'newPassword', fr: 'identique à l’actuel', en: 'same as current' },
    ]);
  }
  const passwordHash = await hashPassword(next);
  await inTransaction(ctx.db, async (trx) => {
    await trx
      .updateTable('operators')
      .set({ password_hash: passwordHash, must_change_password: 0, updated_at: ctx.clock.now() })
      .where('id', '=', operatorId)
      .execute();
    await appendAudit(trx, ctx.clock, { actor: operatorActor(operatorId), action: 'operator.password_changed', target: { type: 'operator', id: operatorId } });
  });
}
