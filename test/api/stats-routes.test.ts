import type { InjectOptions } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueStationToken } from '../../api/auth/auth-service.ts';
import { addSessions, addStations, addVisitors } from '../../api/stats/stats-fixtures.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';

let h: ApiHarness;
let admin: { authorization: string };
let marie: { authorization: string };
let users: number[];
let stations: number[];
const t = (iso: string) => Date.parse(iso);

beforeEach(async () => {
  h = await createApiHarness();
  admin = await h.bearer('admin');
  marie = await h.bearer('marie');
  users = await addVisitors(h.db, 3);
  stations = await addStations(h.db, 2);
  await h.db.updateTable('users').set({ first_name: 'Marie-Claire', last_name: 'Hoarau' }).where('id', '=', users[0]!).execute();
  await h.db.updateTable('users').set({ first_name: null, last_name: null, anonymised_at: 1, consent_revoked_at: 1 }).where('id', '=', users[1]!).execute();
  // The harness clock: 2026-03-02T08:00Z = 12:00 in Réunion.
  await addSessions(h.db, [
    { user: users[0]!, station: stations[0]!, allottedMin: 90, startedAt: t('2026-03-02T05:00:00Z'), endedAt: t('2026-03-02T06:30:00Z') },
    { user: users[1]!, station: stations[1]!, startedAt: t('2026-03-02T06:00:00Z'), endedAt: t('2026-03-02T07:00:00Z') },
    { user: users[2]!, station: stations[0]!, status: 'active', startedAt: t('2026-03-02T07:30:00Z'), endsAt: t('2026-03-02T08:30:00Z') },
    { user: users[2]!, status: 'pending', remainingMin: 60, createdAt: t('2026-03-02T07:50:00Z') },
    // Yesterday (local): only in a longer period.
    { user: users[0]!, station: stations[1]!, startedAt: t('2026-03-01T06:00:00Z'), endedAt: t('2026-03-01T07:00:00Z') },
  ]);
});
afterEach(async () => {
  await h.close();
});

const call = (opts: InjectOptions) => h.app.inject(opts);

describe('GET /api/stats', () => {
  it('gives today by default: totals, per visitor (no name once anonymised), per station, day and hour', async () => {
    const res = await call({ method: 'GET', url: '/api/stats', headers: marie });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.period).toEqual({ from: '2026-03-01T20:00:00.000Z', to: '2026-03-02T20:00:00.000Z', timeZone: 'Indian/Reunion', computedAt: '2026-03-02T08:00:00.000Z' });
    expect(body.totals).toEqual({
      sessionsCreated: 4,
      byStatus: { pending: 1, active: 1, suspended: 0, ended: 2 },
      byEndReason: { expired: 2, ended_by_operator: 0, ended_by_visitor: 0, cancelled: 0, code_expired: 0 },
      sessionsStarted: 3,
      minutesUsed: 90 + 60 + 30,
      distinctVisitors: 3,
      activeNow: 1,
      suspendedNow: 0,
    });
    expect(body.perUser).toEqual([
      { userId: users[0], displayName: 'Marie-Claire Hoarau', anonymised: false, sessions: 1, minutesUsed: 90, lastVisitAt: '2026-03-02T05:00:00.000Z' },
      { userId: users[1], displayName: null, anonymised: true, sessions: 1, minutesUsed: 60, lastVisitAt: '2026-03-02T06:00:00.000Z' },
      { userId: users[2], displayName: 'V V', anonymised: false, sessions: 1, minutesUsed: 30, lastVisitAt: '2026-03-02T07:30:00.000Z' },
    ]);
    expect(body.perStation).toEqual([
      { stationId: stations[0], name: 'Poste 1', deleted: false, sessions: 2, minutesUsed: 120, occupancy: 0.0833 },
      { stationId: stations[1], name: 'Poste 2', deleted: false, sessions: 1, minutesUsed: 60, occupancy: 0.0417 },
    ]);
    expect(body.perDay).toEqual([{ date: '2026-03-02', sessionsStarted: 3, minutesUsed: 180, visitors: 3 }]);
    expect(body.perHour).toHaveLength(24);
    expect(body.perHour[9]).toEqual({ hour: 9, sessionsStarted: 1, minutesUsed: 60, visitors: 1 });
  });

  it('takes a period over several local days', async () => {
    const res = await call({ method: 'GET', url: '/api/stats?from=2026-02-28T20:00:00Z&to=2026-03-02T20:00:00Z', headers: marie });
    expect(res.json().perDay.map((d: { date: string; minutesUsed: number }) => [d.date, d.minutesUsed])).toEqual([
      ['2026-03-01', 60],
      ['2026-03-02', 180],
    ]);
  });

  it('answers 400 for a malformed date, a reversed or an overlong period', async () => {
    const bad = await call({ method: 'GET', url: '/api/stats?to=tomorrow', headers: marie });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('querystring.to');
    const reversed = await call({ method: 'GET', url: '/api/stats?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', headers: marie });
    expect(reversed.json()).toMatchObject({ status: 400, code: 'STATS_PERIOD_INVALID', errors: [{ field: 'to' }] });
    const long = await call({ method: 'GET', url: '/api/stats?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', headers: marie });
    expect(long.json().code).toBe('STATS_PERIOD_TOO_LONG');
  });

  it('answers 401 anonymous and 403 to a station', async () => {
    expect((await call({ method: 'GET', url: '/api/stats' })).statusCode).toBe(401);
    const token = await issueStationToken(h.ctx, stations[0]!);
    expect((await call({ method: 'GET', url: '/api/stats', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(403);
  });
});

describe('GET /api/stats/export.csv', () => {
  it('exports a view as CSV for an admin, audited', async () => {
    const res = await call({ method: 'GET', url: '/api/stats/export.csv?view=station', headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="epnbox-stats-station.csv"');
    expect(res.body.split('\r\n')).toEqual([
      '\uFEFFstation_id,station_name,deleted,sessions,minutes_used,occupancy',
      `${stations[0]},Poste 1,false,2,120,0.0833`,
      `${stations[1]},Poste 2,false,1,60,0.0417`,
      '',
    ]);
    const daily = await call({ method: 'GET', url: '/api/stats/export.csv', headers: admin });
    expect(daily.body.split('\r\n')[1]).toBe('2026-03-02,3,180,3');
    const events = await h.db.selectFrom('audit_events').select(['actor_id', 'metadata']).where('action', '=', 'data.exported').execute();
    expect(events.map((e) => [e.actor_id, JSON.parse(e.metadata).view])).toEqual([[1, 'station'], [1, 'day']]);
  });

  it('keeps anonymised visitors nameless in the visitor view', async () => {
    const res = await call({ method: 'GET', url: '/api/stats/export.csv?view=user', headers: admin });
    const lines = res.body.split('\r\n');
    expect(lines[1]).toBe(`${users[0]},Marie-Claire Hoarau,false,1,90,2026-03-02T05:00:00.000Z`);
    expect(lines[2]).toBe(`${users[1]},,true,1,60,2026-03-02T06:00:00.000Z`);
  });

  it('answers 400 for an unknown view or a bad period, 403 to an operator', async () => {
    const view = await call({ method: 'GET', url: '/api/stats/export.csv?view=week', headers: admin });
    expect(view.statusCode).toBe(400);
    expect(view.json().errors[0].field).toBe('querystring.view');
    const reversed = await call({ method: 'GET', url: '/api/stats/export.csv?from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', headers: admin });
    expect(reversed.statusCode).toBe(400);
    expect(reversed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await call({ method: 'GET', url: '/api/stats/export.csv', headers: marie })).statusCode).toBe(403);
  });
});
