import { Writable } from 'node:stream';
import type { InjectOptions } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { operatorActor } from '../../api/audit/audit-actions.ts';
import { issueStationToken } from '../../api/auth/auth-service.ts';
import { insertRunningSession } from '../../api/stations/station-fixtures.ts';
import { markSilentStationsOffline } from '../../api/stations/station-heartbeat.ts';
import { registerSeenMac } from '../../api/stations/station-enrollment.ts';
import { createStation } from '../../api/stations/stations-service.ts';
import { resolveConfig } from '../../appliance/config/load-config.ts';
import { buildApp } from '../../appliance/http/build-app.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';

let h: ApiHarness;
let admin: { authorization: string };
let marie: { authorization: string };
let p1: number;
let p2: number;
let asP1: { authorization: string };
beforeEach(async () => {
  h = await createApiHarness();
  admin = await h.bearer('admin');
  marie = await h.bearer('marie');
  p1 = (await createStation(h.ctx, operatorActor(1), { name: 'Poste 1', mac: '52:54:00:00:00:01' })).id;
  p2 = (await createStation(h.ctx, operatorActor(1), { name: 'Poste 2', mac: '52:54:00:00:00:02', ip: '192.168.10.22' })).id;
  asP1 = { authorization: `Bearer ${await issueStationToken(h.ctx, p1)}` };
});
afterEach(async () => {
  await h.close();
});

const call = (opts: InjectOptions) => h.app.inject(opts);
const iso = (ms: number) => new Date(ms).toISOString();

describe('POST /api/stations/:id/heartbeat', () => {
  it('records the beat with a real station token and answers the server time and state', async () => {
    const res = await call({ method: 'POST', url: `/api/stations/${p1}/heartbeat`, headers: asP1, payload: { agentVersion: '1.4.2', ip: '192.168.10.21', uptimeSeconds: 120, load: 0.4 } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      stationId: p1,
      state: 'available',
      stateReason: null,
      serverTime: iso(h.clock.now()),
      heartbeatTimeoutSeconds: 30,
      cameOnline: false,
      liveSession: null,
    });
    const row = await h.db.selectFrom('stations').selectAll().where('id', '=', p1).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ last_heartbeat_at: h.clock.now(), agent_version: '1.4.2', ip: '192.168.10.21' });
  });

  it('accepts an empty body, and brings back a station gone silent, with its running session', async () => {
    h.clock.advance(60_000);
    expect(await markSilentStationsOffline(h.ctx, h.clock.now())).toEqual([p1, p2]);
    const sessionId = await insertRunningSession(h.db, p1, h.clock.now());
    const res = await call({ method: 'POST', url: `/api/stations/${p1}/heartbeat`, headers: asP1 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ state: 'occupied', cameOnline: true, liveSession: { id: sessionId, status: 'active', remainingSeconds: 1800 } });
  });

  it('keeps an address another station holds, and logs the conflict as a warning', async () => {
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk, _enc, done) => { lines.push(String(chunk)); done(); } });
    const app = await buildApp({ ctx: h.ctx, config: resolveConfig({}), version: 'test', tokenKey: Buffer.alloc(32, 1), logger: { level: 'warn', stream } });
    try {
      const res = await app.inject({ method: 'POST', url: `/api/stations/${p1}/heartbeat`, headers: asP1, payload: { ip: '192.168.10.22' } });
      expect(res.statusCode).toBe(200);
    } finally {
      await app.close();
    }
    expect((await h.db.selectFrom('stations').select('ip').where('id', '=', p1).executeTakeFirstOrThrow()).ip).toBeNull();
    const warning = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.ipConflictWith !== undefined);
    expect(warning).toMatchObject({ level: 40, stationId: p1, ip: '192.168.10.22', ipConflictWith: p2 });
    expect(warning!.reqId).toBeDefined();
  });

  it('refuses a station beating for another station, an operator and an anonymous caller', async () => {
    const other = await call({ method: 'POST', url: `/api/stations/${p2}/heartbeat`, headers: asP1, payload: {} });
    expect(other.statusCode).toBe(403);
    expect(other.json().code).toBe('AUTH_FORBIDDEN');
    expect((await h.db.selectFrom('stations').select('last_heartbeat_at').where('id', '=', p2).executeTakeFirstOrThrow()).last_heartbeat_at).toBeNull();
    expect((await call({ method: 'POST', url: `/api/stations/${p1}/heartbeat`, headers: admin, payload: {} })).statusCode).toBe(403);
    expect((await call({ method: 'POST', url: `/api/stations/${p1}/heartbeat`, payload: {} })).statusCode).toBe(401);
    expect((await call({ method: 'POST', url: `/api/stations/${p1}/heartbeat`, headers: { authorization: 'Bearer st_forged' }, payload: {} })).statusCode).toBe(401);
  });

  it('answers 400 naming the field for a malformed beat', async () => {
    const negative = await call({ method: 'POST', url: `/api/stations/${p1}/heartbeat`, headers: asP1, payload: { uptimeSeconds: -1 } });
    expect(negative.statusCode).toBe(400);
    expect(negative.json().errors[0].field).toBe('body.uptimeSeconds');
    const badIp = await call({ method: 'POST', url: `/api/stations/${p1}/heartbeat`, headers: asP1, payload: { ip: 'not-an-ip' } });
    expect(badIp.json()).toMatchObject({ status: 400, code: 'STATION_IP_INVALID', errors: [{ field: 'ip' }] });
  });

  it('answers 401 once the station is deleted (its token dies with it)', async () => {
    await call({ method: 'DELETE', url: `/api/stations/${p1}`, headers: admin });
    expect((await call({ method: 'POST', url: `/api/stations/${p1}/heartbeat`, headers: asP1, payload: {} })).statusCode).toBe(401);
  });
});

describe('manual states', () => {
  it('puts a station in maintenance, offline and back, with reasons', async () => {
    const maintenance = await call({ method: 'POST', url: `/api/stations/${p1}/mark-maintenance`, headers: marie, payload: { reason: 'écran cassé' } });
    expect(maintenance.statusCode).toBe(200);
    expect(maintenance.json()).toMatchObject({ id: p1, state: 'maintenance', stateReason: 'écran cassé' });
    const offline = await call({ method: 'POST', url: `/api/stations/${p1}/mark-offline`, headers: marie, payload: { reason: 'prêté à la mairie' } });
    expect(offline.json()).toMatchObject({ state: 'offline', stateReason: 'prêté à la mairie' });
    const back = await call({ method: 'POST', url: `/api/stations/${p1}/mark-available`, headers: marie });
    expect(back.json()).toMatchObject({ state: 'available', stateReason: null });
    const events = await h.db.selectFrom('audit_events').select(['actor_id', 'metadata']).where('action', '=', 'station.state_changed').execute();
    expect(events.map((e) => [e.actor_id, JSON.parse(e.metadata).to])).toEqual([[2, 'maintenance'], [2, 'offline'], [2, 'available']]);
  });

  it('refuses maintenance while a session runs (409)', async () => {
    const sessionId = await insertRunningSession(h.db, p1, h.clock.now());
    const res = await call({ method: 'POST', url: `/api/stations/${p1}/mark-maintenance`, headers: marie, payload: { reason: 'clavier' } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'STATION_SESSION_RUNNING', details: { sessionId, action: 'maintenance' } });
  });

  it('answers 400 for a missing or blank reason, 404 for an unknown station, 403 to a station', async () => {
    const missing = await call({ method: 'POST', url: `/api/stations/${p1}/mark-offline`, headers: marie, payload: {} });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().errors[0].field).toBe('body.reason');
    const blank = await call({ method: 'POST', url: `/api/stations/${p1}/mark-maintenance`, headers: marie, payload: { reason: '  ' } });
    expect(blank.json()).toMatchObject({ code: 'STATION_REASON_REQUIRED', errors: [{ field: 'reason' }] });
    expect((await call({ method: 'POST', url: '/api/stations/999/mark-available', headers: marie, payload: {} })).statusCode).toBe(404);
    expect((await call({ method: 'POST', url: `/api/stations/${p1}/mark-available`, headers: asP1, payload: {} })).statusCode).toBe(403);
  });
});

describe('POST /api/stations/:id/approve', () => {
  it('accepts an enrolled station (admin only); a second approval is a 409', async () => {
    const { station } = await registerSeenMac(h.ctx, { mac: '52:54:00:00:00:99', autoApprove: false });
    expect(station.state).toBe('pending');
    expect((await call({ method: 'POST', url: `/api/stations/${station.id}/approve`, headers: marie })).statusCode).toBe(403);
    const res = await call({ method: 'POST', url: `/api/stations/${station.id}/approve`, headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: station.id, state: 'available' });
    const again = await call({ method: 'POST', url: `/api/stations/${station.id}/approve`, headers: admin });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('STATION_NOT_PENDING');
    expect((await call({ method: 'POST', url: '/api/stations/999/approve', headers: admin })).statusCode).toBe(404);
  });

  it('refuses manual states on a pending station (409)', async () => {
    const { station } = await registerSeenMac(h.ctx, { mac: '52:54:00:00:00:98', autoApprove: false });
    const res = await call({ method: 'POST', url: `/api/stations/${station.id}/mark-available`, headers: marie, payload: {} });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('STATION_PENDING_APPROVAL');
  });
});

describe('GET /api/stations/:id/active-session', () => {
  it('answers session: null when the station is free, and the session view when one runs', async () => {
    const free = await call({ method: 'GET', url: `/api/stations/${p1}/active-session`, headers: asP1 });
    expect(free.statusCode).toBe(200);
    expect(free.json()).toEqual({ stationId: p1, session: null, serverTime: iso(h.clock.now()) });
    const sessionId = await insertRunningSession(h.db, p1, h.clock.now());
    const busy = await call({ method: 'GET', url: `/api/stations/${p1}/active-session`, headers: marie });
    expect(busy.json().session).toMatchObject({
      id: sessionId,
      stationId: p1,
      status: 'active',
      allottedSeconds: 3600,
      remainingSeconds: 1800,
      elapsedSeconds: 1800,
      percentUsed: 50,
      endsAt: iso(h.clock.now() + 1_800_000),
      computedAt: iso(h.clock.now()),
    });
  });

  it('answers 403 to another station and 404 for an unknown one', async () => {
    expect((await call({ method: 'GET', url: `/api/stations/${p2}/active-session`, headers: asP1 })).statusCode).toBe(403);
    const missing = await call({ method: 'GET', url: '/api/stations/999/active-session', headers: marie });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('STATION_NOT_FOUND');
    expect((await call({ method: 'GET', url: `/api/stations/${p1}/active-session` })).statusCode).toBe(401);
  });
});

describe('POST /api/stations/:id/token', () => {
  it('issues a token once (no-store) that the station then uses; a re-issue revokes the old one', async () => {
    const res = await call({ method: 'POST', url: `/api/stations/${p2}/token`, headers: admin });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const first = res.json();
    expect(first).toMatchObject({ stationId: p2, issuedAt: iso(h.clock.now()), revokedPrevious: 0 });
    const beat = (token: string) => call({ method: 'POST', url: `/api/stations/${p2}/heartbeat`, headers: { authorization: `Bearer ${token}` }, payload: {} });
    expect((await beat(first.token)).statusCode).toBe(200);
    const second = (await call({ method: 'POST', url: `/api/stations/${p2}/token`, headers: admin })).json();
    expect(second.revokedPrevious).toBe(1);
    expect((await beat(first.token)).statusCode).toBe(401);
    expect((await beat(second.token)).statusCode).toBe(200);
    const events = await h.db.selectFrom('audit_events').select('metadata').where('action', '=', 'station.updated').where('target_id', '=', p2).execute();
    expect(events.map((e) => JSON.parse(e.metadata))).toEqual([{ token: 'issued', revokedPrevious: 0 }, { token: 'issued', revokedPrevious: 1 }]);
  });

  it('is for admins (403 operator and station), 404 for an unknown station', async () => {
    expect((await call({ method: 'POST', url: `/api/stations/${p1}/token`, headers: marie })).statusCode).toBe(403);
    expect((await call({ method: 'POST', url: `/api/stations/${p1}/token`, headers: asP1 })).statusCode).toBe(403);
    expect((await call({ method: 'POST', url: '/api/stations/999/token', headers: admin })).statusCode).toBe(404);
  });
});
