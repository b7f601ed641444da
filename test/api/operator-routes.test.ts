import type { InjectOptions } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failingWhen, insertInto } from '../../api/testing/broken-db.ts';
import { issueStationToken } from '../../api/auth/auth-service.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';

let h: ApiHarness;
let admin: { authorization: string };
beforeEach(async () => {
  h = await createApiHarness();
  admin = await h.bearer('admin');
});
afterEach(async () => {
  await h.close();
});

const call = (opts: InjectOptions) => h.app.inject(opts);
const idOf = async (username: string) => (await h.db.selectFrom('operators').select('id').where('username', '=', username).executeTakeFirstOrThrow()).id;

describe('GET /api/operators', () => {
  it('lists operators for an admin, without password hashes', async () => {
    const res = await call({ method: 'GET', url: '/api/operators?sort=username&order=desc', headers: admin });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ total: 2, page: 1, pageSize: 50 });
    expect(body.items.map((o: { username: string }) => o.username)).toEqual(['marie', 'admin']);
    expect(Object.keys(body.items[0]).sort()).toEqual(['active', 'createdAt', 'displayName', 'id', 'lastLoginAt', 'mustChangePassword', 'role', 'updatedAt', 'username']);
    expect(body.items[1].lastLoginAt).toBe(new Date(h.clock.now()).toISOString());
    expect(res.body).not.toContain('argon2');
  });

  it('filters by role and text', async () => {
    const res = await call({ method: 'GET', url: '/api/operators?role=operator&q=MAR', headers: admin });
    expect(res.json().items.map((o: { username: string }) => o.username)).toEqual(['marie']);
  });

  it('refuses an unknown sort with the field named', async () => {
    const res = await call({ method: 'GET', url: '/api/operators?sort=password', headers: admin });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('querystring.sort');
  });

  it('is for admins only: 401 anonymous, 403 operator and station', async () => {
    expect((await call({ method: 'GET', url: '/api/operators' })).statusCode).toBe(401);
    const asOperator = await call({ method: 'GET', url: '/api/operators', headers: await h.bearer('marie') });
    expect(asOperator.statusCode).toBe(403);
    expect(asOperator.json().code).toBe('AUTH_FORBIDDEN');
    const station = await h.db
      .insertInto('stations')
      .values({ name: 'P1', mac: '52:54:00:00:00:01', ip: null, state: 'available', state_reason: null, last_heartbeat_at: null, agent_version: null, deleted_at: null, created_at: 0, updated_at: 0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    const token = await issueStationToken(h.ctx, station.id);
    expect((await call({ method: 'GET', url: '/api/operators', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(403);
  });

  it('shows one operator, or 404', async () => {
    const marie = await idOf('marie');
    expect((await call({ method: 'GET', url: `/api/operators/${marie}`, headers: admin })).json()).toMatchObject({ id: marie, username: 'marie', role: 'operator', active: true });
    const missing = await call({ method: 'GET', url: '/api/operators/999', headers: admin });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('OPERATOR_NOT_FOUND');
  });
});

describe('POST /api/operators', () => {
  it('adds an operator with a one-time password returned once, which must be changed first', async () => {
    const res = await call({ method: 'POST', url: '/api/operators', headers: admin, payload: { username: 'Paul', displayName: 'Paul Hoarau', role: 'operator' } });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const { operator, oneTimePassword } = res.json();
    expect(operator).toMatchObject({ username: 'paul', displayName: 'Paul Hoarau', role: 'operator', active: true, mustChangePassword: true, lastLoginAt: null });
    const login = await call({ method: 'POST', url: '/api/auth/login', payload: { username: 'paul', password: oneTimePassword } });
    expect(login.json().mustChangePassword).toBe(true);
    const blocked = await call({ method: 'GET', url: '/api/stations', headers: { authorization: `Bearer ${login.json().accessToken}` } });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().code).toBe('AUTH_PASSWORD_CHANGE_REQUIRED');
  });

  it('takes a chosen password and returns no password', async () => {
    const res = await call({ method: 'POST', url: '/api/operators', headers: admin, payload: { username: 'lea', displayName: 'Léa', role: 'admin', password: 'a chosen password', mustChangePassword: false } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ oneTimePassword: null, operator: { role: 'admin', mustChangePassword: false } });
  });

  it('answers 400 with the field for a missing role, a bad username or a short password', async () => {
    const noRole = await call({ method: 'POST', url: '/api/operators', headers: admin, payload: { username: 'x1', displayName: 'X' } });
    expect(noRole.statusCode).toBe(400);
    expect(noRole.json().errors[0].field).toBe('body.role');
    const badName = await call({ method: 'POST', url: '/api/operators', headers: admin, payload: { username: 'a b', displayName: 'X', role: 'operator' } });
    expect(badName.json()).toMatchObject({ status: 400, code: 'OPERATOR_USERNAME_INVALID', errors: [{ field: 'username' }] });
    const short = await call({ method: 'POST', url: '/api/operators', headers: admin, payload: { username: 'xy', displayName: 'X', role: 'operator', password: 'short' } });
    expect(short.json()).toMatchObject({ status: 400, code: 'OPERATOR_PASSWORD_TOO_SHORT', errors: [{ field: 'password' }] });
  });

  it('answers 409 for a username already taken', async () => {
    const res = await call({ method: 'POST', url: '/api/operators', headers: admin, payload: { username: 'MARIE', displayName: 'Another', role: 'operator' } });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('OPERATOR_USERNAME_TAKEN');
  });

  it('refuses an operator', async () => {
    const res = await call({ method: 'POST', url: '/api/operators', headers: await h.bearer('marie'), payload: { username: 'x2', displayName: 'X', role: 'admin' } });
    expect(res.statusCode).toBe(403);
  });
});

describe('PATCH /api/operators/:id', () => {
  it('renames and promotes, audited', async () => {
    const marie = await idOf('marie');
    const res = await call({ method: 'PATCH', url: `/api/operators/${marie}`, headers: admin, payload: { displayName: 'Marie Payet', role: 'admin' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ displayName: 'Marie Payet', role: 'admin' });
    const event = await h.db.selectFrom('audit_events').selectAll().where('action', '=', 'operator.updated').executeTakeFirstOrThrow();
    expect(JSON.parse(event.metadata)).toEqual({ changes: { displayName: { from: 'Marie', to: 'Marie Payet' }, role: { from: 'operator', to: 'admin' } } });
  });

  it('refuses an admin demoting or deactivating themselves (409)', async () => {
    const me = await idOf('admin');
    const demote = await call({ method: 'PATCH', url: `/api/operators/${me}`, headers: admin, payload: { role: 'operator' } });
    expect(demote.statusCode).toBe(409);
    expect(demote.json()).toMatchObject({ code: 'OPERATOR_SELF_LOCKOUT', details: { change: 'demote' } });
    const deactivate = await call({ method: 'PATCH', url: `/api/operators/${me}`, headers: admin, payload: { active: false } });
    expect(deactivate.json().code).toBe('OPERATOR_SELF_LOCKOUT');
  });

  it('refuses to demote the last active admin, even by another admin who is then demoted', async () => {
    const marie = await idOf('marie');
    const me = await idOf('admin');
    await call({ method: 'PATCH', url: `/api/operators/${marie}`, headers: admin, payload: { role: 'admin' } });
    const marieHeaders = await h.bearer('marie');
    expect((await call({ method: 'PATCH', url: `/api/operators/${me}`, headers: marieHeaders, payload: { active: false } })).statusCode).toBe(200);
    // admin is now inactive: its login stops working at once.
    expect((await call({ method: 'GET', url: '/api/operators', headers: admin })).statusCode).toBe(401);
    const self = await call({ method: 'PATCH', url: `/api/operators/${marie}`, headers: marieHeaders, payload: { role: 'operator' } });
    expect(self.json().code).toBe('OPERATOR_SELF_LOCKOUT');
  });

  it('deactivates an operator: their logins end at once', async () => {
    const marieHeaders = await h.bearer('marie');
    expect((await call({ method: 'GET', url: '/api/stations', headers: marieHeaders })).statusCode).toBe(200);
    const res = await call({ method: 'PATCH', url: `/api/operators/${await idOf('marie')}`, headers: admin, payload: { active: false } });
    expect(res.json().active).toBe(false);
    expect((await call({ method: 'GET', url: '/api/stations', headers: marieHeaders })).statusCode).toBe(401);
    const relogin = await call({ method: 'POST', url: '/api/auth/login', payload: { username: 'marie', password: 'operator password long enough' } });
    expect(relogin.statusCode).toBe(401);
  });

  it('answers 400 for an empty or malformed patch and 404 for an unknown operator', async () => {
    const empty = await call({ method: 'PATCH', url: '/api/operators/2', headers: admin, payload: {} });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors[0].field).toBe('body');
    const badRole = await call({ method: 'PATCH', url: '/api/operators/2', headers: admin, payload: { role: 'root' } });
    expect(badRole.json().errors[0].field).toBe('body.role');
    const missing = await call({ method: 'PATCH', url: '/api/operators/999', headers: admin, payload: { active: false } });
    expect(missing.statusCode).toBe(404);
  });

  it('answers 503 and changes nothing when storage fails', async () => {
    const real = h.ctx.db;
    h.ctx.db = failingWhen(real, insertInto('audit_events'));
    const res = await call({ method: 'PATCH', url: '/api/operators/2', headers: admin, payload: { role: 'admin' } });
    h.ctx.db = real;
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('STORAGE_FAILURE');
    expect(res.body).not.toContain('simulated');
    expect((await h.db.selectFrom('operators').select('role').where('id', '=', 2).executeTakeFirstOrThrow()).role).toBe('operator');
  });
});

describe('POST /api/operators/:id/reset-password', () => {
  it('returns a one-time password once, forces its change and revokes existing logins', async () => {
    const marieHeaders = await h.bearer('marie');
    const marie = await idOf('marie');
    const res = await call({ method: 'POST', url: `/api/operators/${marie}/reset-password`, headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const { operator, oneTimePassword } = res.json();
    expect(operator).toMatchObject({ id: marie, mustChangePassword: true });
    expect((await call({ method: 'GET', url: '/api/stations', headers: marieHeaders })).statusCode).toBe(401);
    expect((await call({ method: 'POST', url: '/api/auth/login', payload: { username: 'marie', password: 'operator password long enough' } })).statusCode).toBe(401);
    const login = await call({ method: 'POST', url: '/api/auth/login', payload: { username: 'marie', password: oneTimePassword } });
    expect(login.json().mustChangePassword).toBe(true);
    const revoked = await h.db.selectFrom('auth_sessions').select('revoked_reason').where('operator_id', '=', marie).where('revoked_at', 'is not', null).execute();
    expect(revoked).toEqual([{ revoked_reason: 'password_reset' }]);
  });

  it('answers 404, 400 for a bad id, 403 for an operator', async () => {
    expect((await call({ method: 'POST', url: '/api/operators/999/reset-password', headers: admin })).statusCode).toBe(404);
    const bad = await call({ method: 'POST', url: '/api/operators/abc/reset-password', headers: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('params.id');
    expect((await call({ method: 'POST', url: '/api/operators/1/reset-password', headers: await h.bearer('marie') })).statusCode).toBe(403);
  });
});
