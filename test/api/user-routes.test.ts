import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedSession } from '../../api/users/users-test-kit.ts';
import { createUserHarness, type UserHarness } from './user-routes-kit.ts';

let h: UserHarness;
beforeEach(async () => {
  h = await createUserHarness();
});
afterEach(async () => {
  await h.close();
});

const userRows = () => h.db.selectFrom('users').selectAll().execute();
const actions = async () => (await h.db.selectFrom('audit_events').select('action').orderBy('id').execute()).map((r) => r.action);

const valid = { firstName: 'Hélène', lastName: 'Técher', birthDate: '1985-07-01', phone: '0692 12 34 56', email: 'Helene@Example.RE', consentGiven: true };

describe('POST /api/users (seed: POST /api/utilisateurs/)', () => {
  it('registers a visitor: 201, Location, Réunion number stored as +262 (not +33), dates in ISO 8601', async () => {
    const res = await h.call('POST', '/api/users', h.marie, { ...valid, notes: 'Aide CAF' });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(res.headers.location).toBe(`/api/users/${body.id}`);
    expect(body).toMatchObject({
      firstName: 'Hélène',
      lastName: 'Técher',
      birthDate: '1985-07-01',
      age: 40,
      isMinor: false,
      needsGuardian: false,
      phone: '+262692123456',
      phoneDisplay: '0692 12 34 56',
      email: 'Helene@example.re',
      notes: 'Aide CAF',
      hasPhoto: false,
      photoMime: null,
      guardianName: null,
      guardianConsentAt: null,
      consent: { status: 'valid', givenAt: '2026-03-02T08:00:00.000Z', textVersion: '2026-01', isCurrentText: true, revokedAt: null },
      anonymisedAt: null,
      deletedAt: null,
      createdAt: '2026-03-02T08:00:00.000Z',
      updatedAt: '2026-03-02T08:00:00.000Z',
    });
    expect(body.createdBy).toBeGreaterThan(0);
    expect((await userRows())[0]!.phone).toBe('+262692123456');
    expect(await actions()).toContain('user.created');
  });

  it('registers a minor with a guardian and both consents', async () => {
    const res = await h.call('POST', '/api/users', h.marie, { ...valid, birthDate: '2016-04-01', guardianName: 'Ana Técher', guardianConsentGiven: true });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ isMinor: true, needsGuardian: true, guardianName: 'Ana Técher', guardianConsentAt: '2026-03-02T08:00:00.000Z', consent: { status: 'valid' } });
  });

  it('refuses an invalid phone with the field named, and stores nothing', async () => {
    for (const phone of ['06 12 34 56 78 90', '+33 6 12 34 56 78', 'pas un numéro']) {
      const res = await h.call('POST', '/api/users', h.marie, { ...valid, phone });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ code: 'USER_PHONE_INVALID', errors: [{ field: 'phone' }] });
      expect(res.json().detail).toBeTruthy();
      expect(res.json().detailEn).toBeTruthy();
    }
    expect(await userRows()).toHaveLength(0);
    expect(await actions()).not.toContain('user.created');
  });

  it('lists every bad field at once, and schema errors name the body field', async () => {
    const several = await h.call('POST', '/api/users', h.marie, { ...valid, firstName: '123', birthDate: '2090-01-01', email: 'nope' });
    expect(several.statusCode).toBe(400);
    expect(several.json().code).toBe('USER_INVALID');
    expect(several.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['birthDate', 'email', 'firstName']);
    const missing = await h.call('POST', '/api/users', h.marie, { ...valid, lastName: undefined });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'body.lastName' }] });
    const noConsentFlag = await h.call('POST', '/api/users', h.marie, { ...valid, consentGiven: undefined });
    expect(noConsentFlag.json().errors[0].field).toBe('body.consentGiven');
    const guardianless = await h.call('POST', '/api/users', h.marie, { ...valid, guardianConsentGiven: true });
    expect(guardianless.json()).toMatchObject({ code: 'USER_GUARDIAN_NAME_REQUIRED', errors: [{ field: 'guardianName' }] });
    expect(await userRows()).toHaveLength(0);
  });

  it('answers 401 to anonymous callers and 403 to a station', async () => {
    const anonymous = await h.call('POST', '/api/users', {}, valid);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().code).toBe('AUTH_REQUIRED');
    expect((await h.call('POST', '/api/users', h.station, valid)).statusCode).toBe(403);
    expect(await userRows()).toHaveLength(0);
  });

  it('answers a storage failure with 503 and no internals, leaving no half-written visitor', async () => {
    await sql`create trigger audit_down before insert on audit_events begin select raise(abort, 'disk I/O secret detail'); end`.execute(h.db);
    const res = await h.call('POST', '/api/users', h.marie, valid);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'STORAGE_FAILURE' });
    expect(res.body).not.toContain('secret');
    expect(await userRows()).toHaveLength(0);
  });
});

describe('GET /api/users (seed: GET /api/utilisateurs/)', () => {
  beforeEach(async () => {
    await h.visitor({ firstName: 'Éric', lastName: 'Hoarau', phone: '0262 40 50 60' });
    h.clock.advance(60_000);
    await h.visitor({ firstName: 'Zoé', lastName: 'Abeille', consentGiven: false });
    h.clock.advance(60_000);
    const gone = await h.visitor({ firstName: 'Paul', lastName: 'Grondin' });
    await h.call('POST', `/api/users/${gone.id}/revoke-consent`, h.marie);
  });
  const names = async (query: string) => {
    const res = await h.call('GET', `/api/users${query}`, h.marie);
    expect(res.statusCode).toBe(200);
    return (res.json().items as Array<{ firstName: string | null; id: number }>).map((u) => u.firstName ?? `#${u.id}`);
  };

  it('lists by name, searches names and phones, filters by consent, pages', async () => {
    expect(await names('')).toEqual(['Zoé', 'Éric']);
    expect(await names('?search=hoarau')).toEqual(['Éric']);
    expect(await names('?search=0262%2040')).toEqual(['Éric']);
    expect(await names('?consent=missing')).toEqual(['Zoé']);
    expect(await names('?consent=revoked')).toEqual(['#3']);
    expect(await names('?includeAnonymised=true&sort=createdAt')).toEqual(['#3', 'Zoé', 'Éric']);
    expect(await names('?sort=createdAt&order=asc')).toEqual(['Éric', 'Zoé']);
    const page = await h.call('GET', '/api/users?pageSize=1&page=2', h.marie);
    expect(page.json()).toMatchObject({ total: 2, page: 2, pageSize: 1, items: [{ firstName: 'Éric' }] });
  });

  it('refuses bad filters with the query field named', async () => {
    for (const [query, field] of [['?consent=maybe', 'querystring.consent'], ['?pageSize=500', 'querystring.pageSize'], ['?sort=phone', 'querystring.sort']]) {
      const res = await h.call('GET', `/api/users${query}`, h.marie);
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0].field).toBe(field);
    }
  });

  it('is for operators only', async () => {
    expect((await h.call('GET', '/api/users')).statusCode).toBe(401);
    expect((await h.call('GET', '/api/users', h.station)).statusCode).toBe(403);
    expect((await h.call('GET', '/api/users', h.admin)).statusCode).toBe(200);
  });
});

describe('GET, PUT, PATCH /api/users/:id (seed: GET and PUT /api/utilisateurs/{id}/)', () => {
  it('reads one visitor, 404 as problem+json for an unknown one, 400 for a bad id', async () => {
    const v = await h.visitor();
    const res = await h.call('GET', `/api/users/${v.id}`, h.marie);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(v);
    const missing = await h.call('GET', '/api/users/9999', h.marie);
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.json()).toMatchObject({ code: 'USER_NOT_FOUND', status: 404 });
    const bad = await h.call('GET', '/api/users/abc', h.marie);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('params.id');
    expect((await h.call('GET', `/api/users/${v.id}`, h.station)).statusCode).toBe(403);
    expect((await h.call('GET', `/api/users/${v.id}`)).statusCode).toBe(401);
  });

  it('PUT replaces the record: an optional field left out is cleared', async () => {
    const v = await h.visitor({ email: 'marie@example.re', notes: 'CAF' });
    h.clock.advance(1000);
    const res = await h.call('PUT', `/api/users/${v.id}`, h.marie, { firstName: 'Marie-Jo', lastName: 'Payet', birthDate: '1990-05-14', phone: '+262 693 11 22 33', notes: 'CAF' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ firstName: 'Marie-Jo', phone: '+262693112233', email: null, notes: 'CAF', updatedAt: '2026-03-02T08:00:01.000Z' });
    const incomplete = await h.call('PUT', `/api/users/${v.id}`, h.marie, { firstName: 'Marie' });
    expect(incomplete.statusCode).toBe(400);
    expect(incomplete.json().code).toBe('VALIDATION_FAILED');
    expect((await h.call('PUT', '/api/users/9999', h.marie, { firstName: 'A', lastName: 'B', birthDate: '1990-01-01', phone: '0692123456' })).statusCode).toBe(404);
  });

  it('PATCH changes only the fields sent; null clears; bad values name their field', async () => {
    const v = await h.visitor({ email: 'marie@example.re' });
    const res = await h.call('PATCH', `/api/users/${v.id}`, h.marie, { email: null, notes: 'Revient lundi' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ firstName: 'Marie', email: null, notes: 'Revient lundi' });
    const bad = await h.call('PATCH', `/api/users/${v.id}`, h.marie, { birthDate: '31/12/1990', phone: '0800 123 456' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors.map((e: { field: string }) => e.field).sort()).toEqual(['birthDate', 'phone']);
    expect((await h.call('GET', `/api/users/${v.id}`, h.marie)).json().notes).toBe('Revient lundi');
  });

  it('refuses to change an anonymised visitor with 409', async () => {
    const v = await h.visitor();
    await h.call('POST', `/api/users/${v.id}/revoke-consent`, h.marie);
    const res = await h.call('PATCH', `/api/users/${v.id}`, h.marie, { notes: 'x' });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('USER_ANONYMISED');
  });
});

describe('DELETE /api/users/:id (seed: DELETE /api/utilisateurs/{id}/)', () => {
  it('is for admins: anonymises, cancels unused codes, then the visitor is not found', async () => {
    const v = await h.visitor();
    const code = await seedSession(h.db, { userId: v.id, status: 'pending', now: h.clock.now() });
    expect((await h.call('DELETE', `/api/users/${v.id}`, h.marie)).statusCode).toBe(403);
    expect((await h.call('DELETE', `/api/users/${v.id}`, h.station)).statusCode).toBe(403);
    const res = await h.call('DELETE', `/api/users/${v.id}`, h.admin);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      user: { id: v.id, firstName: null, phone: null, consent: { status: 'deleted' }, deletedAt: '2026-03-02T08:00:00.000Z' },
      cancelledSessionIds: [code.id],
      photoFileRemoved: true,
    });
    expect((await h.call('GET', `/api/users/${v.id}`, h.marie)).statusCode).toBe(404);
    expect((await h.call('DELETE', `/api/users/${v.id}`, h.admin)).statusCode).toBe(404);
    expect(await actions()).toContain('user.deleted');
  });

  it('refuses with 409 while a session runs, and changes nothing', async () => {
    const v = await h.visitor();
    const running = await seedSession(h.db, { userId: v.id, status: 'active', now: h.clock.now(), stationId: h.stationId });
    const res = await h.call('DELETE', `/api/users/${v.id}`, h.admin);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'USER_HAS_RUNNING_SESSION', details: { sessionIds: [running.id] } });
    expect((await h.call('GET', `/api/users/${v.id}`, h.marie)).json().firstName).toBe('Marie');
  });
});

describe('GET /api/users/stats (seed: GET /api/utilisateurs/stats/)', () => {
  it('counts visitors, and adds use per visitor over a period', async () => {
    const a = await h.visitor();
    await h.visitor({ birthDate: '2012-01-01', consentGiven: false });
    await seedSession(h.db, { userId: a.id, status: 'ended', now: h.clock.now(), stationId: h.stationId });
    const res = await h.call('GET', '/api/users/stats', h.marie);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      computedAt: '2026-03-02T08:00:00.000Z',
      timeZone: 'Indian/Reunion',
      monthStart: '2026-02-28T20:00:00.000Z',
      dayStart: '2026-03-01T20:00:00.000Z',
      counts: {
        total: 2,
        active: 2,
        anonymised: 0,
        deleted: 0,
        consent: { valid: 1, missing: 1, guardianRequired: 0 },
        minors: 1,
        underGuardianAge: 1,
        withPhoto: 0,
        newThisMonth: 2,
        newToday: 2,
      },
      period: null,
    });
    const period = await h.call('GET', '/api/users/stats?from=2026-03-01T00:00:00Z&to=2026-03-03T00:00:00Z&top=5', h.marie);
    expect(period.statusCode).toBe(200);
    expect(period.json().period).toEqual({
      from: '2026-03-01T00:00:00.000Z',
      to: '2026-03-03T00:00:00.000Z',
      sessionsStarted: 1,
      minutesUsed: 9,
      distinctVisitors: 1,
      topVisitors: [{ userId: a.id, firstName: 'Marie', lastName: 'Payet', sessions: 1, minutesUsed: 9, lastVisitAt: '2026-03-02T07:50:00.000Z' }],
    });
  });

  it('refuses half a period or a bad date, and is for operators only', async () => {
    const half = await h.call('GET', '/api/users/stats?from=2026-03-01T00:00:00Z', h.marie);
    expect(half.statusCode).toBe(400);
    expect(half.json()).toMatchObject({ code: 'USER_STATS_INVALID', errors: [{ field: 'to' }] });
    const reversed = await h.call('GET', '/api/users/stats?from=2026-03-03T00:00:00Z&to=2026-03-01T00:00:00Z', h.marie);
    expect(reversed.json().code).toBe('STATS_PERIOD_INVALID');
    const notADate = await h.call('GET', '/api/users/stats?from=yesterday&to=2026-03-01T00:00:00Z', h.marie);
    expect(notADate.json().errors[0].field).toBe('querystring.from');
    expect((await h.call('GET', '/api/users/stats', h.station)).statusCode).toBe(403);
    expect((await h.call('GET', '/api/users/stats')).statusCode).toBe(401);
  });
});
