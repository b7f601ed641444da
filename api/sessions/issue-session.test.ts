import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canCreateSession } from './session-quota.ts';
import { cancelSession, endSession } from './session-lifecycle.ts';
import { expireUnusedCodes } from './session-expiry.ts';
import { auditActions, insertStation, insertUser, issue, lastAudit, makeKit, MIN, OPERATOR_ID, operator, scriptedRandom, type Kit } from './session-test-kit.ts';
import { startSession } from './start-session.ts';

let kit: Kit;
let userId: number;
beforeEach(async () => {
  kit = await makeKit();
  userId = await insertUser(kit.db);
});
afterEach(async () => {
  await kit.db.destroy();
});

const sessionCount = async () => Number((await kit.db.selectFrom('sessions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('createSession', () => {
  it('issues a pending code with its allotment, expiry and one audit event', async () => {
    const view = await issue(kit, userId, { durationMinutes: 90 });
    expect(view).toMatchObject({
      status: 'pending',
      userId,
      allottedMs: 90 * MIN,
      remainingMs: 90 * MIN,
      elapsedMs: 0,
      endsAt: null,
      createdAt: kit.clock.now(),
      codeExpiresAt: kit.clock.now() + kit.ctx.policy.unusedCodeExpiryMs,
      createdBy: OPERATOR_ID,
      boundStationId: null,
    });
    expect(view.code).toMatch(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
    const row = await kit.db.selectFrom('sessions').selectAll().executeTakeFirstOrThrow();
    expect(row.code).toBe(view.code.replace('-', ''));
    const audit = await lastAudit(kit.db);
    expect(audit).toMatchObject({ action: 'session.code_generated', actor_type: 'operator', actor_id: OPERATOR_ID, target_type: 'session', target_id: view.id });
    expect(audit.meta).toEqual({ userId, allottedMs: 90 * MIN, boundStationId: null, codeExpiresAt: view.codeExpiresAt });
    expect(audit.metadata).not.toContain(row.code);
  });

  it.each([0, -5, 1.5, 721, Number.NaN, '60'])('refuses duration %j', async (durationMinutes) => {
    await expect(issue(kit, userId, { durationMinutes: durationMinutes as number })).rejects.toMatchObject({
      code: 'DURATION_INVALID',
      fields: [expect.objectContaining({ field: 'durationMinutes' })],
    });
    expect(await sessionCount()).toBe(0);
  });

  it('accepts the 12-hour maximum', async () => {
    expect((await issue(kit, userId, { durationMinutes: 720 })).allottedMs).toBe(720 * MIN);
  });

  it('binds to an approved station, even one in maintenance', async () => {
    const s = await insertStation(kit.db, { state: 'maintenance' });
    expect((await issue(kit, userId, { boundStationId: s })).boundStationId).toBe(s);
  });

  it('refuses binding to an unknown or pending station', async () => {
    await expect(issue(kit, userId, { boundStationId: 999 })).rejects.toMatchObject({ code: 'STATION_NOT_FOUND' });
    const pending = await insertStation(kit.db, { state: 'pending' });
    await expect(issue(kit, userId, { boundStationId: pending })).rejects.toMatchObject({ code: 'STATION_NOT_APPROVED', category: 'conflict' });
    expect(await sessionCount()).toBe(0);
    expect(await auditActions(kit.db)).toEqual([]);
  });

  it('refuses an unknown visitor or a bad id', async () => {
    await expect(issue(kit, 999)).rejects.toMatchObject({ code: 'USER_NOT_FOUND', category: 'not_found' });
    await expect(issue(kit, 0)).rejects.toMatchObject({ code: 'ID_INVALID' });
  });
});

describe('visitor eligibility at issue (same rules and codes as api/users/consent.ts)', () => {
  it.each([
    [{ consent_at: null }, 'USER_CONSENT_REQUIRED', 'consent_required'],
    [{ consent_revoked_at: 5, anonymised_at: 5, first_name: null }, 'USER_ANONYMISED', 'user_anonymised'],
    [{ consent_revoked_at: 5 }, 'USER_ANONYMISED', 'user_anonymised'],
    [{ birth_date: '2015-06-01' }, 'USER_GUARDIAN_CONSENT_REQUIRED', 'guardian_consent_required'],
    [{ birth_date: '2015-06-01', guardian_consent_at: 3 }, 'USER_GUARDIAN_CONSENT_REQUIRED', 'guardian_consent_required'],
    [{ birth_date: null }, 'USER_GUARDIAN_CONSENT_REQUIRED', 'guardian_consent_required'],
  ])('refuses %o with %s', async (over, code, reason) => {
    const id = await insertUser(kit.db, over);
    await expect(issue(kit, id)).rejects.toMatchObject({ code, category: 'conflict', details: expect.objectContaining({ userId: id }) });
    const check = await canCreateSession(kit.ctx, id);
    expect(check).toMatchObject({ allowed: false, reason, usedToday: 0, quota: 3 });
    expect(check.message?.fr).toBeTruthy();
    expect(await sessionCount()).toBe(0);
  });

  it('treats a deleted visitor as not found', async () => {
    const id = await insertUser(kit.db, { deleted_at: 5, anonymised_at: 5 });
    await expect(issue(kit, id)).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
    await expect(canCreateSession(kit.ctx, id)).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });

  it('accepts a minor with a guardian consent', async () => {
    const id = await insertUser(kit.db, { birth_date: '2015-06-01', guardian_name: 'Paul Hoarau', guardian_consent_at: 3 });
    expect((await issue(kit, id)).status).toBe('pending');
  });

  it('counts the birthday from the local midnight in Réunion', async () => {
    // Turns 15 on 2026-03-03 local; 2026-03-02T20:30Z is already 00:30 on the 3rd in Réunion.
    const id = await insertUser(kit.db, { birth_date: '2011-03-03', guardian_name: null });
    kit.clock.set(Date.parse('2026-03-02T19:30:00Z'));
    await expect(issue(kit, id)).rejects.toMatchObject({ code: 'USER_GUARDIAN_CONSENT_REQUIRED' });
    kit.clock.set(Date.parse('2026-03-02T20:30:00Z'));
    expect((await issue(kit, id)).status).toBe('pending');
  });
});

describe('daily quota', () => {
  it('allows policy.dailyQuota codes a day, then refuses with the figures', async () => {
    for (let i = 0; i < 3; i++) await issue(kit, userId);
    expect(await canCreateSession(kit.ctx, userId)).toMatchObject({ allowed: false, reason: 'daily_quota_reached', usedToday: 3, quota: 3 });
    await expect(issue(kit, userId)).rejects.toMatchObject({ code: 'DAILY_QUOTA_REACHED', category: 'forbidden', details: { usedToday: 3, quota: 3 } });
    expect(await sessionCount()).toBe(3);
    expect(await auditActions(kit.db)).toEqual(Array(3).fill('session.code_generated'));
  });

  it('answers can-create with the usage when allowed', async () => {
    await issue(kit, userId);
    expect(await canCreateSession(kit.ctx, userId)).toEqual({ allowed: true, reason: null, message: null, usedToday: 1, quota: 3 });
  });

  it('gives the slot back for a cancelled code or one expired unused, not for a used session', async () => {
    const station = await insertStation(kit.db);
    const cancelled = await issue(kit, userId);
    await cancelSession(kit.ctx, cancelled.id, operator);
    const used = await issue(kit, userId);
    await startSession(kit.ctx, used.code, station);
    await endSession(kit.ctx, used.id, 'ended_by_visitor', operator);
    kit.clock.advance(MIN);
    const unused = await issue(kit, userId);
    // The sweep runs at the code's expiry; "today" is still the clock's day.
    expect(await expireUnusedCodes(kit.ctx, unused.codeExpiresAt)).toHaveLength(1);
    expect(await canCreateSession(kit.ctx, userId)).toMatchObject({ allowed: true, usedToday: 1 });
  });

  it('resets at the local midnight of Indian/Reunion (20:00 UTC)', async () => {
    kit.clock.set(Date.parse('2026-03-02T10:00:00Z'));
    for (let i = 0; i < 2; i++) await issue(kit, userId);
    kit.clock.set(Date.parse('2026-03-02T19:59:00Z')); // 23:59 local
    await issue(kit, userId);
    await expect(issue(kit, userId)).rejects.toMatchObject({ code: 'DAILY_QUOTA_REACHED' });
    kit.clock.set(Date.parse('2026-03-02T20:01:00Z')); // 00:01 local, next day
    expect(await canCreateSession(kit.ctx, userId)).toMatchObject({ allowed: true, usedToday: 0 });
    await issue(kit, userId);
  });

  it('follows the configured zone, not UTC', async () => {
    const utc = await makeKit({ timeZone: 'UTC' });
    const id = await insertUser(utc.db);
    utc.clock.set(Date.parse('2026-03-02T19:59:00Z'));
    for (let i = 0; i < 3; i++) await issue(utc, id);
    utc.clock.set(Date.parse('2026-03-02T20:01:00Z'));
    expect(await canCreateSession(utc.ctx, id)).toMatchObject({ allowed: false, usedToday: 3 });
    await utc.db.destroy();
  });

  it('keeps visitors apart', async () => {
    const other = await insertUser(kit.db);
    for (let i = 0; i < 3; i++) await issue(kit, userId);
    expect(await canCreateSession(kit.ctx, other)).toMatchObject({ allowed: true, usedToday: 0 });
  });

  it('throws for an unknown visitor', async () => {
    await expect(canCreateSession(kit.ctx, 404)).rejects.toMatchObject({ code: 'USER_NOT_FOUND' });
  });
});

describe('code uniqueness', () => {
  it('draws again when the code is already live', async () => {
    const first = await issue(kit, userId, {}, scriptedRandom('ABCD2345'));
    expect(first.code).toBe('ABCD-2345');
    const second = await issue(kit, userId, {}, scriptedRandom('ABCD2345', 'ABCD2345', 'WXYZ6789'));
    expect(second.code).toBe('WXYZ-6789');
  });

  it('gives up clearly after a few collisions, writing nothing', async () => {
    await issue(kit, userId, {}, scriptedRandom('ABCD2345'));
    await expect(issue(kit, userId, {}, scriptedRandom('ABCD2345'))).rejects.toMatchObject({
      code: 'CODE_GENERATION_FAILED',
      category: 'unavailable',
      details: { attempts: 5 },
    });
    expect(await sessionCount()).toBe(1);
    expect(await auditActions(kit.db)).toHaveLength(1);
  });

  it('may reuse the code of an ended session', async () => {
    const first = await issue(kit, userId, {}, scriptedRandom('ABCD2345'));
    await cancelSession(kit.ctx, first.id, operator);
    expect((await issue(kit, userId, {}, scriptedRandom('ABCD2345'))).code).toBe('ABCD-2345');
  });

  it('the database refuses two live sessions with one code', async () => {
    const first = await issue(kit, userId, {}, scriptedRandom('ABCD2345'));
    const row = await kit.db.selectFrom('sessions').selectAll().where('id', '=', first.id).executeTakeFirstOrThrow();
    const { id: _id, ...copy } = row;
    await expect(kit.db.insertInto('sessions').values(copy).execute()).rejects.toThrow(/UNIQUE/);
  });
});
