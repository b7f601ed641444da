import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../api/audit/audit-actions.ts';
import { createOperator } from '../../api/operators/operators-service.ts';
import { TestClient, type Received } from './ws-client.ts';
import { createRealtimeHarness, type RealtimeHarness } from './realtime-harness.ts';

let h: RealtimeHarness;
beforeAll(async () => {
  h = await createRealtimeHarness();
});
afterAll(async () => {
  await h.close();
});

async function login(username: string, password: string, useCookie = false): Promise<{ token: string; cookie: string | undefined }> {
  const res = await h.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password, useCookie } });
  const cookie = [res.headers['set-cookie']].flat().find((c) => c?.startsWith('epnbox_session='))?.split(';')[0];
  return { token: res.json<{ accessToken: string }>().accessToken, cookie };
}

/** Messages up to (and including) the first that matches, taken in order. */
async function until(client: TestClient, match: (m: Received) => boolean): Promise<Received[]> {
  const seen: Received[] = [];
  for (;;) {
    const m = await client.next();
    seen.push(m);
    if (match(m)) return seen;
  }
}

describe('operator channel', () => {
  it('opens with a snapshot of the room, then pushes each change as it commits', async () => {
    const busy = await h.station();
    const agent = await h.connectStation(busy.token);
    await agent.next('connection_established');
    const running = await h.issue(await h.visitor(), 30);
    agent.send({ v: 1, type: 'start_session', code: running.code });
    await agent.next('session_started');
    await h.settle();

    const panel = await h.connectOperator();
    const snapshot = await panel.next();
    expect(snapshot).toMatchObject({ v: 1, type: 'snapshot', serverTime: new Date(h.clock.now()).toISOString(), connectedStationIds: [busy.id] });
    const snapStation = (snapshot.stations as Array<Record<string, unknown>>).find((s) => s.id === busy.id);
    expect(snapStation).toMatchObject({ state: 'occupied', online: true, liveSession: { id: running.id, status: 'active', remainingSeconds: 1800 } });
    expect((snapshot.sessions as Array<Record<string, unknown>>).map((s) => s.id)).toContain(running.id);
    const lastEventId = snapshot.lastEventId as number;
    expect(lastEventId).toBeGreaterThan(0);

    // A new code, a station connecting, an operator's end: each reaches the panel.
    const pending = await h.issue(await h.visitor(), 20);
    const issued = (await until(panel, (m) => m.type === 'session' && (m.session as { id: number }).id === pending.id)).slice(-2);
    expect(issued.map((m) => m.type)).toEqual(['audit_event', 'session']);
    expect(issued[0]).toMatchObject({ event: { action: 'session.code_generated', target: { type: 'session', id: pending.id } } });
    expect((issued[0]!.event as { id: number }).id).toBeGreaterThan(lastEventId);
    expect(issued[1]).toMatchObject({ session: { status: 'pending', code: pending.code } });

    const fresh = await h.station();
    const second = await h.connectStation(fresh.token);
    await second.next('connection_established');
    expect(await panel.next('station_connection')).toMatchObject({ stationId: fresh.id, connected: true });

    expect((await h.post(`/api/sessions/${running.id}/end`, h.marie, {})).statusCode).toBe(200);
    const ended = (await until(panel, (m) => m.type === 'station' && (m.station as { id: number }).id === busy.id)).slice(-3);
    expect(ended.map((m) => m.type)).toEqual(['audit_event', 'session', 'station']);
    expect(ended[1]).toMatchObject({ session: { id: running.id, status: 'ended', endReason: 'ended_by_operator' } });
    expect(ended[2]).toMatchObject({ station: { id: busy.id, state: 'available', liveSession: null } });

    second.close();
    expect(await panel.next('station_connection')).toMatchObject({ stationId: fresh.id, connected: false });
  });

  it('answers ping with pong and a bad message with an error, and stays open', async () => {
    const panel = await h.connectOperator(h.admin);
    await panel.next('snapshot');
    panel.send({ v: 1, type: 'subscribe' });
    expect(await panel.next('error')).toMatchObject({ code: 'WS_TYPE_UNKNOWN' });
    panel.send('nope');
    expect(await panel.next('error')).toMatchObject({ code: 'WS_NOT_JSON' });
    panel.send({ v: 1, type: 'ping', requestId: 'p1' });
    expect(await panel.next('pong')).toMatchObject({ requestId: 'p1' });
  });

  it('refuses anonymous upgrades and logins that must change their password', async () => {
    const url = `${h.wsUrl}/ws/operator`;
    expect(await TestClient.refusal(url)).toBe(401);
    await createOperator(h.ctx, systemActor, { username: 'nouveau', displayName: 'Nouveau', role: 'operator', password: 'one-time-password-1', mustChangePassword: true });
    const { token } = await login('nouveau', 'one-time-password-1');
    expect(await TestClient.refusal(url, { headers: { authorization: `Bearer ${token}` } })).toBe(403);
  });

  it('accepts the panel cookie from the box’s own origin only', async () => {
    const { cookie } = await login('marie', 'marie-password-2026', true);
    const url = `${h.wsUrl}/ws/operator`;
    const host = new URL(h.wsUrl).host;
    expect(await TestClient.refusal(url, { headers: { cookie: cookie! }, origin: 'http://evil.example' })).toBe(403);
    expect(await TestClient.refusal(url, { headers: { cookie: cookie! } })).toBe(403);
    const panel = await TestClient.connect(url, { headers: { cookie: cookie! }, origin: `http://${host}` });
    expect(await panel.next()).toMatchObject({ type: 'snapshot' });
  });

  it('closes the channel when its login ends', async () => {
    const { token } = await login('marie', 'marie-password-2026');
    const panel = await h.connectOperator({ authorization: `Bearer ${token}` });
    await panel.next('snapshot');
    expect((await h.post('/api/auth/logout', { authorization: `Bearer ${token}` })).statusCode).toBe(204);
    expect(await panel.closed).toEqual({ code: 4003, reason: 'login ended' });
  });
});
