import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stationActor } from '../audit/audit-actions.ts';
import { createBrokenDb } from '../testing/broken-db.ts';
import type { DomainError } from '../shared/errors.ts';
import { codeFingerprint } from './access-code.ts';
import { validateCode } from './code-check.ts';
import { addTime } from './session-time-adjust.ts';
import { endSession } from './session-lifecycle.ts';
import { expireUnusedCodes } from './session-expiry.ts';
import { getSession } from './session-queries.ts';
import { auditActions, insertStation, insertUser, issue, lastAudit, makeKit, MIN, operator, OPERATOR_ID, stationState, type Kit } from './session-test-kit.ts';
import { startSession } from './start-session.ts';

let kit: Kit;
let userId: number;
let station: number;
beforeEach(async () => {
  kit = await makeKit();
  userId = await insertUser(kit.db);
  station = await insertStation(kit.db, { ip: '10.0.9.21' });
});
afterEach(async () => {
  await kit.db.destroy();
});

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a rejection');
}

const publicShape = (e: DomainError) => ({ code: e.code, category: e.category, fr: e.fr, en: e.en, fields: e.fields, details: e.details });

describe('validateCode', () => {
  it('returns the pending session without starting it or writing anything', async () => {
    const issued = await issue(kit, userId);
    const before = await auditActions(kit.db);
    const view = await validateCode(kit.ctx, issued.code.toLowerCase().replace('-', ' '), station);
    expect(view).toMatchObject({ id: issued.id, status: 'pending', code: issued.code });
    expect(await auditActions(kit.db)).toEqual(before);
    expect(await stationState(kit.db, station)).toBe('available');
  });

  it('rejects a malformed code before touching the database', async () => {
    const broken = { ...kit.ctx, db: createBrokenDb() };
    await expect(validateCode(broken, 'ABCD-O000', station)).rejects.toMatchObject({ code: 'CODE_MALFORMED' });
    await expect(startSession(broken, 'ABC', station)).rejects.toMatchObject({ code: 'CODE_MALFORMED' });
  });

  it('gives an unknown code and a code bound elsewhere the same answer, and records the real reason', async () => {
    const other = await insertStation(kit.db);
    const bound = await issue(kit, userId, { boundStationId: other });
    const unknown = await rejection(validateCode(kit.ctx, 'ZZZZ-2222', station));
    const unknownAudit = await lastAudit(kit.db);
    const elsewhere = await rejection(validateCode(kit.ctx, bound.code, station));
    const elsewhereAudit = await lastAudit(kit.db);
    expect(unknown.code).toBe('CODE_REJECTED');
    expect(publicShape(elsewhere)).toEqual(publicShape(unknown));
    expect(unknownAudit).toMatchObject({ action: 'session.code_rejected', actor_type: 'station', actor_id: station, target_type: 'station', target_id: station });
    expect(unknownAudit.meta).toEqual({ reason: 'unknown_code', stationId: station, sessionId: null, codeFingerprint: codeFingerprint('ZZZZ2222') });
    expect(elsewhereAudit.meta).toMatchObject({ reason: 'bound_to_other_station', stationId: station, sessionId: bound.id });
    expect(elsewhereAudit.metadata).not.toContain(bound.code.replace('-', ''));
    expect(unknownAudit.metadata).not.toContain('ZZZZ2222');
  });

  it('works on the station it is bound to', async () => {
    const bound = await issue(kit, userId, { boundStationId: station });
    expect((await startSession(kit.ctx, bound.code, station)).status).toBe('active');
  });

  it('refuses an expired code with the same answer, before and after the sweep', async () => {
    const issued = await issue(kit, userId);
    kit.clock.set(issued.codeExpiresAt);
    const before = await rejection(startSession(kit.ctx, issued.code, station));
    expect(before.code).toBe('CODE_REJECTED');
    expect((await lastAudit(kit.db)).meta).toMatchObject({ reason: 'code_expired', sessionId: issued.id });
    await expireUnusedCodes(kit.ctx, kit.clock.now());
    const after = await rejection(startSession(kit.ctx, issued.code, station));
    expect(publicShape(after)).toEqual(publicShape(before));
    expect((await lastAudit(kit.db)).meta).toMatchObject({ reason: 'unknown_code' });
    expect((await getSession(kit.ctx, issued.id)).status).toBe('ended');
  });

  it('accepts a code one millisecond before its expiry', async () => {
    const issued = await issue(kit, userId);
    kit.clock.set(issued.codeExpiresAt - 1);
    expect((await startSession(kit.ctx, issued.code, station)).status).toBe('active');
  });

  it('refuses a code already in use on another station, then again after the session ended', async () => {
    const other = await insertStation(kit.db);
    const issued = await issue(kit, userId);
    await startSession(kit.ctx, issued.code, other);
    expect((await rejection(startSession(kit.ctx, issued.code, station))).code).toBe('CODE_REJECTED');
    expect((await lastAudit(kit.db)).meta).toMatchObject({ reason: 'code_in_use' });
    await endSession(kit.ctx, issued.id, 'ended_by_visitor', operator);
    expect((await rejection(startSession(kit.ctx, issued.code, other))).code).toBe('CODE_REJECTED');
    expect((await lastAudit(kit.db)).meta).toMatchObject({ reason: 'unknown_code', stationId: other });
  });

  it.each(['pending', 'maintenance', 'offline'] as const)('refuses a station that is %s, without judging the code', async (state) => {
    const issued = await issue(kit, userId);
    const s = await insertStation(kit.db, { state });
    await expect(validateCode(kit.ctx, issued.code, s)).rejects.toMatchObject({ code: 'STATION_UNAVAILABLE', details: { state } });
    expect(await auditActions(kit.db)).toEqual(['session.code_generated']);
  });

  it('refuses an unknown station and a station already running a session', async () => {
    const a = await issue(kit, userId);
    const b = await issue(kit, userId);
    await expect(validateCode(kit.ctx, a.code, 999)).rejects.toMatchObject({ code: 'STATION_NOT_FOUND' });
    await startSession(kit.ctx, a.code, station);
    await expect(startSession(kit.ctx, b.code, station)).rejects.toMatchObject({ code: 'STATION_BUSY', category: 'conflict' });
    expect((await getSession(kit.ctx, b.id)).status).toBe('pending');
  });

  it('treats a deleted station as unknown', async () => {
    const a = await issue(kit, userId);
    const gone = await insertStation(kit.db, { deleted_at: kit.clock.now() });
    await expect(startSession(kit.ctx, a.code, gone)).rejects.toMatchObject({ code: 'STATION_NOT_FOUND' });
    expect((await getSession(kit.ctx, a.id)).status).toBe('pending');
  });

  it('refuses a visitor whose consent was withdrawn after the code was issued', async () => {
    const issued = await issue(kit, userId);
    await kit.db.updateTable('users').set({ consent_revoked_at: kit.clock.now(), anonymised_at: kit.clock.now() }).where('id', '=', userId).execute();
    await expect(startSession(kit.ctx, issued.code, station)).rejects.toMatchObject({ code: 'USER_ANONYMISED', category: 'conflict' });
    expect((await lastAudit(kit.db)).meta).toMatchObject({ reason: 'visitor_not_eligible', sessionId: issued.id });
    expect((await getSession(kit.ctx, issued.id)).status).toBe('pending');
    expect(await stationState(kit.db, station)).toBe('available');
  });
});

describe('startSession', () => {
  it('activates with a deadline, snapshots the station, occupies it, one audit event', async () => {
    const issued = await issue(kit, userId, { durationMinutes: 30 });
    await addTime(kit.ctx, issued.id, 15, operator);
    kit.clock.advance(5 * MIN);
    const started = await startSession(kit.ctx, issued.code, station);
    const now = kit.clock.now();
    expect(started).toMatchObject({
      status: 'active',
      startedAt: now,
      endsAt: now + 45 * MIN,
      remainingMs: 45 * MIN,
      allottedMs: 45 * MIN,
      elapsedMs: 0,
      stationId: station,
      stationIp: '10.0.9.21',
    });
    const row = await kit.db.selectFrom('sessions').selectAll().where('id', '=', issued.id).executeTakeFirstOrThrow();
    expect(row.remaining_ms).toBeNull();
    expect(await stationState(kit.db, station)).toBe('occupied');
    expect(await auditActions(kit.db)).toEqual(['session.code_generated', 'session.time_added', 'session.started']);
    const audit = await lastAudit(kit.db);
    expect(audit).toMatchObject({ actor_type: 'station', actor_id: station, target_id: issued.id });
    expect(audit.meta).toEqual({ userId, stationId: station, allottedMs: 45 * MIN, remainingMs: 45 * MIN, endsAt: now + 45 * MIN });
  });

  it('records an operator as the actor when started from the panel', async () => {
    const issued = await issue(kit, userId);
    await startSession(kit.ctx, issued.code, station, operator);
    expect(await lastAudit(kit.db)).toMatchObject({ action: 'session.started', actor_type: 'operator', actor_id: OPERATOR_ID });
  });

  it('keeps the station IP of the start even if the station changes address later', async () => {
    const issued = await issue(kit, userId);
    await startSession(kit.ctx, issued.code, station, stationActor(station));
    await kit.db.updateTable('stations').set({ ip: '10.0.9.99' }).where('id', '=', station).execute();
    expect((await getSession(kit.ctx, issued.id)).stationIp).toBe('10.0.9.21');
  });

  it('computes the countdown from the clock after it moves', async () => {
    const issued = await issue(kit, userId, { durationMinutes: 60 });
    await startSession(kit.ctx, issued.code, station);
    kit.clock.advance(20 * MIN);
    expect(await getSession(kit.ctx, issued.id)).toMatchObject({ remainingMs: 40 * MIN, elapsedMs: 20 * MIN, percentUsed: 33.3 });
    kit.clock.advance(45 * MIN);
    expect(await getSession(kit.ctx, issued.id)).toMatchObject({ status: 'active', remainingMs: 0, percentUsed: 100, overdue: true });
  });
});
