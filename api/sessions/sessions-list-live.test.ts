import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cancelSession, endSession, suspendSession } from './session-lifecycle.ts';
import { listSessions, type SessionListQuery } from './session-queries.ts';
import { insertStation, insertUser, issue, makeKit, MIN, operator, type Kit } from './session-test-kit.ts';
import { startSession } from './start-session.ts';

// The live screen's list reads its own partial index (sessions-list-repository.ts):
// it must give exactly what the general path gives for the same filter.

let kit: Kit;
const ids: Record<string, number> = {};
const LIVE = ['pending', 'active', 'suspended'] as const;

beforeEach(async () => {
  kit = await makeKit({ dailyQuota: 20 });
  const alice = await insertUser(kit.db);
  const bob = await insertUser(kit.db);
  const s1 = await insertStation(kit.db);
  const s2 = await insertStation(kit.db);
  const step = async (name: string, userId: number, then: (id: number, code: string) => Promise<unknown>) => {
    const v = await issue(kit, userId, { durationMinutes: 240 });
    ids[name] = v.id;
    await then(v.id, v.code);
    kit.clock.advance(10 * MIN);
  };
  await step('pending1', alice, async () => undefined);
  await step('cancelled', alice, (id) => cancelSession(kit.ctx, id, operator));
  await step('active', bob, (_id, code) => startSession(kit.ctx, code, s2));
  await step('ended', alice, async (id, code) => {
    await startSession(kit.ctx, code, s1);
    await endSession(kit.ctx, id, 'ended_by_visitor', operator);
  });
  await step('suspended', alice, async (id, code) => {
    await startSession(kit.ctx, code, s1);
    await suspendSession(kit.ctx, id, operator);
  });
  await step('pending2', bob, async () => undefined);
});
afterEach(async () => {
  await kit.db.destroy();
});

const page = async (q: SessionListQuery) => {
  const p = await listSessions(kit.ctx, q);
  return { ids: p.items.map((v) => v.id), total: p.total };
};

describe('listSessions on the live statuses', () => {
  it('lists pending, active and suspended sessions in issue order with their total, in any status order', async () => {
    const expected = { ids: [ids.pending1, ids.active, ids.suspended, ids.pending2], total: 4 };
    expect(await page({ status: [...LIVE], order: 'asc' })).toEqual(expected);
    expect(await page({ status: ['suspended', 'pending', 'active'], order: 'asc' })).toEqual(expected);
    expect(await page({ status: [...LIVE], order: 'desc' })).toEqual({ ids: [...expected.ids].reverse(), total: 4 });
  });

  it('pages without overlap and keeps the total over all pages', async () => {
    expect(await page({ status: [...LIVE], order: 'asc', pageSize: 3, page: 1 })).toEqual({ ids: [ids.pending1, ids.active, ids.suspended], total: 4 });
    expect(await page({ status: [...LIVE], order: 'asc', pageSize: 3, page: 2 })).toEqual({ ids: [ids.pending2], total: 4 });
    expect(await page({ status: [...LIVE], order: 'asc', pageSize: 3, page: 3 })).toEqual({ ids: [], total: 4 });
  });

  it('follows changes: an ended or cancelled session leaves the list and its total', async () => {
    await endSession(kit.ctx, ids.active!, 'ended_by_operator', operator);
    await cancelSession(kit.ctx, ids.pending1!, operator);
    expect(await page({ status: [...LIVE], order: 'asc' })).toEqual({ ids: [ids.suspended, ids.pending2], total: 2 });
  });

  it('pages codes issued in the same millisecond by id, without overlap, either way', async () => {
    const batch = [];
    for (let i = 0; i < 7; i++) batch.push((await issue(kit, await insertUser(kit.db))).id);
    const all = [ids.pending1, ids.active, ids.suspended, ids.pending2, ...batch];
    const asc = [];
    for (let n = 1; n <= 4; n++) asc.push(...(await page({ status: [...LIVE], order: 'asc', pageSize: 3, page: n })).ids);
    expect(asc).toEqual(all);
    const desc = [];
    for (let n = 1; n <= 4; n++) desc.push(...(await page({ status: [...LIVE], order: 'desc', pageSize: 3, page: n })).ids);
    expect(desc).toEqual([...all].reverse());
  });

  it('combines with the other filters like the general path', async () => {
    const t0 = Date.parse('2026-03-02T08:00:00Z');
    expect(await page({ status: [...LIVE], order: 'asc', from: t0 + 15 * MIN, to: t0 + 45 * MIN })).toEqual({ ids: [ids.active, ids.suspended], total: 2 });
    const users = await page({ status: [...LIVE], order: 'asc', userId: (await listSessions(kit.ctx, { status: 'active' })).items[0]!.userId });
    expect(users).toEqual({ ids: [ids.active, ids.pending2], total: 2 });
    expect(await page({ status: [...LIVE], sort: 'started_at', order: 'asc' })).toEqual({ ids: [ids.active, ids.suspended, ids.pending1, ids.pending2], total: 4 });
  });
});
