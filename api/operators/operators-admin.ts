import type { Transaction } from 'kysely';
import type { Actor } from '../audit/audit-actions.ts';
import { appendAudit } from '../audit/audit-writer.ts';
import type { Database } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { notFound } from '../shared/errors.ts';
import { MAX_DISPLAY_NAME_LENGTH, operatorErrors } from './operator-errors.ts';
import { toOperatorView, type OperatorView } from './operator-view.ts';
import { createOperator } from './operators-service.ts';
import type { Operator, OperatorRole, OperatorUpdate } from './operators-table.ts';
import { generateOneTimePassword, hashPassword } from './passwords.ts';

type Ctx = Pick<DomainContext, 'db' | 'clock'>;

export interface AddOperatorInput {
  username: string;
  displayName: string;
  role: OperatorRole;
  /** Absent: a one-time password is generated and returned once. */
  password?: string | null;
  /** Only with a password the admin chose; default true (the admin knows it). */
  mustChangePassword?: boolean;
}

export interface OperatorWithPassword {
  operator: OperatorView;
  /** The generated one-time password, shown once; null when the admin chose the password. */
  oneTimePassword: string | null;
}

/** An admin adds an operator, with a password of their choice or a generated one-time password. */
export async function addOperator(ctx: Ctx, actor: Actor, input: AddOperatorInput): Promise<OperatorWithPassword> {
  const chosen = input.password ?? null;
  const password = chosen ?? generateOneTimePassword();
  const row = await createOperator(ctx, actor, {
    username: input.username,
    displayName: checkDisplayName(input.displayName),
    role: input.role,
    password,
    mustChangePassword: chosen === null ? true : (input.mustChangePassword ?? true),
  });
  return { operator: toOperatorView(row), oneTimePassword: chosen === null ? password : null };
}

/** Fields to change; absent means unchanged. */
export interface OperatorPatch {
  displayName?: string;
  role?: OperatorRole;
  active?: boolean;
}

function checkDisplayName(input: string): string {
  const name = input.trim().replace(/\s+/g, ' ');
  if (name.length === 0 || name.length > MAX_DISPLAY_NAME_LENGTH) throw operatorErrors.displayNameInvalid(name);
  return name;
}

async function requireOperator(trx: Transaction<Database>, id: number): Promise<Operator> {
  const row = await trx.selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst();
  if (row === undefined) throw notFound('operator', id);
  return row;
}

type Changes = Record<string, { from: unknown; to: unknown }>;

function changesOf(row: Operator, patch: OperatorPatch): Changes {
  const changes: Changes = {};
  if (patch.displayName !== undefined && patch.displayName !== row.display_name) changes.displayName = { from: row.display_name, to: patch.displayName };
  if (patch.role !== undefined && patch.role !== row.role) changes.role = { from: row.role, to: patch.role };
  if (patch.active !== undefined && patch.active !== (row.active === 1)) changes.active = { from: row.active === 1, to: patch.active };
  return changes;
}

/**
 * Refuses a change that would leave the appliance without an admin: an admin
 * demoting or deactivating themselves, or the last active admin losing the role.
 */
async function guardAdmins(trx: Transaction<Database>, actor: Actor, row: Operator, changes: Changes): Promise<void> {
  const change = changes.role?.to === 'operator' ? 'demote' : changes.active?.to === false ? 'deactivate' : null;
  if (change === null || row.role !== 'admin') return;
  if (actor.type === 'operator' && actor.id === row.id) throw operatorErrors.selfLockout(row.id, change);
  if (row.active !== 1) return;
  const others = await trx.selectFrom('operators').select('id').where('role', '=', 'admin').where('active', '=', 1).where('id', '!=', row.id).limit(1).execute();
  if (others.length === 0) throw operatorErrors.lastAdmin(row.id, change);
}

async function revokeLogins(trx: Transaction<Database>, operatorId: number, now: number, reason: string): Promise<number> {
  const result = await trx
    .updateTable('auth_sessions')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('operator_id', '=', operatorId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Renames, changes the role of, or (de)activates an operator. Deactivation
 * also ends their logins at once. A patch that changes nothing writes nothing.
 */
export async function updateOperator(ctx: Ctx, actor: Actor, id: number, patch: OperatorPatch): Promise<OperatorView> {
  const clean: OperatorPatch = { ...patch, ...(patch.displayName !== undefined ? { displayName: checkDisplayName(patch.displayName) } : {}) };
  const now = ctx.clock.now();
  return inTransaction(ctx.db, async (trx) => {
    const row = await requireOperator(trx, id);
    const changes = changesOf(row, clean);
    if (Object.keys(changes).length === 0) return toOperatorView(row);
    await guardAdmins(trx, actor, row, changes);
    const update: OperatorUpdate = { updated_at: now };
    if (changes.displayName) update.display_name = clean.displayName;
    if (changes.role) update.role = clean.role;
    if (changes.active) update.active = clean.active ? 1 : 0;
    const updated = await trx.updateTable('operators').set(update).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    const revokedLogins = changes.active?.to === false ? await revokeLogins(trx, id, now, 'deactivated') : 0;
    await appendAudit(trx, ctx.clock, { actor, action: 'operator.updated', target: { type: 'operator', id }, metadata: { changes, ...(revokedLogins ? { revokedLogins } : {}) } });
    return toOperatorView(updated);
  });
}

/**
 * An admin resets a forgotten password: a new one-time password (returned
 * once) that must be changed at the next login, and every login of that
 * operator ends at once, since someone else may hold the old password.
 */
export async function resetOperatorPassword(ctx: Ctx, actor: Actor, id: number): Promise<OperatorWithPassword> {
  const password = generateOneTimePassword();
  const passwordHash = await hashPassword(password);
  const now = ctx.clock.now();
  const operator = await inTransaction(ctx.db, async (trx) => {
    await requireOperator(trx, id);
    const updated = await trx
      .updateTable('operators')
      .set({ password_hash: passwordHash, must_change_password: 1, updated_at: now })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const revokedLogins = await revokeLogins(trx, id, now, 'password_reset');
    await appendAudit(trx, ctx.clock, { actor, action: 'operator.password_changed', target: { type: 'operator', id }, metadata: { reset: true, revokedLogins } });
    return updated;
  });
  return { operator: toOperatorView(operator), oneTimePassword: password };
}
