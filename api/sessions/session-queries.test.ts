import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cancelSession, endSession, suspendSession } from './session-lifecycle.ts';
import { getSession, listSessions, liveSessions, sessionForStation, timeRemaining, type SessionListQuery } from './session-queries.ts';
import { insertStation, insertUser, issue, makeKit, MIN, operator, type Kit } from './session-test-kit.ts';
import { startSession } from './start-session.ts';

let kit: Kit;
let alice: number;
let bob: number;
let s1: number;
let s2: number;
const ids: Record<string, number> = {};

/** Five 4-hour sessions issued an hour apart from 08:00 UTC: two of Alice's ended, one running on s2, one suspended on s1, one pending. */
beforeEach(async () => {
  kit = await makeKit({ dailyQuota: 10 });
  alice = await insertUser(kit.db);
  bob = await insertUser(kit.db);
  s1 = await insertStation(kit.db);
  s2 = await insertStation(kit.db);
  const step = async (name: string, userId: number, then: (id: number, code: string) => Promise<unknown>) => {
    const v = await issue(kit, userId, { durationMinutes: 240 });
    ids[name] = v.id;
    await then(v.id, v.code);
    kit.clock.advance(60 * MIN);
  };
  await step('cancelled', alice, (id) => cancelSession(kit.ctx, id, operator));
  await step('ended', alice, async (id, code) => {
    await startSession(kit.ctx, code, s1);
    await endSession(kit.ctx, id, 'ended_by_visitor', operator);
  });
  await step('active', bob, (_id, code) => startSession(kit.ctx, code, s2));
  await step('suspended', alice, async (id, code) => {
    await startSession(kit.ctx, code, s1);
    await suspendSession(kit.ctx, id, operator);
  });
  await step('pending', bob, async () => undefined);
});
afterEach(async () => {
  await kit.db.destroy();
});

const listIds = async (q: SessionListQuery) => (await listSessions(kit.ctx, q)).items.map((v) => v.id);

describe('listSessions', () => {
  it('lists newest first by default with the total', async () => {
    const page = await listSessions(kit.ctx);
    expect(page.items.map((v) => v.id)).toEqual([ids.pending, ids.suspended, ids.active, ids.ended, ids.cancelled]);
    expect(page).toMatchObject({ total: 5, page: 1, pageSize: 50 });
  });

  it('filters by status, visitor, station, period and end reason', async () => {
    expect(await listIds({ status: 'ended', order: 'asc' })).toEqual([ids.cancelled, ids.ended]);
    expect(await listIds({ status: ['active', 'suspended'], order: 'asc' })).toEqual([ids.active, ids.suspended]);
    expect(await listIds({ userId: bob, order: 'asc' })).toEqual([ids.active, ids.pending]);
    expect(await listIds({ stationId: s1, order: 'asc' })).toEqual([ids.ended, ids.suspended]);
    expect(await listIds({ endReason: 'cancelled' })).toEqual([ids.cancelled]);
    const t0 = Date.parse('2026-03-02T08:00:00Z');
    expect(await listIds({ from: t0 + 60 * MIN, to: t0 + 3 * 60 * MIN, order: 'asc' })).toEqual([ids.ended, ids.active]);
    expect(await listIds({ userId: alice, status: 'ended', endReason: ['ended_by_visitor', 'expired'] })).toEqual([ids.ended]);
  });

  it('sorts by start time and pages without overlap', async () => {
    expect(await listIds({ sort: 'started_at', order: 'desc', status: ['active', 'suspended', 'ended'] })).toEqual([ids.suspended, ids.active, ids.ended, ids.cancelled]);
    expect(await listIds({ sort: 'started_at', order: 'asc', status: ['active', 'suspended', 'ended'] })).toEqual([ids.ended, ids.active, ids.suspended, ids.cancelled]);
    expect(await listIds({ sort: 'ended_at', order: 'desc' })).toEqual([ids.ended, ids.cancelled, ids.pending, ids.suspended, ids.active]);
    const p1 = await listSessions(kit.ctx, { pageSize: 2, page: 1, order: 'asc' });
    const p3 = await listSessions(kit.ctx, { pageSize: 2, page: 3, order: 'asc' });
    expect(p1.items.map((v) => v.id)).toEqual([ids.cancelled, ids.ended]);
    expect(p3).toMatchObject({ total: 5, page: 3, pageSize: 2 });
    expect(p3.items.map((v) => v.id)).toEqual([ids.pending]);
  });

  it('gives each filter set the same rows as the single view when asked again among others (queries compiled once per shape)', async () => {
    const t0 = Date.parse('2026-03-02T08:00:00Z');
    const sets: SessionListQuery[] = [
      {}, { status: 'ended' }, { status: ['active', 'suspended'] }, { status: ['pending', 'active', 'suspended'], order: 'asc' }, { userId: bob },
      { stationId: s1, status: ['active', 'suspended'] }, { from: t0 + 60 * MIN }, { to: t0 + 60 * MIN }, { from: t0, to: t0 + 2 * 60 * MIN, endReason: 'cancelled' },
      { endReason: ['ended_by_visitor', 'cancelled'], sort: 'ended_at' }, { sort: 'id', order: 'asc', pageSize: 2, page: 2 },
    ];
    const first = [];
    for (const q of sets) first.push(await listSessions(kit.ctx, q));
    for (const page of first) for (const v of page.items) expect(v).toEqual(await getSession(kit.ctx, v.id));
    expect(first[3]!.items.map((v) => v.id)).toEqual([ids.active, ids.suspended, ids.pending]);
    for (const [i, q] of [...sets.entries()].reverse()) expect(await listSessions(kit.ctx, q)).toEqual(first[i]);
  });

  it.each<[SessionListQuery, string]>([
    [{ status: 'running' as never }, 'FILTER_INVALID'],
    [{ status: [] }, 'FILTER_INVALID'],
    [{ endReason: 'timeout' as never }, 'FILTER_INVALID'],
    [{ sort: 'code' as never }, 'FILTER_INVALID'],
    [{ order: 'up' as never }, 'FILTER_INVALID'],
    [{ userId: 0 }, 'ID_INVALID'],
    [{ from: 10, to: 10 }, 'PERIOD_INVALID'],
    [{ from: 1.5 }, 'PERIOD_INVALID'],
    [{ pageSize: 500 }, 'PAGE_SIZE_INVALID'],
  ])('refuses %o', async (query, code) => {
    await expect(listSessions(kit.ctx, query)).rejects.toMatchObject({ code, category: 'invalid' });
  });
});

describe('live views', () => {
  it('liveSessions gives pending, active and suspended sessions with their timing', async () => {
    kit.clock.advance(10 * MIN);
    const live = await liveSessions(kit.ctx);
    expect(live.map((v) => [v.id, v.status])).toEqual([
      [ids.active, 'active'],
      [ids.suspended, 'suspended'],
      [ids.pending, 'pending'],
    ]);
    // Started at 10:00, now 13:10: 190 minutes used of 240.
    expect(live[0]).toMatchObject({ elapsedMs: 190 * MIN, remainingMs: 50 * MIN, computedAt: kit.clock.now() });
    expect(live[0]!.code).toMatch(/^.{4}-.{4}$/);
  });

  it('sessionForStation returns what runs there, suspended included, or null', async () => {
    expect((await sessionForStation(kit.ctx, s2))?.id).toBe(ids.active);
    expect((await sessionForStation(kit.ctx, s1))?.id).toBe(ids.suspended);
    const free = await insertStation(kit.db);
    expect(await sessionForStation(kit.ctx, free)).toBeNull();
    await endSession(kit.ctx, ids.active!, 'ended_by_operator', operator);
    expect(await sessionForStation(kit.ctx, s2)).toBeNull();
  });

  it('timeRemaining gives the deadline and the server time', async () => {
    const active = await getSession(kit.ctx, ids.active!);
    kit.clock.advance(5 * MIN);
    const now = kit.clock.now();
    expect(await timeRemaining(kit.ctx, ids.active!)).toEqual({
      sessionId: ids.active,
      status: 'active',
      remainingMs: active.endsAt! - now,
      endsAt: active.endsAt,
      serverNow: now,
    });
    expect(await timeRemaining(kit.ctx, ids.suspended!)).toMatchObject({ status: 'suspended', endsAt: null, remainingMs: 240 * MIN });
  });

  it('getSession and timeRemaining say when a session does not exist', async () => {
    await expect(getSession(kit.ctx, 999)).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
    await expect(timeRemaining(kit.ctx, 999)).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND' });
  });
});
