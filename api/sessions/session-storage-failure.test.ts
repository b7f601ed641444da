import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DomainContext } from '../shared/domain-context.ts';
import { createBrokenDb, failingWhen, insertInto } from '../testing/broken-db.ts';
import { validateCode } from './code-check.ts';
import { createSession } from './issue-session.ts';
import { expireDueSessions, expireUnusedCodes, nextDeadline } from './session-expiry.ts';
import { cancelSession, endSession, suspendSession } from './session-lifecycle.ts';
import { getSession, listSessions, liveSessions, sessionForStation, timeRemaining } from './session-queries.ts';
import { canCreateSession } from './session-quota.ts';
import { addTime } from './session-time-adjust.ts';
import { auditActions, insertStation, insertUser, issue, makeKit, MIN, operator, stationState, type Kit } from './session-test-kit.ts';
import { startSession } from './start-session.ts';

const STORAGE = { code: 'STORAGE_FAILURE', category: 'unavailable' };

describe('a database that always fails', () => {
  const ctx = (kit: Kit): DomainContext => ({ ...kit.ctx, db: createBrokenDb() });
  let kit: Kit;
  beforeEach(async () => {
    kit = await makeKit();
  });
  afterEach(async () => {
    await kit.db.destroy();
  });

  it.each<[string, (c: DomainContext) => Promise<unknown>]>([
    ['createSession', (c) => createSession(c, { userId: 1, durationMinutes: 30 }, operator)],
    ['canCreateSession', (c) => canCreateSession(c, 1)],
    ['validateCode', (c) => validateCode(c, 'ABCD-2345', 1)],
    ['startSession', (c) => startSession(c, 'ABCD-2345', 1)],
    ['suspendSession', (c) => suspendSession(c, 1, operator)],
    ['endSession', (c) => endSession(c, 1, 'ended_by_operator', operator)],
    ['addTime', (c) => addTime(c, 1, 15, operator)],
    ['getSession', (c) => getSession(c, 1)],
    ['listSessions', (c) => listSessions(c)],
    ['liveSessions', (c) => liveSessions(c)],
    ['sessionForStation', (c) => sessionForStation(c, 1)],
    ['timeRemaining', (c) => timeRemaining(c, 1)],
    ['expireDueSessions', (c) => expireDueSessions(c, 0)],
    ['expireUnusedCodes', (c) => expireUnusedCodes(c, 0)],
    ['nextDeadline', (c) => nextDeadline(c)],
  ])('%s surfaces STORAGE_FAILURE', async (_name, call) => {
    await expect(call(ctx(kit))).rejects.toMatchObject(STORAGE);
  });
});

describe('the audit insert fails: nothing is half-written', () => {
  let kit: Kit;
  let userId: number;
  let station: number;
  let failing: DomainContext;
  beforeEach(async () => {
    kit = await makeKit();
    userId = await insertUser(kit.db);
    station = await insertStation(kit.db);
    failing = { ...kit.ctx, db: failingWhen(kit.db, insertInto('audit_events')) };
  });
  afterEach(async () => {
    await kit.db.destroy();
  });

  it('startSession leaves the session pending and the station available', async () => {
    const s = await issue(kit, userId);
    await expect(startSession(failing, s.code, station)).rejects.toMatchObject(STORAGE);
    const row = await kit.db.selectFrom('sessions').selectAll().where('id', '=', s.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', started_at: null, ends_at: null, station_id: null, station_ip: null, remaining_ms: 60 * MIN });
    expect(await stationState(kit.db, station)).toBe('available');
    expect(await auditActions(kit.db)).toEqual(['session.code_generated']);
    expect((await startSession(kit.ctx, s.code, station)).status).toBe('active');
  });

  it('createSession stores no session', async () => {
    await expect(createSession(failing, { userId, durationMinutes: 30 }, operator)).rejects.toMatchObject(STORAGE);
    expect(await kit.db.selectFrom('sessions').selectAll().execute()).toEqual([]);
    expect(await canCreateSession(kit.ctx, userId)).toMatchObject({ usedToday: 0 });
  });

  it('endSession leaves the session active and the station occupied', async () => {
    const s = await issue(kit, userId);
    await startSession(kit.ctx, s.code, station);
    await expect(endSession(failing, s.id, 'ended_by_operator', operator)).rejects.toMatchObject(STORAGE);
    expect((await getSession(kit.ctx, s.id)).status).toBe('active');
    expect(await stationState(kit.db, station)).toBe('occupied');
  });

  it('expireDueSessions leaves the session active and the station occupied', async () => {
    const s = await issue(kit, userId);
    const started = await startSession(kit.ctx, s.code, station);
    await expect(expireDueSessions(failing, started.endsAt!)).rejects.toMatchObject(STORAGE);
    expect((await getSession(kit.ctx, s.id)).status).toBe('active');
    expect(await stationState(kit.db, station)).toBe('occupied');
  });

  it('add time and cancel change nothing', async () => {
    const s = await issue(kit, userId);
    await expect(addTime(failing, s.id, 15, operator)).rejects.toMatchObject(STORAGE);
    await expect(cancelSession(failing, s.id, operator)).rejects.toMatchObject(STORAGE);
    expect(await getSession(kit.ctx, s.id)).toMatchObject({ status: 'pending', allottedMs: 60 * MIN, remainingMs: 60 * MIN });
  });

  it('a rejected code whose audit cannot be written reports the storage failure', async () => {
    await expect(validateCode(failing, 'ZZZZ-2222', station)).rejects.toMatchObject(STORAGE);
  });
});
