import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../api/audit/audit-verify.ts';
import { createSessionHarness, type SessionHarness } from './session-routes-kit.ts';

let h: SessionHarness;
beforeEach(async () => {
  h = await createSessionHarness();
});
afterEach(async () => {
  await h.close();
});

const MIN = 60_000;

describe('a visit from ticket to lock screen, over HTTP', () => {
  it('issue -> station validates -> station starts -> operator adds time -> suspends -> resumes -> station ends, with an intact audit chain', async () => {
    const station = await h.station();
    const userId = await h.visitor();
    const ok = async (method: string, url: string, headers: Record<string, string>, payload?: unknown) => {
      const res = await h.call(method, url, headers, payload);
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
      return res.json();
    };

    const issued = await ok('POST', '/api/sessions', h.marie, { userId, durationMinutes: 60 });
    const typed = issued.code.toLowerCase().replace('-', '');
    expect(await ok('POST', '/api/sessions/validate-code', station.headers, { code: typed })).toMatchObject({ id: issued.id, status: 'pending' });
    const started = await ok('POST', '/api/sessions/start', station.headers, { code: typed });
    expect(started).toMatchObject({ status: 'active', stationId: station.id });
    const stationState = async () => (await h.db.selectFrom('stations').select('state').where('id', '=', station.id).executeTakeFirstOrThrow()).state;
    expect(await stationState()).toBe('occupied');

    h.clock.advance(20 * MIN);
    // Access tokens last 15 minutes: log in again as the visit goes on.
    let marie = await h.bearer('marie');
    expect(await ok('POST', `/api/sessions/${issued.id}/add-time`, marie, { minutes: 15 })).toMatchObject({ remainingSeconds: 55 * 60 });
    h.clock.advance(5 * MIN);
    expect(await ok('POST', `/api/sessions/${issued.id}/suspend`, marie)).toMatchObject({ status: 'suspended', remainingSeconds: 50 * 60 });
    h.clock.advance(10 * MIN);
    expect(await ok('GET', `/api/sessions/${issued.id}/time-remaining`, station.headers)).toMatchObject({ status: 'suspended', remainingSeconds: 50 * 60, endsAt: null });
    marie = await h.bearer('marie');
    expect(await ok('POST', `/api/sessions/${issued.id}/resume`, marie)).toMatchObject({ status: 'active', remainingSeconds: 50 * 60 });
    h.clock.advance(10 * MIN);
    const ended = await ok('POST', `/api/sessions/${issued.id}/end`, station.headers);
    expect(ended).toMatchObject({ status: 'ended', endReason: 'ended_by_visitor', allottedSeconds: 75 * 60, elapsedSeconds: 35 * 60, remainingSeconds: 40 * 60 });

    expect(await stationState()).toBe('available');
    const live = await ok('GET', '/api/sessions/live', marie);
    expect(live.items).toEqual([]);
    const trail = (await h.actions()).filter((e) => e.action.startsWith('session.') && e.target_id === issued.id).map((e) => `${e.action}:${e.actor_type}`);
    expect(trail).toEqual([
      'session.code_generated:operator',
      'session.started:station',
      'session.time_added:operator',
      'session.suspended:operator',
      'session.resumed:operator',
      'session.ended:station',
    ]);
    const chain = await verifyAuditChain(h.db);
    expect(chain).toMatchObject({ ok: true });
    expect(chain.checked).toBe((await h.actions()).length);
  });
});
