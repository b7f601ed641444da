import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertInto } from '../../api/testing/broken-db.ts';
import { createSessionHarness, withFailingDb, type SessionHarness, type WireSession } from './session-routes-kit.ts';

let h: SessionHarness;
beforeEach(async () => {
  h = await createSessionHarness();
});
afterEach(async () => {
  await h.close();
});

const MIN = 60_000;

/** A session running on a station of its own, 60 minutes. */
async function running() {
  const station = await h.station();
  const s = await h.issue(await h.visitor());
  const res = await h.call('POST', '/api/sessions/start', station.headers, { code: s.code });
  return { station, session: res.json<WireSession>() };
}

describe('POST /api/sessions/:id/start (operator starts an unused code)', () => {
  it('starts it on the chosen station', async () => {
    const station = await h.station();
    const s = await h.issue(await h.visitor());
    const res = await h.call('POST', `/api/sessions/${s.id}/start`, h.marie, { stationId: station.id });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'active', stationId: station.id });
    const [event] = (await h.actions()).filter((e) => e.action === 'session.started');
    expect(event).toMatchObject({ actor_type: 'operator', target_id: s.id });
  });

  it('answers 400, 404, 409 and refuses stations', async () => {
    const { station, session } = await running();
    const other = await h.station();
    expect((await h.call('POST', `/api/sessions/${session.id}/start`, h.marie, {})).json().errors[0].field).toBe('body.stationId');
    expect((await h.call('POST', '/api/sessions/999/start', h.marie, { stationId: other.id })).statusCode).toBe(404);
    const again = await h.call('POST', `/api/sessions/${session.id}/start`, h.marie, { stationId: other.id });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('SESSION_STATE_CONFLICT');
    const reserved = await h.issue(await h.visitor({ phone: '0692 99 88 77' }), { boundStationId: station.id });
    expect((await h.call('POST', `/api/sessions/${reserved.id}/start`, h.marie, { stationId: other.id })).json().code).toBe('SESSION_BOUND_ELSEWHERE');
    expect((await h.call('POST', `/api/sessions/${reserved.id}/start`, other.headers, { stationId: other.id })).statusCode).toBe(403);
  });
});

describe('add-time and remove-time', () => {
  it('moves the deadline of a running session and audits it', async () => {
    const { session } = await running();
    const added = await h.call('POST', `/api/sessions/${session.id}/add-time`, h.marie, { minutes: 15 });
    expect(added.statusCode).toBe(200);
    expect(added.json()).toMatchObject({ allottedSeconds: 75 * 60, remainingSeconds: 75 * 60, endsAt: new Date(h.clock.now() + 75 * MIN).toISOString() });
    const removed = await h.call('POST', `/api/sessions/${session.id}/remove-time`, h.marie, { minutes: 30 });
    expect(removed.json()).toMatchObject({ allottedSeconds: 45 * 60, remainingSeconds: 45 * 60 });
    const actions = (await h.actions()).map((e) => e.action);
    expect(actions.slice(-2)).toEqual(['session.time_added', 'session.time_removed']);
  });

  it('validates minutes (400), refuses too large a removal and an ended session (409), an unknown one (404)', async () => {
    const { session } = await running();
    for (const minutes of [0, 1.5, 721, null]) {
      const res = await h.call('POST', `/api/sessions/${session.id}/add-time`, h.marie, { minutes });
      expect(res.statusCode, String(minutes)).toBe(400);
      expect(res.json().errors[0].field).toBe('body.minutes');
    }
    expect((await h.call('POST', `/api/sessions/${session.id}/remove-time`, h.marie, { minutes: 60 })).json().code).toBe('TIME_REMOVAL_TOO_LARGE');
    await h.call('POST', `/api/sessions/${session.id}/end`, h.marie);
    const late = await h.call('POST', `/api/sessions/${session.id}/add-time`, h.marie, { minutes: 5 });
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('SESSION_STATE_CONFLICT');
    expect((await h.call('POST', '/api/sessions/999/add-time', h.marie, { minutes: 5 })).statusCode).toBe(404);
  });

  it('is for operators: a station cannot give itself time', async () => {
    const { station, session } = await running();
    expect((await h.call('POST', `/api/sessions/${session.id}/add-time`, station.headers, { minutes: 5 })).statusCode).toBe(403);
    expect((await h.call('POST', `/api/sessions/${session.id}/add-time`, {}, { minutes: 5 })).statusCode).toBe(401);
  });

  it('answers 503 and changes nothing when the audit write fails', async () => {
    const { session } = await running();
    const res = await withFailingDb(h, insertInto('audit_events'), () => h.call('POST', `/api/sessions/${session.id}/add-time`, h.marie, { minutes: 5 }));
    expect(res.statusCode).toBe(503);
    expect((await h.call('GET', `/api/sessions/${session.id}`, h.marie)).json().allottedSeconds).toBe(3600);
  });
});

describe('suspend and resume', () => {
  it('freezes the time while suspended and gives it back on resume', async () => {
    const { session } = await running();
    h.clock.advance(10 * MIN);
    const suspended = await h.call('POST', `/api/sessions/${session.id}/suspend`, h.marie);
    expect(suspended.statusCode).toBe(200);
    expect(suspended.json()).toMatchObject({ status: 'suspended', remainingSeconds: 50 * 60, endsAt: null, suspendedAt: new Date(h.clock.now()).toISOString() });
    h.clock.advance(5 * MIN);
    const marie = await h.bearer('marie');
    const resumed = await h.call('POST', `/api/sessions/${session.id}/resume`, marie);
    expect(resumed.json()).toMatchObject({ status: 'active', remainingSeconds: 50 * 60, endsAt: new Date(h.clock.now() + 50 * MIN).toISOString() });
  });

  it('answers 409 for an illegal transition, 404 for an unknown session, 403 for a station', async () => {
    const { station, session } = await running();
    const resume = await h.call('POST', `/api/sessions/${session.id}/resume`, h.marie);
    expect(resume.statusCode).toBe(409);
    expect(resume.json()).toMatchObject({ code: 'SESSION_STATE_CONFLICT', details: { from: 'active', action: 'resume' } });
    const pending = await h.issue(await h.visitor({ phone: '0692 99 88 77' }));
    expect((await h.call('POST', `/api/sessions/${pending.id}/suspend`, h.marie)).statusCode).toBe(409);
    expect((await h.call('POST', '/api/sessions/999/suspend', h.marie)).statusCode).toBe(404);
    expect((await h.call('POST', `/api/sessions/${session.id}/suspend`, station.headers)).statusCode).toBe(403);
    expect((await h.call('POST', `/api/sessions/${session.id}/resume`)).statusCode).toBe(401);
  });
});

describe('POST /api/sessions/:id/end', () => {
  it('ends as the operator', async () => {
    const { session } = await running();
    const res = await h.call('POST', `/api/sessions/${session.id}/end`, h.marie);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ended', endReason: 'ended_by_operator' });
  });

  it("lets a station end its own session as the visitor, never another station's", async () => {
    const mine = await running();
    const theirs = await running();
    const foreign = await h.call('POST', `/api/sessions/${theirs.session.id}/end`, mine.station.headers);
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().code).toBe('SESSION_NOT_ON_THIS_STATION');
    expect((await h.call('POST', '/api/sessions/999/end', mine.station.headers)).statusCode).toBe(403);
    const own = await h.call('POST', `/api/sessions/${mine.session.id}/end`, mine.station.headers);
    expect(own.json()).toMatchObject({ status: 'ended', endReason: 'ended_by_visitor' });
    const twice = await h.call('POST', `/api/sessions/${mine.session.id}/end`, mine.station.headers);
    expect(twice.statusCode).toBe(409);
    expect((await h.call('GET', `/api/sessions/${theirs.session.id}`, h.marie)).json().status).toBe('active');
  });

  it('answers 404 to an operator for an unknown session, 400 for a bad id, 401 anonymous', async () => {
    expect((await h.call('POST', '/api/sessions/999/end', h.marie)).statusCode).toBe(404);
    expect((await h.call('POST', '/api/sessions/0/end', h.marie)).json().errors[0].field).toBe('params.id');
    expect((await h.call('POST', '/api/sessions/1/end')).statusCode).toBe(401);
  });
});

describe('GET /api/sessions/:id/time-remaining', () => {
  it('gives the time left, the deadline and the server clock to the station and to operators', async () => {
    const { station, session } = await running();
    h.clock.advance(90_500);
    const res = await h.call('GET', `/api/sessions/${session.id}/time-remaining`, station.headers);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      sessionId: session.id,
      status: 'active',
      remainingSeconds: 3600 - 90,
      endsAt: session.endsAt,
      serverNow: new Date(h.clock.now()).toISOString(),
    });
    expect((await h.call('GET', `/api/sessions/${session.id}/time-remaining`, h.marie)).json().remainingSeconds).toBe(3510);
  });

  it("refuses another station's session (403), answers operators 404 for an unknown one", async () => {
    const mine = await running();
    const other = await h.station();
    const res = await h.call('GET', `/api/sessions/${mine.session.id}/time-remaining`, other.headers);
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('SESSION_NOT_ON_THIS_STATION');
    expect((await h.call('GET', '/api/sessions/999/time-remaining', h.marie)).statusCode).toBe(404);
    expect((await h.call('GET', '/api/sessions/x/time-remaining', h.marie)).statusCode).toBe(400);
    expect((await h.call('GET', `/api/sessions/${mine.session.id}/time-remaining`)).statusCode).toBe(401);
  });
});
