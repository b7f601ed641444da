import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from './ws-client.ts';
import { createRealtimeHarness, type RealtimeHarness } from './realtime-harness.ts';

let h: RealtimeHarness;
beforeAll(async () => {
  h = await createRealtimeHarness();
});
afterAll(async () => {
  await h.close();
});

async function connected(): Promise<{ client: TestClient; id: number; token: string }> {
  const station = await h.station();
  const client = await h.connectStation(station.token);
  await client.next('connection_established');
  return { client, id: station.id, token: station.token };
}

const beat = { v: 1, type: 'heartbeat', uptimeSeconds: 42, load: 0.3 };

describe('station channel: what a station sends', () => {
  it('answers every malformed message with an error and keeps the connection', async () => {
    const { client } = await connected();
    const cases: Array<[unknown, string]> = [
      ['{not json', 'WS_NOT_JSON'],
      ['[1,2]', 'WS_MESSAGE_INVALID'],
      [{ v: 2, type: 'heartbeat', uptimeSeconds: 1, load: 0 }, 'WS_VERSION_UNSUPPORTED'],
      [{ type: 'heartbeat' }, 'WS_VERSION_UNSUPPORTED'],
      [{ v: 1, type: 'get_time' }, 'WS_TYPE_UNKNOWN'],
      [{ v: 1, type: 'heartbeat', uptimeSeconds: -1, load: 0 }, 'WS_MESSAGE_INVALID'],
      [{ v: 1, type: 'start_session', code: 'ABCD-EFGH', extra: true }, 'WS_MESSAGE_INVALID'],
      [{ v: 1, type: 'hello', agentVersion: 'x'.repeat(70_000), bootId: 'b' }, 'WS_MESSAGE_TOO_LARGE'],
    ];
    for (const [message, code] of cases) {
      client.send(message);
      expect(await client.next('error'), code).toMatchObject({ v: 1, code });
    }
    client.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await client.next('error')).toMatchObject({ code: 'WS_BINARY_UNSUPPORTED' });
    client.send({ v: 1, type: 'heartbeat', uptimeSeconds: 'soon', load: 0, requestId: 'r-9' });
    expect(await client.next('error')).toMatchObject({ code: 'WS_MESSAGE_INVALID', for: 'heartbeat', requestId: 'r-9', fields: [{ field: 'uptimeSeconds' }] });
    client.send({ ...beat, requestId: 'still-here' });
    expect(await client.next('heartbeat_ack')).toMatchObject({ requestId: 'still-here', state: 'available' });
  });

  it('records hello and heartbeats: agent version, IP, server time in the ack', async () => {
    const { client, id } = await connected();
    client.send({ v: 1, type: 'hello', agentVersion: 'epnbox-agent/0.3.1', bootId: 'boot-1' });
    client.send({ ...beat, ip: '10.9.0.7' });
    expect(await client.next('heartbeat_ack')).toMatchObject({ serverTime: new Date(h.clock.now()).toISOString(), state: 'available' });
    const row = await h.db.selectFrom('stations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ agent_version: 'epnbox-agent/0.3.1', ip: '10.9.0.7', last_heartbeat_at: h.clock.now() });
  });

  it('tells the station when an operator changes its state', async () => {
    const { client, id } = await connected();
    expect((await h.post(`/api/stations/${id}/mark-maintenance`, h.marie, { reason: 'écran cassé' })).statusCode).toBe(200);
    expect(await client.next('station_state')).toMatchObject({ state: 'maintenance', stateReason: 'écran cassé' });
    expect((await h.post(`/api/stations/${id}/mark-available`, h.marie, {})).statusCode).toBe(200);
    expect(await client.next('station_state')).toMatchObject({ state: 'available', stateReason: null });
  });

  it('lets a second connection of the same station replace the first', async () => {
    const { client, token, id } = await connected();
    const second = await h.connectStation(token);
    expect(await client.closed).toEqual({ code: 4000, reason: 'replaced by a newer connection' });
    await second.next('connection_established');
    expect(h.app.realtime.stations.isConnected(id)).toBe(true);
    second.send(beat);
    expect(await second.next('heartbeat_ack')).toMatchObject({ type: 'heartbeat_ack' });
  });

  it('refuses an upgrade without a valid station token', async () => {
    const { token } = await h.station();
    const url = `${h.wsUrl}/ws/station`;
    expect(await TestClient.refusal(url)).toBe(401);
    expect(await TestClient.refusal(url, { headers: { authorization: 'Bearer st_not-a-token' } })).toBe(401);
    expect(await TestClient.refusal(url, { headers: h.marie })).toBe(403);
    expect(await TestClient.refusal(`${h.wsUrl}/ws/operator`, { headers: { authorization: `Bearer ${token}` } })).toBe(403);
  });

  it('accepts the token as a subprotocol and answers with epnbox.v1 only', async () => {
    const { token } = await h.station();
    const client = await TestClient.connect(`${h.wsUrl}/ws/station`, { protocols: ['epnbox.v1', `bearer.${token}`] });
    expect(client.socket.protocol).toBe('epnbox.v1');
    expect(await client.next()).toMatchObject({ type: 'connection_established' });
  });

  it('works over injectWS too (no socket), closing a revoked credential', async () => {
    const station = await h.station();
    let greeted!: (m: Record<string, unknown>) => void;
    const greeting = new Promise<Record<string, unknown>>((resolve) => (greeted = resolve));
    // Listen from onInit: the greeting may arrive in the same tick as the upgrade.
    const ws = await h.app.injectWS('/ws/station', { headers: { authorization: `Bearer ${station.token}` } }, { onInit: (socket) => socket.once('message', (d) => greeted(JSON.parse(String(d)) as Record<string, unknown>)) });
    const first = await greeting;
    expect(first).toMatchObject({ type: 'connection_established', station: { id: station.id } });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    expect((await h.post(`/api/stations/${station.id}/token`, h.admin)).statusCode).toBe(201);
    expect(await closed).toBe(4003);
  });
});
