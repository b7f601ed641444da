import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemActor } from '../audit/audit-actions.ts';
import { verifyAuditChain } from '../audit/audit-verify.ts';
import type { Database } from '../db/schema.ts';
import { createOperator } from '../operators/operators-service.ts';
import { FakeClock } from '../shared/clock.ts';
import { createBrokenDb } from '../testing/broken-db.ts';
import { createTestDb } from '../testing/test-db.ts';
import { AccessTokenMemo } from './tokens.ts';
import { defaultAuthTimes, issueStationToken, login, logout, principalForAccessToken, principalForStationToken, refresh, type AuthContext } from './auth-service.ts';

let db: Kysely<Database>;
let ctx: AuthContext;
const clock = new FakeClock();
const PASSWORD = 'correct horse battery';

beforeEach(async () => {
  db = await createTestDb();
  ctx = { db, clock, auth: { tokenKey: Buffer.alloc(32, 7), ...defaultAuthTimes } };
  await createOperator(ctx, systemActor, { username: 'marie', displayName: 'Marie', role: 'operator', password: PASSWORD, mustChangePassword: false });
});
afterEach(async () => {
  await db.destroy();
});

const actions = async () => (await db.selectFrom('audit_events').select('action').orderBy('id').execute()).map((r) => r.action);

describe('login', () => {
  it('issues an access token that names a live login', async () => {
    const pair = await login(ctx, { username: 'Marie', password: PASSWORD, ip: '127.0.0.1' });
    expect(pair.expiresIn).toBe(900);
    expect(await principalForAccessToken(ctx, pair.accessToken)).toMatchObject({ kind: 'operator', role: 'operator', mustChangePassword: false });
    expect(await actions()).toEqual(['operator.created', 'auth.login']);
  });

  it('gives the same error for an unknown user and a wrong password, and audits both', async () => {
    const a = await login(ctx, { username: 'nobody', password: PASSWORD }).catch((e: unknown) => e);
    const b = await login(ctx, { username: 'marie', password: 'wrong' }).catch((e: unknown) => e);
    expect(a).toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS', category: 'unauthenticated' });
    expect(b).toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS', fr: (a as { fr: string }).fr });
    const failed = await db.selectFrom('audit_events').select('metadata').where('action', '=', 'auth.login_failed').execute();
    expect(failed.map((r) => JSON.parse(r.metadata).reason)).toEqual(['unknown_user', 'wrong_password']);
  });

  it('refuses an inactive operator', async () => {
    await db.updateTable('operators').set({ active: 0 }).execute();
    await expect(login(ctx, { username: 'marie', password: PASSWORD })).rejects.toMatchObject({ code: 'AUTH_INVALID_CREDENTIALS' });
  });

  it('rejects expired, forged and malformed access tokens', async () => {
    const pair = await login(ctx, { username: 'marie', password: PASSWORD });
    const [v, body] = pair.accessToken.split('.');
    expect(await principalForAccessToken(ctx, `${v}.${body}.AAAA`)).toBeNull();
    expect(await principalForAccessToken(ctx, 'garbage')).toBeNull();
    expect(await principalForAccessToken(ctx, 'v1.!!.!!')).toBeNull();
    clock.advance(15 * 60_000);
    expect(await principalForAccessToken(ctx, pair.accessToken)).toBeNull();
  });
});

describe('refresh rotation', () => {
  it('rotates, and a replayed token revokes the whole login', async () => {
    const first = await login(ctx, { username: 'marie', password: PASSWORD });
    const second = await refresh(ctx, first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(await principalForAccessToken(ctx, second.accessToken)).not.toBeNull();

    await expect(refresh(ctx, first.refreshToken)).rejects.toMatchObject({ code: 'AUTH_REFRESH_REUSED' });
    // The thief's replay also ends the legitimate holder's login.
    expect(await principalForAccessToken(ctx, second.accessToken)).toBeNull();
    await expect(refresh(ctx, second.refreshToken)).rejects.toMatchObject({ code: 'AUTH_REFRESH_INVALID' });
    expect(await actions()).toContain('auth.token_reuse_detected');
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it('refuses unknown and expired refresh tokens', async () => {
    await expect(refresh(ctx, 'nope')).rejects.toMatchObject({ code: 'AUTH_REFRESH_INVALID' });
    const pair = await login(ctx, { username: 'marie', password: PASSWORD });
    clock.advance(12 * 3600_000);
    await expect(refresh(ctx, pair.refreshToken)).rejects.toMatchObject({ code: 'AUTH_REFRESH_INVALID' });
  });
});

describe('logout', () => {
  it('ends access and refresh at once', async () => {
    const pair = await login(ctx, { username: 'marie', password: PASSWORD });
    const p = await principalForAccessToken(ctx, pair.accessToken);
    await logout(ctx, pair.sessionId, (p as { operatorId: number }).operatorId);
    expect(await principalForAccessToken(ctx, pair.accessToken)).toBeNull();
    await expect(refresh(ctx, pair.refreshToken)).rejects.toMatchObject({ code: 'AUTH_REFRESH_INVALID' });
  });

  it('ends access at once even when the token was verified and remembered (AccessTokenMemo)', async () => {
    const memo = new AccessTokenMemo(ctx.auth.tokenKey);
    const pair = await login(ctx, { username: 'marie', password: PASSWORD });
    const p = await principalForAccessToken(ctx, pair.accessToken, memo);
    expect(p).toMatchObject({ kind: 'operator', sessionId: pair.sessionId });
    expect(memo.size).toBe(1);
    await logout(ctx, pair.sessionId, (p as { operatorId: number }).operatorId);
    expect(await principalForAccessToken(ctx, pair.accessToken, memo)).toBeNull();
    // A deactivated operator's other login is refused as well: the login row is read at every call.
    const other = await login(ctx, { username: 'marie', password: PASSWORD });
    expect(await principalForAccessToken(ctx, other.accessToken, memo)).not.toBeNull();
    await db.updateTable('operators').set({ active: 0 }).execute();
    expect(await principalForAccessToken(ctx, other.accessToken, memo)).toBeNull();
  });
});

describe('station tokens', () => {
  it('identifies the station, and a new token revokes the old one', async () => {
    const now = clock.now();
    const st = await db
      .insertInto('stations')
      .values({ name: 'poste-01', mac: '52:54:00:00:00:01', ip: null, state: 'available', state_reason: null, last_heartbeat_at: null, agent_version: null, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const t1 = await issueStationToken(ctx, st.id);
    expect(await principalForStationToken(ctx, t1)).toEqual({ kind: 'station', stationId: st.id });
    const t2 = await issueStationToken(ctx, st.id);
    expect(await principalForStationToken(ctx, t1)).toBeNull();
    expect(await principalForStationToken(ctx, t2)).toEqual({ kind: 'station', stationId: st.id });
    const stored = await db.selectFrom('station_tokens').select('token_hash').execute();
    expect(stored.every((r) => r.token_hash !== t2 && /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
  });
});

it('a dead database makes login fail with STORAGE_FAILURE, not a crash', async () => {
  await expect(login({ ...ctx, db: createBrokenDb() }, { username: 'marie', password: PASSWORD })).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
});
