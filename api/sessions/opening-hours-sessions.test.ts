import { afterEach, describe, expect, it } from 'vitest';
import { sessionMessage } from '../realtime/station-messages.ts';
import { parseDayRanges, WEEKDAYS } from './opening-hours.ts';
import type { WeeklyHours } from '../shared/domain-context.ts';
import type { DomainError } from '../shared/errors.ts';
import { expireDueSessions } from './session-expiry.ts';
import { resumeSession, suspendSession } from './session-lifecycle.ts';
import { getSession } from './session-queries.ts';
import { addTime } from './session-time-adjust.ts';
import { auditActions, insertStation, insertUser, issue, lastAudit, makeKit, MIN, operator, stationState, type Kit } from './session-test-kit.ts';
import { findSessionById } from './sessions-repository.ts';
import { startSessionById } from './start-session-by-id.ts';
import { startSession } from './start-session.ts';

// Monday 2026-03-02 in Réunion (UTC+4): open 08:30-12:00 and 13:30-18:00, closed on Tuesday.
const re = (local: string) => Date.parse(`2026-03-02T${local}+04:00`);
const hours = Object.fromEntries(WEEKDAYS.map((d) => [d, parseDayRanges(d === 'tue' ? '' : '08:30-12:00,13:30-18:00')!])) as unknown as WeeklyHours;

let kit: Kit | undefined;
afterEach(async () => {
  await kit?.db.destroy();
  kit = undefined;
});

async function setup(at: string, withHours = true) {
  kit = await makeKit(withHours ? { openingHours: hours } : {}, re(at));
  const userId = await insertUser(kit.db);
  const station = await insertStation(kit.db);
  const issued = await issue(kit, userId, { durationMinutes: 60 });
  return { k: kit, issued, station };
}

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a rejection');
}

describe('opening hours on the start path', () => {
  it('refuses a start while closed, names the next opening and writes nothing', async () => {
    const { k, issued, station } = await setup('12:30:00');
    const before = await auditActions(k.db);
    const error = await rejection(startSession(k.ctx, issued.code, station));
    expect({ code: error.code, category: error.category, details: error.details }).toEqual({ code: 'EPN_CLOSED', category: 'conflict', details: { opensAt: re('13:30:00') } });
    expect(error.fr).toBe("L'EPN est fermé : aucune session ne peut démarrer avant la réouverture (2026-03-02 13:30).");
    expect(error.en).toBe('The EPN is closed: no session can start before it reopens (2026-03-02 13:30).');
    expect(await auditActions(k.db)).toEqual(before);
    expect((await findSessionById(k.db, issued.id))?.status).toBe('pending');
    expect(await stationState(k.db, station)).toBe('available');
    expect((await rejection(startSessionById(k.ctx, issued.id, station, operator))).code).toBe('EPN_CLOSED');
    expect(await auditActions(k.db)).toEqual(before);
  });

  it('caps a start at 17:30 with 60 min at 18:00, says so, and the expiry ends it at 18:00', async () => {
    const { k, issued, station } = await setup('17:30:00');
    const view = await startSession(k.ctx, issued.code, station);
    expect(view).toMatchObject({ status: 'active', endsAt: re('18:00:00'), cappedAtClosing: true, closesAt: re('18:00:00'), remainingMs: 30 * MIN, allottedMs: 30 * MIN, elapsedMs: 0 });
    const audit = await lastAudit(k.db);
    expect(audit.action).toBe('session.started');
    expect(audit.meta).toMatchObject({ cappedAtClosing: true, closesAt: re('18:00:00'), droppedMs: 30 * MIN, endsAt: re('18:00:00'), remainingMs: 30 * MIN });

    const row = (await findSessionById(k.db, issued.id))!;
    const event = await k.db.selectFrom('audit_events').selectAll().where('id', '=', audit.id).executeTakeFirstOrThrow();
    expect(sessionMessage(event, row, re('17:30:00'))).toMatchObject({
      type: 'session_started',
      endsAt: '2026-03-02T14:00:00.000Z',
      cappedAtClosing: true,
      closesAt: '2026-03-02T14:00:00.000Z',
    });

    k.clock.set(re('18:00:00'));
    const ended = await expireDueSessions(k.ctx, k.clock.now());
    expect(ended.map((s) => s.id)).toEqual([issued.id]);
    expect(await getSession(k.ctx, issued.id)).toMatchObject({ status: 'ended', endReason: 'expired', endedAt: re('18:00:00'), remainingMs: 0, elapsedMs: 30 * MIN });
  });

  it('does not cap a session that ends before closing', async () => {
    const { k, issued, station } = await setup('14:00:00');
    const view = await startSession(k.ctx, issued.code, station);
    expect(view.endsAt).toBe(re('15:00:00'));
    expect(view.cappedAtClosing).toBeUndefined();
    expect((await lastAudit(k.db)).meta.cappedAtClosing).toBeUndefined();
  });

  it('without opening hours (the default) starts and runs as before', async () => {
    const { k, issued, station } = await setup('17:30:00', false);
    const view = await startSession(k.ctx, issued.code, station);
    expect(view).toMatchObject({ endsAt: re('18:30:00'), allottedMs: 60 * MIN });
    expect(view.cappedAtClosing).toBeUndefined();
  });

  it('caps an operator start by id the same way', async () => {
    const { k, issued, station } = await setup('17:45:00');
    const view = await startSessionById(k.ctx, issued.id, station, operator);
    expect(view).toMatchObject({ endsAt: re('18:00:00'), cappedAtClosing: true, closesAt: re('18:00:00') });
  });
});

describe('opening hours on resume and add time', () => {
  it('refuses a resume while closed and caps one near closing', async () => {
    const { k, issued, station } = await setup('11:00:00');
    await startSession(k.ctx, issued.code, station);
    await suspendSession(k.ctx, issued.id, operator); // 60 min frozen
    k.clock.set(re('12:15:00'));
    const before = await auditActions(k.db);
    expect((await rejection(resumeSession(k.ctx, issued.id, operator))).code).toBe('EPN_CLOSED');
    expect(await auditActions(k.db)).toEqual(before);
    expect((await findSessionById(k.db, issued.id))?.status).toBe('suspended');

    k.clock.set(re('17:40:00'));
    const resumed = await resumeSession(k.ctx, issued.id, operator);
    expect(resumed).toMatchObject({ status: 'active', endsAt: re('18:00:00'), cappedAtClosing: true, remainingMs: 20 * MIN, allottedMs: 20 * MIN, elapsedMs: 0 });
    expect((await lastAudit(k.db)).meta).toMatchObject({ cappedAtClosing: true, droppedMs: 40 * MIN });
  });

  it('refuses time that would move an active deadline past closing, accepts what fits', async () => {
    const { k, issued, station } = await setup('17:00:00');
    expect(await startSession(k.ctx, issued.code, station)).toMatchObject({ endsAt: re('18:00:00'), cappedAtClosing: true, allottedMs: 60 * MIN });
    expect((await lastAudit(k.db)).meta).toMatchObject({ cappedAtClosing: true, droppedMs: 0 });
    k.clock.set(re('17:20:00'));
    const before = await auditActions(k.db);
    const error = await rejection(addTime(k.ctx, issued.id, 5, operator));
    expect({ code: error.code, category: error.category, details: error.details }).toEqual({
      code: 'SESSION_PAST_CLOSING',
      category: 'conflict',
      details: { sessionId: issued.id, closesAt: re('18:00:00'), maxMinutes: 0 },
    });
    expect(error.fr).toBe("L'EPN ferme à 18:00 : au plus 0 min peuvent être ajoutées à cette session.");
    expect(await auditActions(k.db)).toEqual(before);
  });

  it('lets time be added up to closing', async () => {
    const { k, issued, station } = await setup('16:30:00');
    await startSession(k.ctx, issued.code, station); // ends 17:30
    expect((await rejection(addTime(k.ctx, issued.id, 31, operator))).details).toMatchObject({ maxMinutes: 30 });
    expect((await addTime(k.ctx, issued.id, 30, operator)).endsAt).toBe(re('18:00:00'));
  });
});
