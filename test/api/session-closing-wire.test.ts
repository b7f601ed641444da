// The panel's session DTO says when a start was capped at closing time, as the station's session_started does.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDayRanges, WEEKDAYS } from '../../api/sessions/opening-hours.ts';
import type { WeeklyHours } from '../../api/shared/domain-context.ts';
import { createSessionHarness, type SessionHarness, type WireSession } from './session-routes-kit.ts';

// Monday 2026-03-02 in Réunion (UTC+4), the harness's clock starts at 12:00 local (its logins are fresh then): open 08:30-12:10.
const re = (local: string) => Date.parse(`2026-03-02T${local}+04:00`);
const hours = Object.fromEntries(WEEKDAYS.map((d) => [d, parseDayRanges('08:30-12:10')!])) as unknown as WeeklyHours;

let h: SessionHarness;
beforeEach(async () => {
  h = await createSessionHarness();
  h.ctx.policy = { ...h.ctx.policy, openingHours: hours };
});
afterEach(async () => {
  await h.close();
});

describe('cappedAtClosing in the session DTO', () => {
  it('starts at noon local (the times below assume it)', () => {
    expect(h.clock.now()).toBe(re('12:00:00'));
  });

  it('is set with the closing time when the deadline is brought back to closing', async () => {
    const station = await h.station();
    const issued = await h.issue(await h.visitor());
    const res = await h.call('POST', '/api/sessions/start', station.headers, { code: issued.code });
    expect(res.statusCode).toBe(200);
    const body = res.json<WireSession>();
    expect(body).toMatchObject({ status: 'active', cappedAtClosing: true, closesAt: new Date(re('12:10:00')).toISOString(), endsAt: new Date(re('12:10:00')).toISOString() });
  });

  it('is absent when the session fits before closing, and on later reads', async () => {
    const station = await h.station();
    const issued = await h.issue(await h.visitor(), { durationMinutes: 5 });
    const started = await h.call('POST', `/api/sessions/${issued.id}/start`, h.marie, { stationId: station.id });
    expect(started.statusCode).toBe(200);
    expect(started.json()).not.toHaveProperty('cappedAtClosing');
    expect(started.json()).not.toHaveProperty('closesAt');
    h.clock.advance(4 * 60_000);
    const read = await h.call('GET', `/api/sessions/${issued.id}`, h.marie);
    expect(read.json()).not.toHaveProperty('cappedAtClosing');
  });

  it('is set on an operator start capped at closing', async () => {
    const station = await h.station();
    const issued = await h.issue(await h.visitor());
    const res = await h.call('POST', `/api/sessions/${issued.id}/start`, h.marie, { stationId: station.id });
    expect(res.json()).toMatchObject({ cappedAtClosing: true, closesAt: new Date(re('12:10:00')).toISOString() });
  });
});
