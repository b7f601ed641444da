import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { suspendSession } from './session-lifecycle.ts';
import { getSession } from './session-queries.ts';
import { addTime, removeTime } from './session-time-adjust.ts';
import { insertStation, insertUser, issue, lastAudit, makeKit, MIN, operator, type Kit } from './session-test-kit.ts';
import type { SessionView } from './session-view.ts';
import { startSession } from './start-session.ts';

let kit: Kit;
let userId: number;
let station: number;
beforeEach(async () => {
  kit = await makeKit();
  userId = await insertUser(kit.db);
  station = await insertStation(kit.db);
});
afterEach(async () => {
  await kit.db.destroy();
});

type Live = 'pending' | 'active' | 'suspended';

/** A 60-minute session with 20 minutes used when it has run. */
async function inState(state: Live): Promise<SessionView> {
  const s = await issue(kit, userId, { durationMinutes: 60 });
  if (state === 'pending') return s;
  await startSession(kit.ctx, s.code, station);
  kit.clock.advance(20 * MIN);
  if (state === 'suspended') return suspendSession(kit.ctx, s.id, operator);
  return getSession(kit.ctx, s.id);
}

const LEFT: Record<Live, number> = { pending: 60 * MIN, active: 40 * MIN, suspended: 40 * MIN };

describe.each(['pending', 'active', 'suspended'] as const)('time changes on a %s session', (state) => {
  it('adds time to what is left and to the allotment, used time unchanged', async () => {
    const s = await inState(state);
    const v = await addTime(kit.ctx, s.id, 15, operator);
    expect(v).toMatchObject({ status: state, allottedMs: 75 * MIN, remainingMs: LEFT[state] + 15 * MIN, elapsedMs: s.elapsedMs });
    if (state === 'active') expect(v.endsAt).toBe(s.endsAt! + 15 * MIN);
    else expect(v.endsAt).toBeNull();
    const audit = await lastAudit(kit.db);
    expect(audit).toMatchObject({ action: 'session.time_added', actor_type: 'operator', target_id: s.id });
    expect(audit.meta).toMatchObject({ deltaMs: 15 * MIN, allottedMs: 75 * MIN, remainingMs: LEFT[state] + 15 * MIN, status: state });
  });

  it('removes time, keeping at least a minute', async () => {
    const s = await inState(state);
    const minutes = LEFT[state] / MIN - 1;
    const v = await removeTime(kit.ctx, s.id, minutes, operator);
    expect(v).toMatchObject({ status: state, remainingMs: MIN, allottedMs: 60 * MIN - minutes * MIN, elapsedMs: s.elapsedMs });
    expect(await lastAudit(kit.db)).toMatchObject({ action: 'session.time_removed', meta: { deltaMs: minutes * MIN, remainingMs: MIN } });
  });

  it.each([0, 1])('refuses to remove all that is left (+%i min), pointing to end instead', async (extra) => {
    const s = await inState(state);
    const minutes = LEFT[state] / MIN + extra;
    await expect(removeTime(kit.ctx, s.id, minutes, operator)).rejects.toMatchObject({
      code: 'TIME_REMOVAL_TOO_LARGE',
      category: 'conflict',
      details: { remainingMs: LEFT[state], deltaMs: minutes * MIN },
      en: expect.stringContaining('end it'),
      fr: expect.stringContaining('terminez-la'),
    });
    expect((await getSession(kit.ctx, s.id)).remainingMs).toBe(LEFT[state]);
  });

  it.each([0, -15, 2.5, 721])('refuses a step of %j minutes', async (minutes) => {
    const s = await inState(state);
    await expect(addTime(kit.ctx, s.id, minutes, operator)).rejects.toMatchObject({ code: 'DURATION_INVALID', fields: [expect.objectContaining({ field: 'minutes' })] });
    await expect(removeTime(kit.ctx, s.id, minutes, operator)).rejects.toMatchObject({ code: 'DURATION_INVALID' });
  });

  it('caps what is left at 12 hours', async () => {
    const s = await inState(state);
    const room = (720 * MIN - LEFT[state]) / MIN;
    await expect(addTime(kit.ctx, s.id, room + 1, operator)).rejects.toMatchObject({ code: 'SESSION_TOO_LONG' });
    expect((await addTime(kit.ctx, s.id, room, operator)).remainingMs).toBe(720 * MIN);
  });
});

describe('time changes at the deadline', () => {
  it('an active session whose time is up takes no more changes (the sweep will end it)', async () => {
    const s = await inState('active');
    kit.clock.advance(40 * MIN);
    await expect(addTime(kit.ctx, s.id, 15, operator)).rejects.toMatchObject({ code: 'SESSION_TIME_UP' });
    await expect(removeTime(kit.ctx, s.id, 1, operator)).rejects.toMatchObject({ code: 'SESSION_TIME_UP' });
  });

  it('time added one millisecond before the deadline counts from the old deadline', async () => {
    const s = await inState('active');
    kit.clock.advance(40 * MIN - 1);
    expect((await addTime(kit.ctx, s.id, 15, operator)).endsAt).toBe(s.endsAt! + 15 * MIN);
  });
});
