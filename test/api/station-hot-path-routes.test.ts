import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { operatorActor } from '../../api/audit/audit-actions.ts';
import { issueStationToken } from '../../api/auth/auth-service.ts';
import { insertRunningSession } from '../../api/stations/station-fixtures.ts';
import { createStation } from '../../api/stations/stations-service.ts';
import { createApiHarness, type ApiHarness } from '../support/api-harness.ts';

// The station hot path over HTTP. The auth plugin remembers valid station
// tokens: these show each way a token ends, with the token used (so
// remembered) just before. Routine heartbeats wait in memory and are written
// at shutdown.
let h: ApiHarness;
let admin: { authorization: string };
let stationId: number;
let token: string;
beforeEach(async () => {
  h = await createApiHarness();
  admin = await h.bearer('admin');
  stationId = (await createStation(h.ctx, operatorActor(1), { name: 'Poste 1', mac: '52:54:00:00:00:01' })).id;
  token = await issueStationToken(h.ctx, stationId);
});
afterEach(async () => {
  await h.close();
});

const beat = (t = token) => h.app.inject({ method: 'POST', url: `/api/stations/${stationId}/heartbeat`, headers: { authorization: `Bearer ${t}` }, payload: {} });

describe('remembered station tokens', () => {
  it('answers 401 at once after the station is deleted', async () => {
    expect((await beat()).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'DELETE', url: `/api/stations/${stationId}`, headers: admin })).statusCode).toBe(204);
    expect((await beat()).statusCode).toBe(401);
  });

  it('answers 401 at once for the old token after a re-issue, on every station route', async () => {
    const sessionId = await insertRunningSession(h.db, stationId, h.clock.now());
    const remaining = (t: string) => h.app.inject({ method: 'GET', url: `/api/sessions/${sessionId}/time-remaining`, headers: { authorization: `Bearer ${t}` } });
    expect((await remaining(token)).statusCode).toBe(200);
    const issued = (await h.app.inject({ method: 'POST', url: `/api/stations/${stationId}/token`, headers: admin })).json<{ token: string }>();
    expect((await remaining(token)).statusCode).toBe(401);
    expect((await beat(token)).statusCode).toBe(401);
    expect((await remaining(issued.token)).statusCode).toBe(200);
  });

  it('still refuses a station acting for another station (the cache only names the caller)', async () => {
    const other = (await createStation(h.ctx, operatorActor(1), { name: 'Poste 2', mac: '52:54:00:00:00:02' })).id;
    expect((await beat()).statusCode).toBe(200);
    const res = await h.app.inject({ method: 'POST', url: `/api/stations/${other}/heartbeat`, headers: { authorization: `Bearer ${token}` }, payload: {} });
    expect(res.statusCode).toBe(403);
  });
});

describe('held heartbeats at shutdown', () => {
  it('are written when the app closes', async () => {
    expect((await beat()).statusCode).toBe(200);
    h.clock.advance(10_000);
    expect((await beat()).statusCode).toBe(200);
    const row = () => h.db.selectFrom('stations').select('last_heartbeat_at').where('id', '=', stationId).executeTakeFirstOrThrow();
    expect((await row()).last_heartbeat_at).toBe(h.clock.now() - 10_000);
    await h.app.close();
    expect((await row()).last_heartbeat_at).toBe(h.clock.now());
  });
});
