import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { operatorActor, systemActor } from '../audit/audit-actions.ts';
import type { Database } from '../db/schema.ts';
import { FakeClock } from '../shared/clock.ts';
import { failingWhen, insertInto } from '../testing/broken-db.ts';
import { createTestDb } from '../testing/test-db.ts';
import { addOperator, resetOperatorPassword, updateOperator } from './operators-admin.ts';
import { getOperator, listOperators } from './operators-list.ts';
import { verifyPassword } from './passwords.ts';

let db: Kysely<Database>;
const clock = new FakeClock();
let adminId: number;

beforeEach(async () => {
  db = await createTestDb();
  const admin = await addOperator({ db, clock }, systemActor, { username: 'admin', displayName: 'Admin', role: 'admin', password: 'admin password long', mustChangePassword: false });
  adminId = admin.operator.id;
});
afterEach(async () => {
  await db.destroy();
});

const audit = async () =>
  (await db.selectFrom('audit_events').select(['action', 'actor_id', 'target_id', 'metadata']).orderBy('id').execute()).map((e) => ({ ...e, metadata: JSON.parse(e.metadata) as Record<string, unknown> }));

async function addLogin(operatorId: number, id: string): Promise<void> {
  await db
    .insertInto('auth_sessions')
    .values({ id, operator_id: operatorId, created_at: 0, expires_at: Date.parse('2030-01-01'), last_seen_at: 0, revoked_at: null, revoked_reason: null, ip: null, user_agent: null })
    .execute();
}

describe('adding operators', () => {
  it('generates a one-time password, returned once, that must be changed', async () => {
    const added = await addOperator({ db, clock }, operatorActor(adminId), { username: 'Paul', displayName: '  Paul   Hoarau ', role: 'operator' });
    expect(added.operator).toMatchObject({ username: 'paul', displayName: 'Paul Hoarau', role: 'operator', active: true, mustChangePassword: true, lastLoginAt: null });
    expect(added.oneTimePassword).toMatch(/^[A-Za-z2-9]{5}(-[A-Za-z2-9]{5}){3}$/);
    const row = await db.selectFrom('operators').selectAll().where('id', '=', added.operator.id).executeTakeFirstOrThrow();
    expect(await verifyPassword(row.password_hash, added.oneTimePassword!)).toBe(true);
    expect(JSON.stringify(added)).not.toContain('argon2');
  });

  it('keeps a chosen password secret and forces its change unless told otherwise', async () => {
    const forced = await addOperator({ db, clock }, operatorActor(adminId), { username: 'lea', displayName: 'Léa', role: 'operator', password: 'a chosen password' });
    expect(forced).toMatchObject({ oneTimePassword: null, operator: { mustChangePassword: true } });
    const free = await addOperator({ db, clock }, operatorActor(adminId), { username: 'tom', displayName: 'Tom', role: 'admin', password: 'a chosen password', mustChangePassword: false });
    expect(free.operator.mustChangePassword).toBe(false);
  });

  it('refuses a blank display name', async () => {
    await expect(addOperator({ db, clock }, systemActor, { username: 'x1', displayName: '   ', role: 'operator' })).rejects.toMatchObject({
      code: 'OPERATOR_DISPLAY_NAME_INVALID',
      fields: [{ field: 'displayName' }],
    });
  });
});

describe('listing operators', () => {
  it('filters by role, activity and text, sorts and pages', async () => {
    for (const name of ['zoe', 'bruno', 'chloe']) await addOperator({ db, clock }, systemActor, { username: name, displayName: name.toUpperCase(), role: 'operator' });
    const bruno = (await listOperators({ db }, { q: 'BRU' })).items[0]!;
    await updateOperator({ db, clock }, operatorActor(adminId), bruno.id, { active: false });
    expect((await listOperators({ db }, { role: 'operator', sort: 'username', order: 'desc' })).items.map((o) => o.username)).toEqual(['zoe', 'chloe', 'bruno']);
    expect((await listOperators({ db }, { active: false })).items.map((o) => o.username)).toEqual(['bruno']);
    expect(await listOperators({ db }, { pageSize: 2, page: 2 })).toMatchObject({ total: 4, page: 2, pageSize: 2, items: [{ username: 'chloe' }, { username: 'zoe' }] });
    await expect(listOperators({ db }, { sort: 'password' as never })).rejects.toMatchObject({ code: 'OPERATOR_SORT_INVALID' });
    await expect(getOperator({ db }, 999)).rejects.toMatchObject({ code: 'OPERATOR_NOT_FOUND' });
  });
});

describe('changing operators', () => {
  let marieId: number;
  beforeEach(async () => {
    marieId = (await addOperator({ db, clock }, systemActor, { username: 'marie', displayName: 'Marie', role: 'operator' })).operator.id;
  });

  it('records each change with from/to, and nothing for a patch that changes nothing', async () => {
    clock.advance(1000);
    const view = await updateOperator({ db, clock }, operatorActor(adminId), marieId, { displayName: 'Marie Payet', role: 'admin' });
    expect(view).toMatchObject({ displayName: 'Marie Payet', role: 'admin', updatedAt: clock.now() });
    await updateOperator({ db, clock }, operatorActor(adminId), marieId, { displayName: 'Marie Payet', role: 'admin', active: true });
    const events = (await audit()).filter((e) => e.action === 'operator.updated');
    expect(events).toEqual([
      { action: 'operator.updated', actor_id: adminId, target_id: marieId, metadata: { changes: { displayName: { from: 'Marie', to: 'Marie Payet' }, role: { from: 'operator', to: 'admin' } } } },
    ]);
  });

  it('refuses an admin demoting or deactivating themselves', async () => {
    await updateOperator({ db, clock }, operatorActor(adminId), marieId, { role: 'admin' });
    await expect(updateOperator({ db, clock }, operatorActor(adminId), adminId, { role: 'operator' })).rejects.toMatchObject({ code: 'OPERATOR_SELF_LOCKOUT', category: 'conflict' });
    await expect(updateOperator({ db, clock }, operatorActor(adminId), adminId, { active: false })).rejects.toMatchObject({ code: 'OPERATOR_SELF_LOCKOUT' });
    // Another admin may.
    expect((await updateOperator({ db, clock }, operatorActor(marieId), adminId, { role: 'operator' })).role).toBe('operator');
  });

  it('refuses to demote or deactivate the last active admin', async () => {
    await expect(updateOperator({ db, clock }, systemActor, adminId, { active: false })).rejects.toMatchObject({ code: 'OPERATOR_LAST_ADMIN' });
    await expect(updateOperator({ db, clock }, systemActor, adminId, { role: 'operator' })).rejects.toMatchObject({ code: 'OPERATOR_LAST_ADMIN' });
    // An inactive admin does not count as a second one.
    const idle = await addOperator({ db, clock }, systemActor, { username: 'idle', displayName: 'Idle', role: 'admin' });
    await updateOperator({ db, clock }, systemActor, idle.operator.id, { active: false });
    await expect(updateOperator({ db, clock }, systemActor, adminId, { role: 'operator' })).rejects.toMatchObject({ code: 'OPERATOR_LAST_ADMIN' });
    expect((await getOperator({ db }, adminId)).role).toBe('admin');
  });

  it('ends the logins of a deactivated operator', async () => {
    await addLogin(marieId, 'login-a');
    await addLogin(marieId, 'login-b');
    await updateOperator({ db, clock }, operatorActor(adminId), marieId, { active: false });
    const logins = await db.selectFrom('auth_sessions').select(['revoked_at', 'revoked_reason']).where('operator_id', '=', marieId).execute();
    expect(logins).toEqual([
      { revoked_at: clock.now(), revoked_reason: 'deactivated' },
      { revoked_at: clock.now(), revoked_reason: 'deactivated' },
    ]);
    expect((await audit()).at(-1)!.metadata).toMatchObject({ revokedLogins: 2 });
  });

  it('answers OPERATOR_NOT_FOUND for an unknown id', async () => {
    await expect(updateOperator({ db, clock }, systemActor, 999, { active: false })).rejects.toMatchObject({ code: 'OPERATOR_NOT_FOUND', category: 'not_found' });
  });

  it('changes nothing when the audit event cannot be written', async () => {
    const failing = failingWhen(db, insertInto('audit_events'));
    await expect(updateOperator({ db: failing, clock }, systemActor, marieId, { role: 'admin' })).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect((await getOperator({ db }, marieId)).role).toBe('operator');
  });
});

describe('password reset', () => {
  it('gives a new one-time password, forces its change and ends every login of that operator', async () => {
    const marie = await addOperator({ db, clock }, systemActor, { username: 'marie', displayName: 'Marie', role: 'operator', password: 'old password here', mustChangePassword: false });
    await addLogin(marie.operator.id, 'marie-login');
    await addLogin(adminId, 'admin-login');
    const reset = await resetOperatorPassword({ db, clock }, operatorActor(adminId), marie.operator.id);
    expect(reset.operator.mustChangePassword).toBe(true);
    const row = await db.selectFrom('operators').selectAll().where('id', '=', marie.operator.id).executeTakeFirstOrThrow();
    expect(await verifyPassword(row.password_hash, reset.oneTimePassword!)).toBe(true);
    expect(await verifyPassword(row.password_hash, 'old password here')).toBe(false);
    const logins = await db.selectFrom('auth_sessions').select(['id', 'revoked_reason']).orderBy('id').execute();
    expect(logins).toEqual([
      { id: 'admin-login', revoked_reason: null },
      { id: 'marie-login', revoked_reason: 'password_reset' },
    ]);
    expect((await audit()).at(-1)).toEqual({ action: 'operator.password_changed', actor_id: adminId, target_id: marie.operator.id, metadata: { reset: true, revokedLogins: 1 } });
  });

  it('keeps the old password and logins when the audit event cannot be written', async () => {
    const marie = await addOperator({ db, clock }, systemActor, { username: 'marie', displayName: 'Marie', role: 'operator', password: 'old password here', mustChangePassword: false });
    await addLogin(marie.operator.id, 'marie-login');
    const failing = failingWhen(db, insertInto('audit_events'));
    await expect(resetOperatorPassword({ db: failing, clock }, systemActor, marie.operator.id)).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    const row = await db.selectFrom('operators').selectAll().where('id', '=', marie.operator.id).executeTakeFirstOrThrow();
    expect(await verifyPassword(row.password_hash, 'old password here')).toBe(true);
    expect((await db.selectFrom('auth_sessions').select('revoked_at').executeTakeFirstOrThrow()).revoked_at).toBeNull();
    await expect(resetOperatorPassword({ db, clock }, systemActor, 999)).rejects.toMatchObject({ code: 'OPERATOR_NOT_FOUND' });
  });
});
