import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addTime, resumeSession, startSession, suspendSession } from '../sessions/sessions-service.ts';
import { insertStation, insertUser, issue, makeKit, MIN, operator, type Kit } from '../sessions/session-test-kit.ts';
import { failingWhen } from '../testing/broken-db.ts';
import { DeadlineScheduler, type DeadlineWarning } from './deadline-scheduler.ts';
import { FakeTimers } from './fake-timers.ts';
import { RealtimeFeed } from './realtime-feed.ts';
import { silentLog } from './realtime-log.ts';

let kit: Kit;
let timers: FakeTimers;
let feed: RealtimeFeed;
let scheduler: DeadlineScheduler;
let warnings: Array<DeadlineWarning & { at: number }>;

function wire(k: Kit): void {
  timers = new FakeTimers(k.clock);
  feed = new RealtimeFeed(k.ctx, silentLog);
  warnings = [];
  scheduler = new DeadlineScheduler({ ctx: k.ctx, timers, warningSeconds: [300, 120, 60, 30, 10], onWarning: (w) => warnings.push({ ...w, at: k.clock.now() }), log: silentLog });
  feed.add(scheduler);
  feed.start();
  timers.settle = async () => {
    await feed.settled();
    await scheduler.settled();
    await feed.settled();
  };
}

beforeEach(async () => {
  kit = await makeKit();
  wire(kit);
  await scheduler.start();
});
afterEach(async () => {
  scheduler.stop();
  feed.stop();
  await kit.db.destroy();
});

async function started(minutes: number): Promise<{ id: number; endsAt: number; stationId: number }> {
  const stationId = await insertStation(kit.db);
  const s = await issue(kit, await insertUser(kit.db), { durationMinutes: minutes });
  const view = await startSession(kit.ctx, s.code, stationId);
  await timers.settle();
  return { id: view.id, endsAt: view.endsAt!, stationId };
}

const row = (id: number) => kit.db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('deadline scheduler', () => {
  it('fires the five warnings at their instants, then expires the session at its deadline', async () => {
    const s = await started(10);
    expect(scheduler.armed()).toEqual([{ sessionId: s.id, endsAt: s.endsAt, nextAt: s.endsAt - 5 * MIN }]);
    await timers.advance(10 * MIN);
    expect(warnings.map((w) => [w.secondsLeft, s.endsAt - w.at])).toEqual([
      [300, 300_000],
      [120, 120_000],
      [60, 60_000],
      [30, 30_000],
      [10, 10_000],
    ]);
    expect(warnings.every((w) => w.sessionId === s.id && w.stationId === s.stationId && w.endsAt === s.endsAt)).toBe(true);
    const ended = await row(s.id);
    expect(ended).toMatchObject({ status: 'ended', end_reason: 'expired', ended_at: s.endsAt });
    expect(scheduler.armed()).toEqual([]);
  });

  it('re-arms on added time: no expiry at the old deadline, the warnings again before the new one', async () => {
    const s = await started(10);
    await timers.advance(9 * MIN); // 300, 120 and 60 s warnings sent
    await addTime(kit.ctx, s.id, 15, operator);
    await timers.settle();
    expect(scheduler.armed()[0]).toMatchObject({ endsAt: s.endsAt + 15 * MIN, nextAt: s.endsAt + 10 * MIN });
    await timers.advance(2 * MIN);
    expect((await row(s.id)).status).toBe('active');
    await timers.advance(14 * MIN);
    expect(warnings.map((w) => w.secondsLeft)).toEqual([300, 120, 60, 300, 120, 60, 30, 10]);
    expect(await row(s.id)).toMatchObject({ status: 'ended', end_reason: 'expired', ended_at: s.endsAt + 15 * MIN });
  });

  it('disarms while suspended and re-arms on resume with the time that was left', async () => {
    const s = await started(10);
    await timers.advance(2 * MIN);
    await suspendSession(kit.ctx, s.id, operator);
    await timers.settle();
    expect(scheduler.armed()).toEqual([]);
    await timers.advance(60 * MIN);
    expect(warnings).toEqual([]);
    expect((await row(s.id)).status).toBe('suspended');
    await resumeSession(kit.ctx, s.id, operator);
    await timers.settle();
    const newEnd = kit.clock.now() + 8 * MIN;
    expect(scheduler.armed()).toEqual([{ sessionId: s.id, endsAt: newEnd, nextAt: newEnd - 5 * MIN }]);
    await timers.advance(8 * MIN);
    expect(warnings).toHaveLength(5);
    expect(await row(s.id)).toMatchObject({ status: 'ended', end_reason: 'expired', ended_at: newEnd });
  });

  it('sends only the most urgent warning when its timer runs late', async () => {
    const s = await started(10);
    kit.clock.set(s.endsAt - 20_000); // the event loop stalled through three warnings
    await timers.advance(0);
    expect(warnings.map((w) => w.secondsLeft)).toEqual([30]);
    await timers.advance(20_000);
    expect(warnings.map((w) => w.secondsLeft)).toEqual([30, 10]);
    expect((await row(s.id)).ended_at).toBe(s.endsAt);
  });

  it('rebuilds from the database: overdue sessions end at their deadline, the others are armed', async () => {
    const a = await started(10);
    const b = await started(30);
    scheduler.stop();
    feed.stop();
    kit.clock.advance(20 * MIN);
    wire(kit);
    await scheduler.start();
    expect(await row(a.id)).toMatchObject({ status: 'ended', end_reason: 'expired', ended_at: a.endsAt });
    expect(scheduler.armed()).toEqual([{ sessionId: b.id, endsAt: b.endsAt, nextAt: b.endsAt - 5 * MIN }]);
  });

  it('retries an expiry the database refused, still dating the end at the deadline', async () => {
    const s = await started(5);
    let failing = true;
    const broken = failingWhen(kit.db, (node) => failing && node.kind === 'UpdateQueryNode');
    scheduler.stop();
    feed.stop();
    wire({ ...kit, ctx: { ...kit.ctx, db: broken } });
    await scheduler.start();
    await timers.advance(5 * MIN + 500);
    expect((await row(s.id)).status).toBe('active');
    failing = false;
    await timers.advance(500);
    expect(await row(s.id)).toMatchObject({ status: 'ended', end_reason: 'expired', ended_at: s.endsAt });
  });
});
