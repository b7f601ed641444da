import { afterEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../../api/db/open-sqlite.ts';
import { FakeClock } from '../../api/shared/clock.ts';
import { createTestDbFile } from '../../api/testing/test-db.ts';
import { createRealtimeHarness, MIN, type RealtimeHarness } from './realtime-harness.ts';
import type { TestClient } from './ws-client.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function harness(options: Parameters<typeof createRealtimeHarness>[0] = {}): Promise<RealtimeHarness> {
  const h = await createRealtimeHarness(options);
  cleanups.push(() => h.close());
  return h;
}

async function runningSession(h: RealtimeHarness, minutes: number): Promise<{ client: TestClient; token: string; sessionId: number; endsAt: number }> {
  const station = await h.station();
  const client = await h.connectStation(station.token);
  await client.next('connection_established');
  const session = await h.issue(await h.visitor(), minutes);
  client.send({ v: 1, type: 'start_session', code: session.code });
  const started = await client.next('session_started');
  return { client, token: station.token, sessionId: session.id, endsAt: Date.parse(String(started.endsAt)) };
}

const sessionRow = (h: RealtimeHarness, id: number) => h.db.selectFrom('sessions').select(['status', 'end_reason', 'ended_at', 'ends_at']).where('id', '=', id).executeTakeFirstOrThrow();

describe('deadlines over the station channel', () => {
  it('warns the station at 5 min, 2 min, 1 min, 30 s and 10 s, then ends the session at its deadline', async () => {
    const h = await harness();
    const { client, sessionId, endsAt } = await runningSession(h, 6);
    await h.beating(client, 6 * MIN);
    const ended = await client.next('ended');
    const warnings = client.all('warning');
    expect(warnings.map((w) => [w.secondsLeft, w.serverTime, w.endsAt])).toEqual(
      [300, 120, 60, 30, 10].map((s) => [s, iso(endsAt - s * 1000), iso(endsAt)]),
    );
    expect(ended).toMatchObject({ sessionId, status: 'ended', endReason: 'expired', remainingSeconds: 0, serverTime: iso(endsAt) });
    expect(await sessionRow(h, sessionId)).toEqual({ status: 'ended', end_reason: 'expired', ended_at: endsAt, ends_at: null });
  });

  it('follows the configured warning list', async () => {
    const h = await harness({ warningSeconds: '90,15' });
    const { client, endsAt } = await runningSession(h, 3);
    expect(client.received[0]).toMatchObject({ warningSeconds: [90, 15] });
    await h.beating(client, 3 * MIN);
    await client.next('ended');
    expect(client.all('warning').map((w) => [w.secondsLeft, w.serverTime])).toEqual([
      [90, iso(endsAt - 90_000)],
      [15, iso(endsAt - 15_000)],
    ]);
  });

  it('re-arms on time added from the panel and stops the countdown while suspended', async () => {
    const h = await harness();
    const { client, sessionId } = await runningSession(h, 6);
    await h.beating(client, 4 * MIN + 30_000); // 300 and 120 s warnings sent
    await h.post(`/api/sessions/${sessionId}/add-time`, h.marie, { minutes: 10 });
    await client.next('time_added');
    await h.beating(client, 2 * MIN);
    expect((await sessionRow(h, sessionId)).status).toBe('active');
    await h.post(`/api/sessions/${sessionId}/suspend`, h.marie);
    await client.next('suspended');
    await h.beating(client, 30 * MIN);
    expect(client.all('warning').map((w) => w.secondsLeft)).toEqual([300, 120]);
    expect(client.all('ended')).toEqual([]);
    expect(h.app.realtime.scheduler.armed()).toEqual([]);
    expect((await sessionRow(h, sessionId)).status).toBe('suspended');
  });
});

describe('restart', () => {
  it('ends overdue sessions at their deadline and resumes the others with the right time left', async () => {
    const file = await createTestDbFile();
    cleanups.push(() => file.cleanup());
    const clock = new FakeClock();
    const first = await createRealtimeHarness({ db: file.db, clock });
    const short = await runningSession(first, 10);
    const long = await runningSession(first, 60);
    await first.beating(long.client, 3 * MIN);
    await first.close();
    await file.db.destroy();

    // The box was down for 20 minutes.
    clock.advance(20 * MIN);
    const db = openSqlite({ path: file.path });
    cleanups.push(() => db.destroy());
    const second = await harness({ db, clock, seedOperators: false });
    expect(await sessionRow(second, short.sessionId)).toEqual({ status: 'ended', end_reason: 'expired', ended_at: short.endsAt, ends_at: null });
    expect(await sessionRow(second, long.sessionId)).toMatchObject({ status: 'active', ends_at: long.endsAt });
    expect(second.app.realtime.scheduler.armed()).toEqual([{ sessionId: long.sessionId, endsAt: long.endsAt, nextAt: long.endsAt - 5 * MIN }]);

    const back = await second.connectStation(long.token);
    expect(await back.next('connection_established')).toMatchObject({ session: { id: long.sessionId, status: 'active', endsAt: iso(long.endsAt), remainingSeconds: 37 * 60 } });
    await second.beating(back, long.endsAt - clock.now());
    expect(await back.next('ended')).toMatchObject({ endReason: 'expired' });
    expect(back.all('warning').map((w) => w.secondsLeft)).toEqual([300, 120, 60, 30, 10]);
    expect(await sessionRow(second, long.sessionId)).toMatchObject({ status: 'ended', ended_at: long.endsAt });
  });
});
