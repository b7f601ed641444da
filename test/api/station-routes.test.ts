import type { InjectOptions } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { operatorActor } from '../../api/audit/audit-actions.ts';
import { issueStationToken } from '../../api/auth/auth-service.ts';
import { insertRunningSession } from '../../api/stations/station-fixtures.ts';
import { recordHeartbeat } from '../../api/stations/station-heartbeat.ts';
import { registerSeenMac } from '../../api/stations/station-enrollment.ts';
import { createStation } from '../../api/stations/stations-service.ts';
import { failingWhen, insertInto } from '../../api/testing/broken-db.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';

let h: ApiHarness;
let admin: { authorization: string };
let marie: { authorization: string };
beforeEach(async () => {
  h = await createApiHarness();
  admin = await h.bearer('admin');
  marie = await h.bearer('marie');
});
afterEach(async () => {
  await h.close();
});

const call = (opts: InjectOptions) => h.app.inject(opts);
const add = async (name: string, mac: string, ip: string | null = null) => (await createStation(h.ctx, operatorActor(1), { name, mac, ip })).id;
const iso = (ms: number) => new Date(ms).toISOString();

describe('GET /api/stations', () => {
  it('lists stations with every field, derived online flag and running session', async () => {
    const p1 = await add('Poste 1', '52:54:00:00:00:01', '192.168.10.21');
    const p2 = await add('Poste 2', '52:54:00:00:00:02');
    await recordHeartbeat(h.ctx, p1, { agentVersion: '1.2.0' });
    const sessionId = await insertRunningSession(h.db, p1, h.clock.now());
    const res = await call({ method: 'GET', url: '/api/stations', headers: marie });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ total: 2, page: 1, pageSize: 50 });
    expect(body.items[0]).toEqual({
      id: p1,
      name: 'Poste 1',
      mac: '52:54:00:00:00:01',
      ip: '192.168.10.21',
      state: 'available',
      stateReason: null,
      online: true,
      lastHeartbeatAt: iso(h.clock.now()),
      secondsSinceHeartbeat: 0,
      agentVersion: '1.2.0',
      createdAt: iso(h.clock.now()),
      updatedAt: iso(h.clock.now()),
      liveSession: { id: sessionId, userId: expect.any(Number), status: 'active', startedAt: iso(h.clock.now() - 1_800_000), endsAt: iso(h.clock.now() + 1_800_000), remainingSeconds: 1800 },
    });
    expect(body.items[1]).toMatchObject({ id: p2, online: false, lastHeartbeatAt: null, liveSession: null });
  });

  it('filters by several states, online and text, sorts and pages', async () => {
    const a = await add('Accueil', '52:54:00:00:00:0a');
    const b = await add('Bureau', '52:54:00:00:00:0b', '10.0.0.5');
    await add('Cyber 1', '52:54:00:00:00:0c');
    await registerSeenMac(h.ctx, { mac: '52:54:00:00:00:0d', autoApprove: false });
    await recordHeartbeat(h.ctx, b);
    await call({ method: 'POST', url: `/api/stations/${a}/mark-maintenance`, headers: marie, payload: { reason: 'écran' } });
    const states = await call({ method: 'GET', url: '/api/stations?state=maintenance&state=pending&sort=name', headers: marie });
    expect(states.json().items.map((s: { name: string }) => s.name)).toEqual(['Accueil', 'poste-00000d']);
    const online = await call({ method: 'GET', url: '/api/stations?online=true', headers: marie });
    expect(online.json().items.map((s: { id: number }) => s.id)).toEqual([b]);
    const mac = await call({ method: 'GET', url: '/api/stations?q=52540000000B', headers: marie });
    expect(mac.json().items.map((s: { id: number }) => s.id)).toEqual([b]);
    expect((await call({ method: 'GET', url: '/api/stations?q=10.0.0', headers: marie })).json().items.map((s: { id: number }) => s.id)).toEqual([b]);
    const paged = await call({ method: 'GET', url: '/api/stations?sort=name&order=desc&pageSize=2&page=2', headers: marie });
    expect(paged.json()).toMatchObject({ total: 4, page: 2, pageSize: 2 });
    expect(paged.json().items.map((s: { name: string }) => s.name)).toEqual(['Bureau', 'Accueil']);
  });

  it('answers 400 naming the field for a bad state, sort or page size', async () => {
    for (const [query, field] of [['state=broken', 'querystring.state.0'], ['sort=mac', 'querystring.sort'], ['pageSize=500', 'querystring.pageSize'], ['online=maybe', 'querystring.online']] as const) {
      const res = await call({ method: 'GET', url: `/api/stations?${query}`, headers: marie });
      expect(res.statusCode, query).toBe(400);
      expect(res.json().errors[0].field, query).toBe(field);
    }
  });

  it('answers 401 to anonymous callers and 403 to a station', async () => {
    const id = await add('Poste 1', '52:54:00:00:00:01');
    expect((await call({ method: 'GET', url: '/api/stations' })).statusCode).toBe(401);
    const token = await issueStationToken(h.ctx, id);
    expect((await call({ method: 'GET', url: '/api/stations', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(403);
  });
});

describe('GET /api/stations/available', () => {
  it('lists only available, online, free stations', async () => {
    const free = await add('Libre', '52:54:00:00:00:01');
    const busy = await add('Occupé', '52:54:00:00:00:02');
    await add('Silencieux', '52:54:00:00:00:03');
    await recordHeartbeat(h.ctx, free);
    await recordHeartbeat(h.ctx, busy);
    await insertRunningSession(h.db, busy, h.clock.now());
    const res = await call({ method: 'GET', url: '/api/stations/available', headers: marie });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((s: { id: number }) => s.id)).toEqual([free]);
    const token = await issueStationToken(h.ctx, free);
    expect((await call({ method: 'GET', url: '/api/stations/available', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(403);
  });
});

describe('GET /api/stations/stats', () => {
  it('counts by state and online now, with use per station today', async () => {
    const p1 = await add('Poste 1', '52:54:00:00:00:01');
    const p2 = await add('Poste 2', '52:54:00:00:00:02');
    await recordHeartbeat(h.ctx, p1);
    await insertRunningSession(h.db, p1, h.clock.now());
    await call({ method: 'POST', url: `/api/stations/${p2}/mark-offline`, headers: marie, payload: { reason: 'prêté' } });
    const res = await call({ method: 'GET', url: '/api/stations/stats', headers: marie });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    // FakeClock: 2026-03-02T08:00Z = 12:00 in Réunion; today = [03-01T20:00Z, 03-02T20:00Z).
    expect(body).toMatchObject({
      computedAt: iso(h.clock.now()),
      total: 2,
      byState: { available: 1, offline: 1, maintenance: 0, occupied: 0, pending: 0 },
      online: 1,
      offline: 1,
      availableNow: 0,
      inSessionNow: 1,
      period: { from: '2026-03-01T20:00:00.000Z', to: '2026-03-02T20:00:00.000Z', timeZone: 'Indian/Reunion' },
    });
    expect(body.perStation).toEqual([
      { stationId: p1, name: 'Poste 1', state: 'available', online: true, deleted: false, sessions: 1, minutesUsed: 30, occupancy: 0.0208 },
      { stationId: p2, name: 'Poste 2', state: 'offline', online: false, deleted: false, sessions: 0, minutesUsed: 0, occupancy: 0 },
    ]);
  });

  it('takes a period and refuses a reversed one or a malformed date', async () => {
    const ok = await call({ method: 'GET', url: '/api/stations/stats?from=2026-02-01T00:00:00Z&to=2026-03-01T00:00:00Z', headers: marie });
    expect(ok.json().period).toMatchObject({ from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' });
    const reversed = await call({ method: 'GET', url: '/api/stations/stats?from=2026-03-01T00:00:00Z&to=2026-02-01T00:00:00Z', headers: marie });
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json()).toMatchObject({ code: 'STATS_PERIOD_INVALID', errors: [{ field: 'to' }] });
    const bad = await call({ method: 'GET', url: '/api/stations/stats?from=yesterday', headers: marie });
    expect(bad.json().errors[0].field).toBe('querystring.from');
  });
});

describe('POST /api/stations', () => {
  it('adds a station (admin), normalising the MAC; audited', async () => {
    const res = await call({ method: 'POST', url: '/api/stations', headers: admin, payload: { name: ' Poste  7 ', mac: '52-54-00-AB-CD-EF', ip: '192.168.10.27' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: 'Poste 7', mac: '52:54:00:ab:cd:ef', ip: '192.168.10.27', state: 'available', online: false });
    const event = await h.db.selectFrom('audit_events').select(['action', 'actor_id', 'target_id']).where('action', '=', 'station.created').executeTakeFirstOrThrow();
    expect(event).toEqual({ action: 'station.created', actor_id: 1, target_id: res.json().id });
  });

  it('answers 400 with the field for a missing or malformed value', async () => {
    const missing = await call({ method: 'POST', url: '/api/stations', headers: admin, payload: { name: 'Poste 1' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0].field).toBe('body.mac');
    const badMac = await call({ method: 'POST', url: '/api/stations', headers: admin, payload: { name: 'Poste 1', mac: 'zz:zz' } });
    expect(badMac.statusCode).toBe(400);
    expect(badMac.json().errors[0].field).toBe('mac');
    const badIp = await call({ method: 'POST', url: '/api/stations', headers: admin, payload: { name: 'Poste 1', mac: '52:54:00:00:00:01', ip: '127.0.0.1' } });
    expect(badIp.json()).toMatchObject({ code: 'STATION_IP_NOT_HOST', errors: [{ field: 'ip' }] });
  });

  it('answers 409 for a MAC already taken', async () => {
    await add('Poste 1', '52:54:00:00:00:01');
    const res = await call({ method: 'POST', url: '/api/stations', headers: admin, payload: { name: 'Poste 2', mac: '52:54:00:00:00:01' } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'STATION_MAC_TAKEN', details: { field: 'mac' } });
  });

  it('is for admins: 403 for an operator, 401 anonymous', async () => {
    expect((await call({ method: 'POST', url: '/api/stations', headers: marie, payload: { name: 'P', mac: '52:54:00:00:00:01' } })).statusCode).toBe(403);
    expect((await call({ method: 'POST', url: '/api/stations', payload: { name: 'P', mac: '52:54:00:00:00:01' } })).statusCode).toBe(401);
  });

  it('answers 503 and keeps nothing when the audit cannot be written', async () => {
    const real = h.ctx.db;
    h.ctx.db = failingWhen(real, insertInto('audit_events'));
    const res = await call({ method: 'POST', url: '/api/stations', headers: admin, payload: { name: 'Poste 1', mac: '52:54:00:00:00:01' } });
    h.ctx.db = real;
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('STORAGE_FAILURE');
    expect(await h.db.selectFrom('stations').selectAll().execute()).toEqual([]);
  });
});

describe('GET /api/stations/:id', () => {
  it('shows a station to an operator and to the station itself, not to another station', async () => {
    const p1 = await add('Poste 1', '52:54:00:00:00:01');
    const p2 = await add('Poste 2', '52:54:00:00:00:02');
    expect((await call({ method: 'GET', url: `/api/stations/${p1}`, headers: marie })).json()).toMatchObject({ id: p1, name: 'Poste 1' });
    const self = { authorization: `Bearer ${await issueStationToken(h.ctx, p1)}` };
    expect((await call({ method: 'GET', url: `/api/stations/${p1}`, headers: self })).statusCode).toBe(200);
    const other = await call({ method: 'GET', url: `/api/stations/${p2}`, headers: self });
    expect(other.statusCode).toBe(403);
    expect(other.json().code).toBe('AUTH_FORBIDDEN');
  });

  it('answers 404 for an unknown station and 400 for a bad id', async () => {
    const missing = await call({ method: 'GET', url: '/api/stations/999', headers: marie });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('STATION_NOT_FOUND');
    const bad = await call({ method: 'GET', url: '/api/stations/0', headers: marie });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('params.id');
  });
});

describe('PUT and PATCH /api/stations/:id', () => {
  it('replaces all fields with PUT (an absent IP clears it) and changes some with PATCH', async () => {
    const id = await add('Poste 1', '52:54:00:00:00:01', '192.168.10.21');
    const put = await call({ method: 'PUT', url: `/api/stations/${id}`, headers: admin, payload: { name: 'Poste 1b', mac: '52:54:00:00:00:11' } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ name: 'Poste 1b', mac: '52:54:00:00:00:11', ip: null });
    const patch = await call({ method: 'PATCH', url: `/api/stations/${id}`, headers: admin, payload: { ip: '192.168.10.30' } });
    expect(patch.json()).toMatchObject({ name: 'Poste 1b', ip: '192.168.10.30' });
    const changes = await h.db.selectFrom('audit_events').select('metadata').where('action', '=', 'station.updated').execute();
    expect(changes.map((c) => JSON.parse(c.metadata).changes)).toEqual([
      { name: { from: 'Poste 1', to: 'Poste 1b' }, mac: { from: '52:54:00:00:00:01', to: '52:54:00:00:00:11' }, ip: { from: '192.168.10.21', to: null } },
      { ip: { from: null, to: '192.168.10.30' } },
    ]);
  });

  it('answers 400, 404, 409 and 403 on the error paths', async () => {
    const id = await add('Poste 1', '52:54:00:00:00:01');
    await add('Poste 2', '52:54:00:00:00:02');
    const empty = await call({ method: 'PATCH', url: `/api/stations/${id}`, headers: admin, payload: {} });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors[0].field).toBe('body');
    const badName = await call({ method: 'PATCH', url: `/api/stations/${id}`, headers: admin, payload: { name: '!!' } });
    expect(badName.json()).toMatchObject({ status: 400, code: 'STATION_NAME_INVALID', errors: [{ field: 'name' }] });
    expect((await call({ method: 'PUT', url: '/api/stations/999', headers: admin, payload: { name: 'X', mac: '52:54:00:00:00:09' } })).statusCode).toBe(404);
    const taken = await call({ method: 'PATCH', url: `/api/stations/${id}`, headers: admin, payload: { name: 'poste 2' } });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().code).toBe('STATION_NAME_TAKEN');
    expect((await call({ method: 'PATCH', url: `/api/stations/${id}`, headers: marie, payload: { name: 'X' } })).statusCode).toBe(403);
  });
});

describe('DELETE /api/stations/:id', () => {
  it('deletes a free station (204), then it is gone', async () => {
    const id = await add('Poste 1', '52:54:00:00:00:01');
    const res = await call({ method: 'DELETE', url: `/api/stations/${id}`, headers: admin });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect((await call({ method: 'GET', url: `/api/stations/${id}`, headers: marie })).statusCode).toBe(404);
    expect((await call({ method: 'DELETE', url: `/api/stations/${id}`, headers: admin })).statusCode).toBe(404);
  });

  it('refuses while a session runs (409), and for an operator (403)', async () => {
    const id = await add('Poste 1', '52:54:00:00:00:01');
    await insertRunningSession(h.db, id, h.clock.now());
    const res = await call({ method: 'DELETE', url: `/api/stations/${id}`, headers: admin });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('STATION_SESSION_RUNNING');
    expect((await call({ method: 'DELETE', url: `/api/stations/${id}`, headers: marie })).statusCode).toBe(403);
  });
});
