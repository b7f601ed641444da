import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createRealtimeHarness, MIN, type RealtimeHarness } from './realtime-harness.ts';

let h: RealtimeHarness;
beforeAll(async () => {
  h = await createRealtimeHarness();
});
afterAll(async () => {
  await h.close();
});

const beat = { v: 1, type: 'heartbeat', uptimeSeconds: 1, load: 0 };
const actionsOf = async (stationId: number) =>
  (await h.db.selectFrom('audit_events').select(['action', 'target_id']).where('target_type', '=', 'station').where('target_id', '=', stationId).orderBy('id').execute()).map((r) => r.action);

describe('station channel: silence, reconnection, offline replay', () => {
  it('keeps a beating station online, marks a silent one offline at the timeout, and brings it back on reconnection', async () => {
    const station = await h.station();
    const client = await h.connectStation(station.token);
    await client.next('connection_established');
    await h.timers.advance(20_000);
    client.send(beat);
    await client.next('heartbeat_ack');
    await h.timers.advance(29_000);
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    expect(await actionsOf(station.id)).not.toContain('station.went_offline');

    await h.timers.advance(1_001); // 30 s and 1 ms after the last heartbeat
    expect(await client.closed).toEqual({ code: 4008, reason: 'no heartbeat' });
    await h.settle();
    expect(await actionsOf(station.id)).toContain('station.went_offline');
    const offline = await h.db.selectFrom('stations').select(['state', 'state_reason']).where('id', '=', station.id).executeTakeFirstOrThrow();
    expect(offline).toEqual({ state: 'offline', state_reason: 'no heartbeat' });

    const again = await h.connectStation(station.token);
    expect(await again.next('connection_established')).toMatchObject({ station: { state: 'available', stateReason: null } });
    expect((await actionsOf(station.id)).slice(-1)).toEqual(['station.came_online']);
  });

  it('applies a replayed offline logout once, however often it is replayed', async () => {
    const station = await h.station();
    const client = await h.connectStation(station.token);
    await client.next('connection_established');
    const session = await h.issue(await h.visitor(), 60);
    client.send({ v: 1, type: 'start_session', code: session.code });
    await client.next('session_started');
    client.close();
    await client.closed;

    // The visitor logged out while the box was unreachable; the agent queued it.
    h.clock.advance(5 * MIN);
    const queued = { eventId: randomUUID(), type: 'end_session', sessionId: session.id, occurredAt: new Date(h.clock.now() - MIN).toISOString() };
    const back = await h.connectStation(station.token);
    await back.next('connection_established');
    back.send({ v: 1, type: 'replay', events: [queued], requestId: 'rp-1' });
    expect(await back.next('replay_result')).toEqual({ v: 1, type: 'replay_result', requestId: 'rp-1', results: [{ eventId: queued.eventId, outcome: 'applied', code: null }] });
    expect(await back.next('ended')).toMatchObject({ sessionId: session.id, endReason: 'ended_by_visitor' });

    // The answer was lost: the agent replays the same event, plus one for a session already over.
    const stale = { ...queued, eventId: randomUUID() };
    back.send({ v: 1, type: 'replay', events: [queued, stale] });
    expect((await back.next('replay_result')).results).toEqual([
      { eventId: queued.eventId, outcome: 'duplicate', code: null },
      { eventId: stale.eventId, outcome: 'rejected', code: 'SESSION_STATE_CONFLICT' },
    ]);
    const ends = await h.db.selectFrom('audit_events').select('id').where('action', '=', 'session.ended').where('target_id', '=', session.id).execute();
    expect(ends).toHaveLength(1);
    expect(await h.db.selectFrom('sessions').select(['status', 'end_reason']).where('id', '=', session.id).executeTakeFirstOrThrow()).toEqual({ status: 'ended', end_reason: 'ended_by_visitor' });
  });
});
