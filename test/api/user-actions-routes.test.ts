import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildPng } from '../../api/users/image-fixtures.ts';
import { seedSession } from '../../api/users/users-test-kit.ts';
import { createUserHarness, multipartBody, type UserHarness } from './user-routes-kit.ts';

let h: UserHarness;
beforeEach(async () => {
  h = await createUserHarness();
});
afterEach(async () => {
  await h.close();
});

const actions = async () => (await h.db.selectFrom('audit_events').select('action').orderBy('id').execute()).map((r) => r.action);

describe('GET /api/users/:id/sessions (seed: GET /api/utilisateurs/{id}/sessions/)', () => {
  it("pages the visitor's sessions, newest first, with timing in seconds", async () => {
    const v = await h.visitor();
    const other = await h.visitor({ firstName: 'Éric' });
    const first = await seedSession(h.db, { userId: v.id, status: 'ended', now: h.clock.now(), stationId: h.stationId });
    h.clock.advance(60_000);
    const second = await seedSession(h.db, { userId: v.id, status: 'active', now: h.clock.now(), stationId: h.stationId });
    await seedSession(h.db, { userId: other.id, status: 'pending', now: h.clock.now() });
    const res = await h.call('GET', `/api/users/${v.id}/sessions?pageSize=1`, h.marie);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ total: 2, page: 1, pageSize: 1 });
    expect(res.json().items[0]).toMatchObject({ id: second.id, userId: v.id, status: 'active', stationId: h.stationId, allottedSeconds: 3600, elapsedSeconds: 600, remainingSeconds: 3000 });
    expect(res.json().items[0].startedAt).toBe(new Date(h.clock.now() - 600_000).toISOString());
    const asc = await h.call('GET', `/api/users/${v.id}/sessions?order=asc&sort=createdAt`, h.marie);
    expect(asc.json().items.map((s: { id: number }) => s.id)).toEqual([first.id, second.id]);
    const ended = await h.call('GET', `/api/users/${v.id}/sessions?status=ended`, h.marie);
    expect(ended.json().items.map((s: { id: number }) => s.id)).toEqual([first.id]);
  });

  it('answers 404 for an unknown visitor, 400 for a bad filter, 401/403 for others', async () => {
    const v = await h.visitor();
    expect((await h.call('GET', '/api/users/9999/sessions', h.marie)).json()).toMatchObject({ status: 404, code: 'USER_NOT_FOUND' });
    const bad = await h.call('GET', `/api/users/${v.id}/sessions?status=exploded`, h.marie);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toMatch(/^querystring\.status/);
    expect((await h.call('GET', `/api/users/${v.id}/sessions`)).statusCode).toBe(401);
    expect((await h.call('GET', `/api/users/${v.id}/sessions`, h.station)).statusCode).toBe(403);
  });
});

describe('GET /api/users/:id/can-create-session (seed: GET /api/utilisateurs/{id}/can_create_session/)', () => {
  it('says yes, or which rule refuses, with the quota', async () => {
    const ok = await h.visitor();
    const res = await h.call('GET', `/api/users/${ok.id}/can-create-session`, h.marie);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ allowed: true, reason: null, message: null, usedToday: 0, quota: 3 });
    const noConsent = await h.visitor({ consentGiven: false });
    const refused = (await h.call('GET', `/api/users/${noConsent.id}/can-create-session`, h.marie)).json();
    expect(refused).toMatchObject({ allowed: false, reason: 'consent_required', usedToday: 0, quota: 3 });
    expect(refused.message.fr).toMatch(/consentement/);
    for (let i = 0; i < 3; i++) await seedSession(h.db, { userId: ok.id, status: 'ended', now: h.clock.now() });
    expect((await h.call('GET', `/api/users/${ok.id}/can-create-session`, h.marie)).json()).toMatchObject({ allowed: false, reason: 'daily_quota_reached', usedToday: 3 });
  });

  it('answers 404 for an unknown visitor and 403 for a station', async () => {
    expect((await h.call('GET', '/api/users/9999/can-create-session', h.marie)).statusCode).toBe(404);
    const v = await h.visitor();
    expect((await h.call('GET', `/api/users/${v.id}/can-create-session`, h.station)).statusCode).toBe(403);
  });
});

describe('POST /api/users/:id/consent and /guardian-consent', () => {
  it("records the visitor's consent, then a guardian's for a child", async () => {
    const kid = await h.visitor({ birthDate: '2016-04-01', consentGiven: false });
    expect(kid.consent).toMatchObject({ status: 'missing' });
    h.clock.advance(1000);
    const given = await h.call('POST', `/api/users/${kid.id}/consent`, h.marie);
    expect(given.statusCode).toBe(200);
    expect(given.json().consent).toMatchObject({ status: 'guardian_required', givenAt: '2026-03-02T08:00:01.000Z', textVersion: '2026-01' });
    const noName = await h.call('POST', `/api/users/${kid.id}/guardian-consent`, h.marie, {});
    expect(noName.statusCode).toBe(400);
    expect(noName.json()).toMatchObject({ code: 'USER_GUARDIAN_NAME_REQUIRED', errors: [{ field: 'guardianName' }] });
    const guardian = await h.call('POST', `/api/users/${kid.id}/guardian-consent`, h.marie, { guardianName: 'Ana Payet' });
    expect(guardian.statusCode).toBe(200);
    expect(guardian.json()).toMatchObject({ guardianName: 'Ana Payet', guardianConsentAt: '2026-03-02T08:00:01.000Z', consent: { status: 'valid' } });
    // Renewed without a body: the guardian on file consents again.
    expect((await h.call('POST', `/api/users/${kid.id}/guardian-consent`, h.marie)).statusCode).toBe(200);
    expect(await actions()).toEqual(expect.arrayContaining(['user.consent_given']));
  });

  it('applies the policy in force at the time of the call (settings change it at run time)', async () => {
    const v = await h.visitor();
    h.ctx.policy = { ...h.ctx.policy, consentTextVersion: '2027-01' };
    expect((await h.call('GET', `/api/users/${v.id}`, h.marie)).json().consent).toMatchObject({ textVersion: '2026-01', isCurrentText: false });
    const renewed = await h.call('POST', `/api/users/${v.id}/consent`, h.marie);
    expect(renewed.json().consent).toMatchObject({ textVersion: '2027-01', isCurrentText: true });
  });

  it('answers 404, 409 for an anonymised visitor, 400 for a bad guardian name, 403 for a station', async () => {
    expect((await h.call('POST', '/api/users/9999/consent', h.marie)).statusCode).toBe(404);
    const v = await h.visitor();
    expect((await h.call('POST', `/api/users/${v.id}/guardian-consent`, h.marie, { guardianName: '12345' })).json().errors[0].field).toBe('guardianName');
    expect((await h.call('POST', `/api/users/${v.id}/consent`, h.station)).statusCode).toBe(403);
    expect((await h.call('POST', `/api/users/${v.id}/consent`)).statusCode).toBe(401);
    await h.call('POST', `/api/users/${v.id}/revoke-consent`, h.marie);
    const again = await h.call('POST', `/api/users/${v.id}/consent`, h.marie);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('USER_ANONYMISED');
  });
});

describe('POST /api/users/:id/revoke-consent (seed: POST /api/utilisateurs/{id}/revoke_consent/)', () => {
  it('anonymises at once, cancels unused codes, removes the photo, keeps connection records', async () => {
    const v = await h.visitor({ email: 'marie@example.re' });
    const upload = multipartBody([{ name: 'photo', filename: 'id.png', type: 'image/png', data: buildPng() }]);
    expect((await h.call('PUT', `/api/users/${v.id}/photo`, { ...h.marie, ...upload.headers }, upload.payload)).statusCode).toBe(200);
    const pending = await seedSession(h.db, { userId: v.id, status: 'pending', now: h.clock.now() });
    const done = await seedSession(h.db, { userId: v.id, status: 'ended', now: h.clock.now(), stationId: h.stationId });
    const res = await h.call('POST', `/api/users/${v.id}/revoke-consent`, h.marie);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      user: { id: v.id, firstName: null, lastName: null, phone: null, email: null, hasPhoto: false, consent: { status: 'revoked', revokedAt: '2026-03-02T08:00:00.000Z' } },
      cancelledSessionIds: [pending.id],
      photoFileRemoved: true,
    });
    expect((h.photos as unknown as { size: number }).size).toBe(0);
    const sessions = (await h.call('GET', `/api/users/${v.id}/sessions?order=asc&sort=id`, h.marie)).json();
    expect(sessions.items.map((s: { id: number; status: string }) => [s.id, s.status])).toEqual([[pending.id, 'ended'], [done.id, 'ended']]);
    expect(await actions()).toContain('user.consent_revoked');
  });

  it('answers 409 while a session runs, and changes nothing', async () => {
    const v = await h.visitor();
    const running = await seedSession(h.db, { userId: v.id, status: 'suspended', now: h.clock.now(), stationId: h.stationId });
    const res = await h.call('POST', `/api/users/${v.id}/revoke-consent`, h.marie);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'USER_HAS_RUNNING_SESSION', details: { userId: v.id, sessionIds: [running.id] } });
    expect((await h.call('GET', `/api/users/${v.id}`, h.marie)).json()).toMatchObject({ firstName: 'Marie', consent: { status: 'valid' } });
    expect(await actions()).not.toContain('user.consent_revoked');
  });

  it('answers 404 and 403 for a station', async () => {
    expect((await h.call('POST', '/api/users/9999/revoke-consent', h.marie)).statusCode).toBe(404);
    const v = await h.visitor();
    expect((await h.call('POST', `/api/users/${v.id}/revoke-consent`, h.station)).statusCode).toBe(403);
  });
});

describe('GET /api/users/:id/export (RGPD right of access)', () => {
  it('gives an admin everything held about the person as a JSON attachment, and audits it', async () => {
    const v = await h.visitor({ email: 'marie@example.re', notes: 'CAF' });
    const png = buildPng({ width: 3, height: 4 });
    const upload = multipartBody([{ name: 'photo', filename: 'id.png', data: png }]);
    await h.call('PUT', `/api/users/${v.id}/photo`, { ...h.marie, ...upload.headers }, upload.payload);
    const s = await seedSession(h.db, { userId: v.id, status: 'ended', now: h.clock.now(), stationId: h.stationId, stationIp: '10.42.0.99' });
    const res = await h.call('GET', `/api/users/${v.id}/export`, h.admin);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="epnbox-user-${v.id}-export.json"`);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const doc = res.json();
    expect(doc).toMatchObject({
      format: 'epnbox.user-export',
      version: 1,
      exportedAt: '2026-03-02T08:00:00.000Z',
      timeZone: 'Indian/Reunion',
      profile: { id: v.id, firstName: 'Marie', email: 'marie@example.re', notes: 'CAF', phone: v.phone, hasPhoto: true, photoMime: 'image/png' },
      photo: { mime: 'image/png', width: 3, height: 4, sizeBytes: png.length, base64: png.toString('base64') },
      sessions: [{ id: s.id, status: 'ended', endReason: 'expired', station: { id: h.stationId }, stationIp: '10.42.0.99', allottedSeconds: 3600, usedSeconds: 3600 }],
    });
    expect(doc.sessions[0].startedAt).toBe(new Date(h.clock.now() - 600_000).toISOString());
    expect(doc.auditEvents.map((e: { action: string }) => e.action)).toEqual(['user.created', 'user.photo_updated']);
    expect(doc.auditEvents[0]).toMatchObject({ occurredAt: '2026-03-02T08:00:00.000Z', actorType: 'operator', targetType: 'user', targetId: v.id, metadata: { consentGiven: true } });
    expect((await actions()).at(-1)).toBe('user.exported');
  });

  it('is for admins only, and 404 for an unknown visitor', async () => {
    const v = await h.visitor();
    expect((await h.call('GET', `/api/users/${v.id}/export`, h.marie)).statusCode).toBe(403);
    expect((await h.call('GET', `/api/users/${v.id}/export`, h.station)).statusCode).toBe(403);
    expect((await h.call('GET', `/api/users/${v.id}/export`)).statusCode).toBe(401);
    expect((await h.call('GET', '/api/users/9999/export', h.admin)).statusCode).toBe(404);
    expect(await actions()).not.toContain('user.exported');
  });
});
