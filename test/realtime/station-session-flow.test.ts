import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRealtimeHarness, MIN, type RealtimeHarness } from './realtime-harness.ts';
import type { TestClient } from './ws-client.ts';

let h: RealtimeHarness;
beforeEach(async () => {
  h = await createRealtimeHarness();
});
afterEach(async () => {
  await h.close();
});

const iso = (ms: number) => new Date(ms).toISOString();

async function startedOn(): Promise<{ client: TestClient; stationId: number; sessionId: number; endsAt: number }> {
  const station = await h.station();
  const client = await h.connectStation(station.token);
  await client.next('connection_established');
  const session = await h.issue(await h.visitor(), 30);
  client.send({ v: 1, type: 'start_session', code: session.code.toLowerCase().replace('-', ' '), requestId: 'start-1' });
  const started = await client.next('session_started');
  return { client, stationId: station.id, sessionId: session.id, endsAt: Date.parse(String(started.endsAt)) };
}

describe('station channel: a full session', () => {
  it('greets with the server time, the station state and no session', async () => {
    const station = await h.station();
    const client = await h.connectStation(station.token);
    const hello = await client.next();
    expect(hello).toMatchObject({
      v: 1,
      type: 'connection_established',
      serverTime: iso(h.clock.now()),
      station: { id: station.id, state: 'available', stateReason: null },
      session: null,
      heartbeatIntervalSeconds: 10,
      heartbeatTimeoutSeconds: 30,
      warningSeconds: [300, 120, 60, 30, 10],
    });
  });

  it('starts by code, then add time, suspend, resume and operator end reach the station with absolute deadlines', async () => {
    const { client, sessionId, endsAt } = await startedOn();
    expect(endsAt).toBe(h.clock.now() + 30 * MIN);
    expect(client.all('session_started')[0]).toMatchObject({ sessionId, status: 'active', remainingSeconds: 1800, allottedSeconds: 1800, serverTime: iso(h.clock.now()) });

    // (Moves stay within the 15 min life of marie's access token.)
    h.clock.advance(3 * MIN);
    expect((await h.post(`/api/sessions/${sessionId}/add-time`, h.marie, { minutes: 15 })).statusCode).toBe(200);
    expect(await client.next('time_added')).toMatchObject({ sessionId, deltaSeconds: 900, endsAt: iso(endsAt + 15 * MIN), remainingSeconds: 42 * 60, serverTime: iso(h.clock.now()) });

    h.clock.advance(2 * MIN);
    expect((await h.post(`/api/sessions/${sessionId}/suspend`, h.marie)).statusCode).toBe(200);
    expect(await client.next('suspended')).toMatchObject({ sessionId, status: 'suspended', endsAt: null, remainingSeconds: 40 * 60 });

    h.clock.advance(5 * MIN);
    expect((await h.post(`/api/sessions/${sessionId}/resume`, h.marie)).statusCode).toBe(200);
    expect(await client.next('resumed')).toMatchObject({ sessionId, status: 'active', endsAt: iso(h.clock.now() + 40 * MIN), remainingSeconds: 40 * 60 });

    h.clock.advance(MIN);
    expect((await h.post(`/api/sessions/${sessionId}/remove-time`, h.marie, { minutes: 5 })).statusCode).toBe(200);
    expect(await client.next('time_removed')).toMatchObject({ deltaSeconds: 300, remainingSeconds: 34 * 60 });

    expect((await h.post(`/api/sessions/${sessionId}/end`, h.marie, {})).statusCode).toBe(200);
    expect(await client.next('ended')).toMatchObject({ sessionId, status: 'ended', endReason: 'ended_by_operator', endsAt: null });
  });

  it('validates a code without starting it, and ends on the visitor’s logout', async () => {
    const station = await h.station();
    const client = await h.connectStation(station.token);
    await client.next('connection_established');
    const session = await h.issue(await h.visitor(), 45);
    client.send({ v: 1, type: 'validate_code', code: session.code, requestId: 'v1' });
    expect(await client.next('code_valid')).toMatchObject({ sessionId: session.id, allottedSeconds: 2700, remainingSeconds: 2700, requestId: 'v1' });
    client.send({ v: 1, type: 'start_session', code: session.code });
    await client.next('session_started');
    client.send({ v: 1, type: 'end_session', sessionId: session.id, requestId: 'bye' });
    expect(await client.next('ended')).toMatchObject({ sessionId: session.id, endReason: 'ended_by_visitor' });
  });

  it('answers a wrong code with the domain error and the per-station lockout shared with REST', async () => {
    const station = await h.station();
    const client = await h.connectStation(station.token);
    await client.next('connection_established');
    for (let i = 0; i < 4; i += 1) {
      client.send({ v: 1, type: 'validate_code', code: 'ZZZZ-ZZZZ', requestId: `w${i}` });
      expect(await client.next('error')).toMatchObject({ code: 'CODE_REJECTED', requestId: `w${i}`, for: 'validate_code' });
    }
    // The fifth wrong code goes through REST: the same counter trips the lockout.
    const rest = await h.post('/api/sessions/validate-code', station.headers, { code: 'ZZZZ-ZZZZ' });
    expect(rest.statusCode).toBe(400);
    client.send({ v: 1, type: 'start_session', code: 'ZZZZ-ZZZZ', requestId: 'locked' });
    expect(await client.next('error')).toMatchObject({ code: 'STATION_LOCKED_OUT', requestId: 'locked', retryAfterSeconds: 30 });
    const lockouts = await h.db.selectFrom('audit_events').select('action').where('action', '=', 'station.locked_out').execute();
    expect(lockouts).toHaveLength(1);
  });

  it('refuses to end a session of another station', async () => {
    const { sessionId } = await startedOn();
    const other = await h.station();
    const client = await h.connectStation(other.token);
    await client.next('connection_established');
    client.send({ v: 1, type: 'end_session', sessionId });
    expect(await client.next('error')).toMatchObject({ code: 'SESSION_NOT_ON_THIS_STATION' });
  });

  it('greets a reconnecting station with its running session', async () => {
    const { client, sessionId, endsAt } = await startedOn();
    client.close();
    await client.closed;
    const station = await h.db.selectFrom('sessions').select('station_id').where('id', '=', sessionId).executeTakeFirstOrThrow();
    const token = await (await import('../../api/auth/auth-service.ts')).issueStationToken(h.ctx, station.station_id!);
    h.clock.advance(2 * MIN);
    const again = await h.connectStation(token);
    expect(await again.next('connection_established')).toMatchObject({
      station: { state: 'occupied' },
      session: { id: sessionId, status: 'active', endsAt: iso(endsAt), remainingSeconds: 28 * 60 },
      serverTime: iso(h.clock.now()),
    });
  });
});
