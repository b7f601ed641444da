import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../audit/audit-actions.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { expireDueSessions } from './session-expiry.ts';
import { cancelSession, endSession, resumeSession, suspendSession, type ManualEndReason } from './session-lifecycle.ts';
import { getSession } from './session-queries.ts';
import { addTime, removeTime } from './session-time-adjust.ts';
import { auditActions, insertStation, insertUser, issue, lastAudit, makeKit, MIN, operator, stationState, type Kit } from './session-test-kit.ts';
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

async function inState(state: 'pending' | 'active' | 'suspended' | 'ended'): Promise<SessionView> {
  const s = await issue(kit, userId, { durationMinutes: 60 });
  if (state === 'pending') return s;
  await startSession(kit.ctx, s.code, station);
  if (state === 'suspended') return suspendSession(kit.ctx, s.id, operator);
  if (state === 'ended') return endSession(kit.ctx, s.id, 'ended_by_operator', operator);
  return getSession(kit.ctx, s.id);
}

describe('suspend and resume', () => {
  it('freezes the time left, then sets a new deadline from it', async () => {
    const s = await inState('active');
    kit.clock.advance(10 * MIN);
    const suspended = await suspendSession(kit.ctx, s.id, operator);
    expect(suspended).toMatchObject({ status: 'suspended', remainingMs: 50 * MIN, endsAt: null, suspendedAt: kit.clock.now() });
    expect(await lastAudit(kit.db)).toMatchObject({ action: 'session.suspended', meta: { stationId: station, remainingMs: 50 * MIN } });
    kit.clock.advance(3 * 3600_000);
    expect(await getSession(kit.ctx, s.id)).toMatchObject({ remainingMs: 50 * MIN, elapsedMs: 10 * MIN });
    expect(await stationState(kit.db, station)).toBe('occupied');
    const resumed = await resumeSession(kit.ctx, s.id, operator);
    expect(resumed).toMatchObject({ status: 'active', endsAt: kit.clock.now() + 50 * MIN, suspendedAt: null, remainingMs: 50 * MIN });
    expect(await lastAudit(kit.db)).toMatchObject({ action: 'session.resumed', meta: { remainingMs: 50 * MIN, suspendedMs: 3 * 3600_000 } });
    kit.clock.advance(20 * MIN);
    expect(await getSession(kit.ctx, s.id)).toMatchObject({ remainingMs: 30 * MIN, elapsedMs: 30 * MIN, percentUsed: 50 });
  });

  it('will not suspend a session whose time is already up', async () => {
    const s = await inState('active');
    kit.clock.advance(60 * MIN);
    await expect(suspendSession(kit.ctx, s.id, operator)).rejects.toMatchObject({ code: 'SESSION_TIME_UP' });
  });

  it.each(['maintenance', 'offline'] as const)('will not resume on a station now %s', async (state) => {
    const s = await inState('suspended');
    await kit.db.updateTable('stations').set({ state }).where('id', '=', station).execute();
    await expect(resumeSession(kit.ctx, s.id, operator)).rejects.toMatchObject({ code: 'STATION_UNAVAILABLE', details: { state } });
    expect((await getSession(kit.ctx, s.id)).status).toBe('suspended');
  });

  it('will not resume when the station was removed', async () => {
    const s = await inState('suspended');
    await kit.db.deleteFrom('stations').where('id', '=', station).execute();
    await expect(resumeSession(kit.ctx, s.id, operator)).rejects.toMatchObject({ code: 'SESSION_STATION_GONE' });
  });
});

describe('endSession', () => {
  it.each(['ended_by_operator', 'ended_by_visitor'] as const)('ends an active session (%s), freezing what was left and freeing the station', async (reason) => {
    const s = await inState('active');
    kit.clock.advance(25 * MIN);
    const ended = await endSession(kit.ctx, s.id, reason, operator);
    expect(ended).toMatchObject({ status: 'ended', endReason: reason, endedAt: kit.clock.now(), remainingMs: 35 * MIN, elapsedMs: 25 * MIN, endsAt: null });
    expect(await stationState(kit.db, station)).toBe('available');
    expect(await lastAudit(kit.db)).toMatchObject({ action: 'session.ended', meta: { reason, stationId: station, usedMs: 25 * MIN, remainingMs: 35 * MIN } });
    kit.clock.advance(3600_000);
    expect((await getSession(kit.ctx, s.id)).remainingMs).toBe(35 * MIN);
  });

  it('ends a suspended session with its frozen time', async () => {
    const s = await inState('suspended');
    kit.clock.advance(30 * MIN);
    expect(await endSession(kit.ctx, s.id, 'ended_by_operator', operator)).toMatchObject({ status: 'ended', remainingMs: 60 * MIN, endedAt: kit.clock.now() });
    expect(await stationState(kit.db, station)).toBe('available');
  });

  it('dates an overdue session at its deadline, not later', async () => {
    const s = await inState('active');
    kit.clock.advance(75 * MIN);
    const ended = await endSession(kit.ctx, s.id, 'ended_by_visitor', operator);
    expect(ended).toMatchObject({ endedAt: s.endsAt, remainingMs: 0, elapsedMs: 60 * MIN });
  });

  it('leaves a station put in maintenance meanwhile in maintenance', async () => {
    const s = await inState('active');
    await kit.db.updateTable('stations').set({ state: 'maintenance' }).where('id', '=', station).execute();
    await endSession(kit.ctx, s.id, 'ended_by_operator', operator);
    expect(await stationState(kit.db, station)).toBe('maintenance');
  });

  it.each(['expired', 'cancelled', 'code_expired', 'bored'])('refuses the reason %s', async (reason) => {
    const s = await inState('active');
    await expect(endSession(kit.ctx, s.id, reason as ManualEndReason, operator)).rejects.toMatchObject({ code: 'END_REASON_INVALID', category: 'invalid' });
    expect((await getSession(kit.ctx, s.id)).status).toBe('active');
  });
});

describe('cancelSession', () => {
  it('ends a pending code as cancelled, keeping its allotment unused', async () => {
    const s = await inState('pending');
    const c = await cancelSession(kit.ctx, s.id, operator);
    expect(c).toMatchObject({ status: 'ended', endReason: 'cancelled', endedAt: kit.clock.now(), remainingMs: 60 * MIN, elapsedMs: 0 });
    expect(await lastAudit(kit.db)).toMatchObject({ action: 'session.cancelled', meta: { userId, allottedMs: 60 * MIN } });
  });
});

type Call = (ctx: DomainContext, id: number, actor: Actor) => Promise<unknown>;
const CALLS: Record<string, [action: string, call: Call]> = {
  suspend: ['suspend', suspendSession],
  resume: ['resume', resumeSession],
  end: ['end', (ctx, id, actor) => endSession(ctx, id, 'ended_by_operator', actor)],
  cancel: ['cancel', cancelSession],
  addTime: ['add_time', (ctx, id, actor) => addTime(ctx, id, 5, actor)],
  removeTime: ['remove_time', (ctx, id, actor) => removeTime(ctx, id, 5, actor)],
};
const ILLEGAL: Array<[state: 'pending' | 'active' | 'suspended' | 'ended', call: keyof typeof CALLS]> = [
  ['pending', 'suspend'],
  ['pending', 'resume'],
  ['pending', 'end'],
  ['active', 'resume'],
  ['active', 'cancel'],
  ['suspended', 'suspend'],
  ['suspended', 'cancel'],
  ['ended', 'suspend'],
  ['ended', 'resume'],
  ['ended', 'end'],
  ['ended', 'cancel'],
  ['ended', 'addTime'],
  ['ended', 'removeTime'],
];

describe('illegal transitions through the services', () => {
  it.each(ILLEGAL)('a %s session refuses %s, changing nothing', async (state, name) => {
    const [action, call] = CALLS[name]!;
    const s = await inState(state);
    const before = await kit.db.selectFrom('sessions').selectAll().where('id', '=', s.id).executeTakeFirstOrThrow();
    const audits = await auditActions(kit.db);
    await expect(call(kit.ctx, s.id, operator)).rejects.toMatchObject({
      code: 'SESSION_STATE_CONFLICT',
      category: 'conflict',
      details: { from: state, action, sessionId: s.id },
    });
    expect(await kit.db.selectFrom('sessions').selectAll().where('id', '=', s.id).executeTakeFirstOrThrow()).toEqual(before);
    expect(await auditActions(kit.db)).toEqual(audits);
  });

  it('refuses to start a code twice (start from active)', async () => {
    const s = await inState('active');
    const other = await insertStation(kit.db);
    await expect(startSession(kit.ctx, s.code, other)).rejects.toMatchObject({ code: 'CODE_REJECTED' });
  });

  it('an expired session cannot be ended again', async () => {
    const s = await inState('active');
    kit.clock.advance(60 * MIN);
    await expireDueSessions(kit.ctx, kit.clock.now());
    await expect(endSession(kit.ctx, s.id, 'ended_by_operator', operator)).rejects.toMatchObject({ details: { from: 'ended', action: 'end' } });
  });

  it('says which session is missing', async () => {
    await expect(suspendSession(kit.ctx, 4242, operator)).rejects.toMatchObject({ code: 'SESSION_NOT_FOUND', category: 'not_found' });
    await expect(cancelSession(kit.ctx, -1, operator)).rejects.toMatchObject({ code: 'ID_INVALID' });
  });
});
