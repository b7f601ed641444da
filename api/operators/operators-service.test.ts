import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/audit-actions.ts';
import type { Database } from '../db/schema.ts';
import { FakeClock } from '../shared/clock.ts';
import { DomainError } from '../shared/errors.ts';
import { createBrokenDb, failingWhen, insertInto } from '../testing/broken-db.ts';
import { createTestDb } from '../testing/test-db.ts';
import { bootstrapFirstAdmin, changePassword, createOperator } from './operators-service.ts';
import { verifyPassword } from './passwords.ts';

let db: Kysely<Database>;
const clock = new FakeClock();
beforeEach(async () => {
  db = await createTestDb();
});
afterEach(async () => {
  await db.destroy();
});

describe('first-start admin', () => {
  it('creates admin once with a one-time password, stored only as an argon2id hash', async () => {
    const first = await bootstrapFirstAdmin({ db, clock });
    expect(first?.username).toBe('admin');
    expect(first?.password).toMatch(/^[A-Za-z2-9]{5}(-[A-Za-z2-9]{5}){3}$/);
    const row = await db.selectFrom('operators').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ role: 'admin', must_change_password: 1, active: 1 });
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain(first!.password);
    expect(await verifyPassword(row.password_hash, first!.password)).toBe(true);
    expect(await bootstrapFirstAdmin({ db, clock })).toBeNull();
    const events = await db.selectFrom('audit_events').select(['action', 'actor_type']).execute();
    expect(events).toEqual([{ action: 'operator.created', actor_type: 'system' }]);
  });

  it('clears the one-time flag when the password is changed', async () => {
    const first = await bootstrapFirstAdmin({ db, clock });
    const admin = await db.selectFrom('operators').select('id').executeTakeFirstOrThrow();
    await expect(changePassword({ db, clock }, admin.id, 'wrong', 'a much longer password')).rejects.toMatchObject({ code: 'OPERATOR_PASSWORD_WRONG' });
    await expect(changePassword({ db, clock }, admin.id, first!.password, 'short')).rejects.toMatchObject({ code: 'OPERATOR_PASSWORD_TOO_SHORT' });
    await expect(changePassword({ db, clock }, admin.id, first!.password, first!.password)).rejects.toMatchObject({ code: 'OPERATOR_PASSWORD_UNCHANGED' });
    await changePassword({ db, clock }, admin.id, first!.password, 'une phrase de passe longue');
    const row = await db.selectFrom('operators').selectAll().executeTakeFirstOrThrow();
    expect(row.must_change_password).toBe(0);
    expect(await verifyPassword(row.password_hash, 'une phrase de passe longue')).toBe(true);
  });
});

describe('operators', () => {
  const input = { username: 'Marie.Payet', displayName: 'Marie', role: 'operator' as const, password: 'mot-de-passe-solide', mustChangePassword: false };

  it('normalises the username and refuses duplicates', async () => {
    const op = await createOperator({ db, clock }, systemActor, input);
    expect(op.username).toBe('marie.payet');
    await expect(createOperator({ db, clock }, systemActor, input)).rejects.toMatchObject({ code: 'OPERATOR_USERNAME_TAKEN', category: 'conflict' });
  });

  it('refuses a bad username', async () => {
    await expect(createOperator({ db, clock }, systemActor, { ...input, username: 'a b' })).rejects.toMatchObject({ code: 'OPERATOR_USERNAME_INVALID' });
  });

  it('surfaces a dead database as STORAGE_FAILURE', async () => {
    const err = await bootstrapFirstAdmin({ db: createBrokenDb(), clock }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: 'STORAGE_FAILURE', category: 'unavailable' });
  });

  it('writes no operator when its audit event cannot be written', async () => {
    const failing = failingWhen(db, insertInto('audit_events'));
    await expect(createOperator({ db: failing, clock }, systemActor, input)).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect(await db.selectFrom('operators').selectAll().execute()).toEqual([]);
  });
});
