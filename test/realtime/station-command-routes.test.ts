import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRealtimeHarness, type RealtimeHarness } from './realtime-harness.ts';
import type { TestClient } from './ws-client.ts';

let h: RealtimeHarness;
beforeAll(async () => {
  h = await createRealtimeHarness();
});
afterAll(async () => {
  await h.close();
});

async function online(): Promise<{ id: number; agent: TestClient; headers: Record<string, string> }> {
  const station = await h.station();
  const agent = await h.connectStation(station.token);
  await agent.next('connection_established');
  return { id: station.id, agent, headers: station.headers };
}

const lastAudit = async (action: string) => {
  const row = await h.db.selectFrom('audit_events').selectAll().where('action', '=', action as 'station.message_sent').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
  return { actor: [row.actor_type, row.actor_id], target: row.target_id, metadata: JSON.parse(row.metadata) as Record<string, unknown> };
};

describe('POST /api/stations/:id/message', () => {
  it('shows the text on the station, audits it without the text, and tells the panel when the agent acks', async () => {
    const { id, agent } = await online();
    const panel = await h.connectOperator();
    await panel.next('snapshot');
    const res = await h.post(`/api/stations/${id}/message`, h.marie, { text: '  Fermeture dans 10 minutes  ' });
    expect(res.statusCode).toBe(202);
    const receipt = res.json();
    expect(receipt).toMatchObject({ stationId: id, command: 'message', sentAt: new Date(h.clock.now()).toISOString(), suspendedSessionId: null });
    const shown = await agent.next('message');
    expect(shown).toMatchObject({ commandId: receipt.commandId, text: 'Fermeture dans 10 minutes' });
    expect(await lastAudit('station.message_sent')).toEqual({ actor: ['operator', 2], target: id, metadata: { commandId: receipt.commandId, length: 25 } });
    agent.send({ v: 1, type: 'ack', commandId: receipt.commandId });
    expect(await panel.next('command_acked')).toMatchObject({ stationId: id, commandId: receipt.commandId });
  });

  it('refuses an empty or oversized text (400 naming the field), an unknown station (404), an unconnected one (409)', async () => {
    const { id } = await online();
    const empty = await h.post(`/api/stations/${id}/message`, h.marie, { text: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ code: 'STATION_MESSAGE_INVALID', errors: [{ field: 'text' }] });
    const long = await h.post(`/api/stations/${id}/message`, h.marie, { text: 'x'.repeat(501) });
    expect(long.statusCode).toBe(400);
    expect((long.json().errors as Array<{ field: string }>)[0]!.field).toContain('text');
    expect((await h.post('/api/stations/99999/message', h.marie, { text: 'Bonjour' })).json()).toMatchObject({ status: 404, code: 'STATION_NOT_FOUND' });
    const offline = await h.station();
    const res = await h.post(`/api/stations/${offline.id}/message`, h.marie, { text: 'Bonjour' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'STATION_NOT_CONNECTED' });
  });

  it('is for operators: 401 anonymous, 403 for a station', async () => {
    const { id, headers } = await online();
    expect((await h.post(`/api/stations/${id}/message`, {}, { text: 'x' })).statusCode).toBe(401);
    expect((await h.post(`/api/stations/${id}/message`, headers, { text: 'x' })).statusCode).toBe(403);
    expect((await h.post(`/api/stations/${id}/lock`, headers)).statusCode).toBe(403);
    expect((await h.post(`/api/stations/${id}/reboot`, {})).statusCode).toBe(401);
  });
});

describe('POST /api/stations/:id/lock and /reboot', () => {
  it('locks a station in use: the session is suspended with its time kept, then lock_now', async () => {
    const { id, agent } = await online();
    const session = await h.issue(await h.visitor(), 30);
    agent.send({ v: 1, type: 'start_session', code: session.code });
    await agent.next('session_started');
    const res = await h.post(`/api/stations/${id}/lock`, h.marie);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ command: 'lock', suspendedSessionId: session.id });
    expect(await agent.next('lock_now')).toMatchObject({ commandId: res.json().commandId });
    expect(await agent.next('suspended')).toMatchObject({ sessionId: session.id, remainingSeconds: 1800 });
    expect((await lastAudit('station.lock_requested')).metadata).toEqual({ commandId: res.json().commandId, suspendedSessionId: session.id });
  });

  it('refuses a reboot while a session runs (409), sends it once the station is free', async () => {
    const { id, agent } = await online();
    const session = await h.issue(await h.visitor(), 30);
    agent.send({ v: 1, type: 'start_session', code: session.code });
    await agent.next('session_started');
    const refused = await h.post(`/api/stations/${id}/reboot`, h.marie);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'STATION_SESSION_RUNNING', details: { sessionId: session.id } });
    await h.post(`/api/sessions/${session.id}/end`, h.marie, {});
    await agent.next('ended');
    const res = await h.post(`/api/stations/${id}/reboot`, h.admin);
    expect(res.statusCode).toBe(202);
    expect(await agent.next('reboot')).toMatchObject({ commandId: res.json().commandId });
    expect((await lastAudit('station.reboot_requested')).actor).toEqual(['operator', 1]);
  });
});
