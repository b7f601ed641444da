import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSessionHarness, WRONG_CODE, type SessionHarness } from './session-routes-kit.ts';

let h: SessionHarness;
beforeEach(async () => {
  h = await createSessionHarness();
});
afterEach(async () => {
  await h.close();
});

const validate = (headers: Record<string, string>, payload: unknown) => h.call('POST', '/api/sessions/validate-code', headers, payload);
const start = (headers: Record<string, string>, payload: unknown) => h.call('POST', '/api/sessions/start', headers, payload);

describe('POST /api/sessions/validate-code', () => {
  it('checks a code for the calling station without starting it, however it is typed', async () => {
    const station = await h.station();
    const s = await h.issue(await h.visitor());
    const res = await validate(station.headers, { code: s.code.toLowerCase().replace('-', ' ') });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: s.id, status: 'pending', code: s.code, remainingSeconds: 3600 });
  });

  it('lets an operator check for a named station, and requires the name', async () => {
    const station = await h.station();
    const s = await h.issue(await h.visitor());
    expect((await validate(h.marie, { code: s.code, stationId: station.id })).json().id).toBe(s.id);
    const missing = await validate(h.marie, { code: s.code });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ code: 'STATION_REQUIRED', errors: [{ field: 'stationId' }] });
  });

  it('gives a wrong code, a used code and a code reserved elsewhere the same answer', async () => {
    const [here, there] = [await h.station(), await h.station()];
    const userId = await h.visitor();
    const reserved = await h.issue(userId, { boundStationId: there.id });
    const used = await h.issue(userId);
    await start(there.headers, { code: used.code });
    const answers = await Promise.all([WRONG_CODE, reserved.code, used.code].map(async (code) => (await validate(here.headers, { code })).json()));
    for (const a of answers) expect(a).toMatchObject({ status: 400, code: 'CODE_REJECTED' });
    const strip = ({ requestId: _r, ...rest }: Record<string, unknown>) => rest;
    expect(strip(answers[1])).toEqual(strip(answers[0]));
    expect(strip(answers[2])).toEqual(strip(answers[0]));
  });

  it('refuses a malformed body or code with field details, and another station (403)', async () => {
    const [station, other] = [await h.station(), await h.station()];
    const empty = await validate(station.headers, {});
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors[0].field).toBe('body.code');
    const malformed = await validate(station.headers, { code: 'OOOO-1111' });
    expect(malformed.json()).toMatchObject({ code: 'CODE_MALFORMED', errors: [{ field: 'code' }] });
    const s = await h.issue(await h.visitor());
    const foreign = await validate(station.headers, { code: s.code, stationId: other.id });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().code).toBe('STATION_MISMATCH');
    expect((await validate({}, { code: s.code })).statusCode).toBe(401);
  });

  it('answers 409 for a station in maintenance', async () => {
    const station = await h.station();
    await h.db.updateTable('stations').set({ state: 'maintenance' }).where('id', '=', station.id).execute();
    const res = await validate(station.headers, { code: WRONG_CODE });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('STATION_UNAVAILABLE');
  });
});

describe('station lockout after wrong codes', () => {
  it('answers 429 with Retry-After after 5 wrong codes in a minute, audits it once, and grows the delay', async () => {
    const station = await h.station();
    const good = await h.issue(await h.visitor());
    for (let i = 0; i < 5; i++) expect((await validate(station.headers, { code: WRONG_CODE })).json().code).toBe('CODE_REJECTED');
    const locked = await validate(station.headers, { code: good.code });
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('30');
    expect(locked.json()).toMatchObject({ code: 'STATION_LOCKED_OUT', details: { retryAfterSeconds: 30 } });
    const startLocked = await start(station.headers, { code: good.code });
    expect(startLocked.statusCode).toBe(429);
    h.clock.advance(10_000);
    expect((await validate(station.headers, { code: good.code })).headers['retry-after']).toBe('20');
    const lockouts = () => h.actions().then((all) => all.filter((e) => e.action === 'station.locked_out'));
    expect(await lockouts()).toEqual([
      { action: 'station.locked_out', actor_type: 'system', actor_id: null, target_id: station.id, metadata: { stationId: station.id, lockedOutSeconds: 30 } },
    ]);

    h.clock.advance(20_000);
    for (let i = 0; i < 5; i++) await validate(station.headers, { code: WRONG_CODE });
    const again = await start(station.headers, { code: good.code });
    expect(again.statusCode).toBe(429);
    expect(again.headers['retry-after']).toBe('60');
    expect((await lockouts()).map((e) => e.metadata.lockedOutSeconds)).toEqual([30, 60]);

    h.clock.advance(60_000);
    expect((await start(station.headers, { code: good.code })).statusCode).toBe(200);
  });

  it('does not lock out another station, nor an operator checking codes', async () => {
    const [station, other] = [await h.station(), await h.station()];
    for (let i = 0; i < 5; i++) await validate(station.headers, { code: WRONG_CODE });
    expect((await validate(other.headers, { code: WRONG_CODE })).statusCode).toBe(400);
    for (let i = 0; i < 6; i++) expect((await validate(h.marie, { code: WRONG_CODE, stationId: other.id })).statusCode).toBe(400);
  });
});

describe('POST /api/sessions/start (code typed on a station)', () => {
  it('starts the session on the calling station', async () => {
    const station = await h.station();
    const s = await h.issue(await h.visitor(), { durationMinutes: 30 });
    const res = await start(station.headers, { code: s.code });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: s.id,
      status: 'active',
      stationId: station.id,
      stationIp: station.ip,
      startedAt: new Date(h.clock.now()).toISOString(),
      endsAt: new Date(h.clock.now() + 30 * 60_000).toISOString(),
    });
    const [started] = (await h.actions()).filter((e) => e.action === 'session.started');
    expect(started).toMatchObject({ actor_type: 'station', actor_id: station.id, target_id: s.id });
  });

  it('is for stations only, and refuses a busy station and a wrong code', async () => {
    const station = await h.station();
    const userId = await h.visitor();
    const [first, second] = [await h.issue(userId), await h.issue(userId)];
    expect((await start(h.marie, { code: first.code })).statusCode).toBe(403);
    expect((await start({}, { code: first.code })).statusCode).toBe(401);
    expect((await start(station.headers, { code: WRONG_CODE })).json().code).toBe('CODE_REJECTED');
    expect((await start(station.headers, { code: first.code })).statusCode).toBe(200);
    const busy = await start(station.headers, { code: second.code });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().code).toBe('STATION_BUSY');
    expect((await start(station.headers, { code: 'x'.repeat(40) })).json().errors[0].field).toBe('body.code');
  });
});
