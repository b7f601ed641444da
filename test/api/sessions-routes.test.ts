import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertInto } from '../../api/testing/broken-db.ts';
import { createSessionHarness, withFailingDb, type SessionHarness } from './session-routes-kit.ts';

let h: SessionHarness;
beforeEach(async () => {
  h = await createSessionHarness();
});
afterEach(async () => {
  await h.close();
});

const MIN = 60_000;

describe('POST /api/sessions (issue a code)', () => {
  it('answers 201 with the whole session view and a XXXX-XXXX code', async () => {
    const userId = await h.visitor();
    const station = await h.station();
    const res = await h.call('POST', '/api/sessions', h.marie, { userId, durationMinutes: 45, boundStationId: station.id });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.code).toMatch(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
    const now = new Date(h.clock.now()).toISOString();
    expect(body).toEqual({
      id: expect.any(Number),
      code: body.code,
      userId,
      boundStationId: station.id,
      stationId: null,
      stationIp: null,
      status: 'pending',
      endReason: null,
      codeExpiresAt: new Date(h.clock.now() + h.ctx.policy.unusedCodeExpiryMs).toISOString(),
      createdAt: now,
      startedAt: null,
      suspendedAt: null,
      endedAt: null,
      createdBy: expect.any(Number),
      allottedSeconds: 45 * 60,
      elapsedSeconds: 0,
      remainingSeconds: 45 * 60,
      percentUsed: 0,
      endsAt: null,
      overdue: false,
      computedAt: now,
    });
    const [event] = (await h.actions()).filter((e) => e.action === 'session.code_generated');
    expect(event).toMatchObject({ actor_type: 'operator', target_id: body.id });
  });

  it('refuses a bad body with field details', async () => {
    const res = await h.call('POST', '/api/sessions', h.marie, { userId: 1, durationMinutes: 0 });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().errors.map((e: { field: string }) => e.field)).toContain('body.durationMinutes');
    const missing = await h.call('POST', '/api/sessions', h.marie, { durationMinutes: 30 });
    expect(missing.json().errors[0].field).toBe('body.userId');
  });

  it('answers 404 for an unknown visitor or station, 409 without consent', async () => {
    expect((await h.call('POST', '/api/sessions', h.marie, { userId: 999, durationMinutes: 30 })).json().code).toBe('USER_NOT_FOUND');
    const userId = await h.visitor();
    const noStation = await h.call('POST', '/api/sessions', h.marie, { userId, durationMinutes: 30, boundStationId: 999 });
    expect(noStation.statusCode).toBe(404);
    expect(noStation.json().code).toBe('STATION_NOT_FOUND');
    const noConsent = await h.visitor({ consentGiven: false });
    const refused = await h.call('POST', '/api/sessions', h.marie, { userId: noConsent, durationMinutes: 30 });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('USER_CONSENT_REQUIRED');
  });

  it('refuses the daily quota with 403 DAILY_QUOTA_REACHED', async () => {
    const userId = await h.visitor();
    for (let i = 0; i < 3; i++) await h.issue(userId);
    const res = await h.call('POST', '/api/sessions', h.marie, { userId, durationMinutes: 30 });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'DAILY_QUOTA_REACHED', details: { usedToday: 3, quota: 3 } });
  });

  it('is for operators: 401 anonymous, 403 for a station', async () => {
    const station = await h.station();
    expect((await h.call('POST', '/api/sessions', {}, { userId: 1, durationMinutes: 30 })).statusCode).toBe(401);
    expect((await h.call('POST', '/api/sessions', station.headers, { userId: 1, durationMinutes: 30 })).statusCode).toBe(403);
  });

  it('answers 503 and stores nothing when the audit write fails', async () => {
    const userId = await h.visitor();
    const res = await withFailingDb(h, insertInto('audit_events'), () => h.call('POST', '/api/sessions', h.marie, { userId, durationMinutes: 30 }));
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('STORAGE_FAILURE');
    expect(res.body).not.toMatch(/sqlite|insert/i);
    expect(await h.db.selectFrom('sessions').selectAll().execute()).toEqual([]);
  });
});

describe('GET /api/sessions (list)', () => {
  async function threeSessions() {
    const a = await h.visitor();
    const b = await h.visitor({ firstName: 'Jean', phone: '0693 11 22 33' });
    const station = await h.station();
    const first = await h.issue(a);
    h.clock.advance(MIN);
    const second = await h.issue(b);
    await h.call('POST', '/api/sessions/start', station.headers, { code: second.code });
    h.clock.advance(MIN);
    const third = await h.issue(a);
    await h.call('DELETE', `/api/sessions/${third.id}`, h.marie);
    return { a, b, station, first, second, third };
  }

  it('pages newest first with the total', async () => {
    const { first, second, third } = await threeSessions();
    const res = await h.call('GET', '/api/sessions?pageSize=2', h.marie);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ total: 3, page: 1, pageSize: 2 });
    expect(body.items.map((s: { id: number }) => s.id)).toEqual([third.id, second.id]);
    const page2 = (await h.call('GET', '/api/sessions?pageSize=2&page=2', h.marie)).json();
    expect(page2.items.map((s: { id: number }) => s.id)).toEqual([first.id]);
  });

  it('filters by status, visitor, station, end reason and period, and sorts', async () => {
    const { a, station, first, second, third } = await threeSessions();
    const ids = async (query: string) => (await h.call('GET', `/api/sessions?${query}`, h.marie)).json().items.map((s: { id: number }) => s.id);
    expect(await ids('status=active')).toEqual([second.id]);
    expect(await ids('status=active&status=pending')).toEqual([second.id, first.id]);
    expect(await ids(`userId=${a}`)).toEqual([third.id, first.id]);
    expect(await ids(`stationId=${station.id}`)).toEqual([second.id]);
    expect(await ids('endReason=cancelled')).toEqual([third.id]);
    const from = new Date(Date.parse(first.createdAt as string) + 1).toISOString();
    expect(await ids(`from=${from}&sort=createdAt&order=asc`)).toEqual([second.id, third.id]);
    const to = new Date(Date.parse(second.createdAt as string)).toISOString();
    expect(await ids(`to=${to}`)).toEqual([first.id]);
    expect(await ids('sort=startedAt&order=desc')).toEqual([second.id, third.id, first.id]);
  });

  it('refuses unknown filters and bad periods with field details', async () => {
    const bad = await h.call('GET', '/api/sessions?status=running', h.marie);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toMatch(/^querystring\.status/);
    const size = await h.call('GET', '/api/sessions?pageSize=201', h.marie);
    expect(size.json().errors[0].field).toBe('querystring.pageSize');
    const period = await h.call('GET', '/api/sessions?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', h.marie);
    expect(period.statusCode).toBe(400);
    expect(period.json()).toMatchObject({ code: 'PERIOD_INVALID', errors: [{ field: 'from' }] });
  });

  it('is for operators', async () => {
    const station = await h.station();
    expect((await h.call('GET', '/api/sessions')).statusCode).toBe(401);
    expect((await h.call('GET', '/api/sessions', station.headers)).statusCode).toBe(403);
  });
});

describe('GET/PUT/PATCH/DELETE /api/sessions/:id', () => {
  it('reads one session, 404 when unknown, 400 on a bad id', async () => {
    const s = await h.issue(await h.visitor());
    const res = await h.call('GET', `/api/sessions/${s.id}`, h.marie);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(s);
    const missing = await h.call('GET', '/api/sessions/999', h.marie);
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('SESSION_NOT_FOUND');
    expect((await h.call('GET', '/api/sessions/abc', h.marie)).json().errors[0].field).toBe('params.id');
    expect((await h.call('GET', `/api/sessions/${s.id}`)).statusCode).toBe(401);
  });

  it('re-binds an unused code with PATCH or PUT, audited once per change', async () => {
    const s = await h.issue(await h.visitor());
    const station = await h.station();
    const patched = await h.call('PATCH', `/api/sessions/${s.id}`, h.marie, { boundStationId: station.id });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ id: s.id, boundStationId: station.id, code: s.code });
    const same = await h.call('PUT', `/api/sessions/${s.id}`, h.marie, { boundStationId: station.id });
    expect(same.statusCode).toBe(200);
    const cleared = await h.call('PUT', `/api/sessions/${s.id}`, h.marie, { boundStationId: null });
    expect(cleared.json().boundStationId).toBeNull();
    const events = (await h.actions()).filter((e) => e.action === 'session.binding_changed');
    expect(events.map((e) => e.metadata)).toEqual([
      { from: null, to: station.id },
      { from: station.id, to: null },
    ]);
  });

  it('refuses to re-bind a started code (409), an unknown station (404), other fields (400)', async () => {
    const station = await h.station();
    const s = await h.issue(await h.visitor());
    expect((await h.call('PATCH', `/api/sessions/${s.id}`, h.marie, { boundStationId: 999 })).json().code).toBe('STATION_NOT_FOUND');
    const extra = await h.call('PATCH', `/api/sessions/${s.id}`, h.marie, { userId: 3 });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().code).toBe('VALIDATION_FAILED');
    await h.call('POST', '/api/sessions/start', station.headers, { code: s.code });
    const late = await h.call('PATCH', `/api/sessions/${s.id}`, h.marie, { boundStationId: null });
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ code: 'SESSION_STATE_CONFLICT', details: { from: 'active' } });
    expect((await h.call('PATCH', '/api/sessions/999', h.marie, { boundStationId: null })).statusCode).toBe(404);
  });

  it('cancels an unused code with DELETE and keeps the record', async () => {
    const s = await h.issue(await h.visitor());
    const res = await h.call('DELETE', `/api/sessions/${s.id}`, h.marie);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: s.id, status: 'ended', endReason: 'cancelled' });
    expect((await h.call('GET', `/api/sessions/${s.id}`, h.marie)).json().status).toBe('ended');
    const again = await h.call('DELETE', `/api/sessions/${s.id}`, h.marie);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('SESSION_STATE_CONFLICT');
    expect((await h.call('DELETE', '/api/sessions/999', h.marie)).statusCode).toBe(404);
    const station = await h.station();
    expect((await h.call('DELETE', `/api/sessions/${s.id}`, station.headers)).statusCode).toBe(403);
  });
});

describe('GET /api/sessions/live and /stats', () => {
  it('lists pending, active and suspended sessions with their timing', async () => {
    const station = await h.station();
    const userId = await h.visitor();
    const pending = await h.issue(userId);
    const running = await h.issue(userId);
    await h.call('POST', '/api/sessions/start', station.headers, { code: running.code });
    const ended = await h.issue(userId);
    await h.call('DELETE', `/api/sessions/${ended.id}`, h.marie);
    h.clock.advance(10 * MIN);
    const res = await h.call('GET', '/api/sessions/live', h.marie);
    expect(res.statusCode).toBe(200);
    const items = res.json().items;
    expect(items.map((s: { id: number }) => s.id)).toEqual([pending.id, running.id]);
    expect(items[1]).toMatchObject({ status: 'active', elapsedSeconds: 600, remainingSeconds: 3000, percentUsed: 16.7, stationId: station.id });
    expect((await h.call('GET', '/api/sessions/live', station.headers)).statusCode).toBe(403);
  });

  it("reports today's statistics by default, a chosen period otherwise", async () => {
    const station = await h.station();
    const userId = await h.visitor();
    const s = await h.issue(userId);
    await h.call('POST', '/api/sessions/start', station.headers, { code: s.code });
    h.clock.advance(30 * MIN);
    const marie = await h.bearer('marie'); // the first access token has expired meanwhile
    const res = await h.call('GET', '/api/sessions/stats', marie);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.period.timeZone).toBe('Indian/Reunion');
    expect(body.totals).toMatchObject({ sessionsCreated: 1, sessionsStarted: 1, minutesUsed: 30, distinctVisitors: 1, activeNow: 1, suspendedNow: 0 });
    expect(body.perStation).toEqual([{ stationId: station.id, sessions: 1, minutesUsed: 30, occupancy: expect.any(Number) }]);
    expect(body.perHour).toHaveLength(24);
    expect(body).not.toHaveProperty('perUser');
    const empty = (await h.call('GET', '/api/sessions/stats?from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z', marie)).json();
    expect(empty.totals.sessionsCreated).toBe(0);
    expect(empty.period).toMatchObject({ from: '2020-01-01T00:00:00.000Z', to: '2020-01-02T00:00:00.000Z' });
  });

  it('refuses a reversed period and non-operators', async () => {
    const res = await h.call('GET', '/api/sessions/stats?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z', h.marie);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('to');
    expect((await h.call('GET', '/api/sessions/stats?from=yesterday', h.marie)).json().errors[0].field).toBe('querystring.from');
    expect((await h.call('GET', '/api/sessions/stats')).statusCode).toBe(401);
  });
});
