import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activeDeadlines, expireDueSessions, expireUnusedCodes, nextCodeExpiry, nextDeadline } from './session-expiry.ts';
import { EXPIRY_BATCH } from './session-limits.ts';
import { suspendSession } from './session-lifecycle.ts';
import { getSession } from './session-queries.ts';
import { addTime } from './session-time-adjust.ts';
import { auditActions, insertStation, insertUser, issue, lastAudit, makeKit, MIN, operator, stationState, type Kit } from './session-test-kit.ts';
import { startSession } from './start-session.ts';

let kit: Kit;
let userId: number;
beforeEach(async () => {
  kit = await makeKit({ dailyQuota: 50 });
  userId = await insertUser(kit.db);
});
afterEach(async () => {
  await kit.db.destroy();
});

async function running(minutes: number, stationOver = {}) {
  const station = await insertStation(kit.db, stationOver);
  const s = await issue(kit, userId, { durationMinutes: minutes });
  return { station, session: await startSession(kit.ctx, s.code, station) };
}

describe('expireDueSessions', () => {
  it('ends at the true deadline even when the sweep runs late, and frees the station', async () => {
    const { station, session } = await running(30);
    kit.clock.advance(47 * MIN); // the sweep was late by 17 minutes
    const expired = await expireDueSessions(kit.ctx, kit.clock.now());
    expect(expired).toHaveLength(1);
    expect(expired[0]).toMatchObject({ id: session.id, status: 'ended', endReason: 'expired', endedAt: session.endsAt, remainingMs: 0, elapsedMs: 30 * MIN, stationId: station });
    expect(await stationState(kit.db, station)).toBe('available');
    const audit = await lastAudit(kit.db);
    expect(audit).toMatchObject({ action: 'session.expired', actor_type: 'system', actor_id: null, target_id: session.id });
    expect(audit.meta).toEqual({ userId, stationId: station, allottedMs: 30 * MIN, endedAt: session.endsAt });
  });

  it('expires exactly at the deadline, not a millisecond before', async () => {
    const { session } = await running(30);
    expect(await expireDueSessions(kit.ctx, session.endsAt! - 1)).toEqual([]);
    expect(await expireDueSessions(kit.ctx, session.endsAt!)).toHaveLength(1);
  });

  it('leaves suspended, pending and not-yet-due sessions alone, and is idempotent', async () => {
    const a = await running(10);
    const b = await running(10);
    await suspendSession(kit.ctx, b.session.id, operator);
    const later = await running(120);
    const pending = await issue(kit, userId);
    kit.clock.advance(30 * MIN);
    const now = kit.clock.now();
    expect((await expireDueSessions(kit.ctx, now)).map((v) => v.id)).toEqual([a.session.id]);
    expect(await expireDueSessions(kit.ctx, now)).toEqual([]);
    for (const [id, status] of [[b.session.id, 'suspended'], [later.session.id, 'active'], [pending.id, 'pending']] as const) {
      expect((await getSession(kit.ctx, id)).status).toBe(status);
    }
  });

  it('respects time added after the deadline was armed', async () => {
    const { session } = await running(30);
    await addTime(kit.ctx, session.id, 15, operator);
    expect(await expireDueSessions(kit.ctx, session.endsAt!)).toEqual([]);
  });

  it('does not free a station that was put in maintenance', async () => {
    const { station, session } = await running(5);
    await kit.db.updateTable('stations').set({ state: 'maintenance' }).where('id', '=', station).execute();
    await expireDueSessions(kit.ctx, session.endsAt!);
    expect(await stationState(kit.db, station)).toBe('maintenance');
  });

  it(`handles more than one batch (${EXPIRY_BATCH}) in a pass, yielding to the loop between sessions`, async () => {
    const count = EXPIRY_BATCH + 5;
    const base = kit.clock.now();
    const rows = Array.from({ length: count }, (_, i) => ({
      code: `T${String(i).padStart(7, '0')}`, // direct fixture rows: only uniqueness matters here
      user_id: userId,
      status: 'active' as const,
      allotted_ms: MIN,
      ends_at: base + i,
      code_expires_at: base + 3600_000,
      created_at: base,
      started_at: base - MIN,
      updated_at: base,
    }));
    for (const row of rows) await kit.db.insertInto('sessions').values(row).execute();
    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    expect(await expireDueSessions(kit.ctx, base + count)).toHaveLength(count);
    ticking = false;
    // One session per transaction with a loop turn between: requests and beats go between them.
    expect(turns).toBeGreaterThanOrEqual(count - 1);
    expect((await auditActions(kit.db)).filter((a) => a === 'session.expired')).toHaveLength(count);
  });
});

describe('expireUnusedCodes', () => {
  it('ends pending codes past their expiry, dated at the expiry, one event each', async () => {
    const a = await issue(kit, userId);
    kit.clock.advance(MIN);
    const b = await issue(kit, userId);
    const { session: active } = await running(60);
    kit.clock.set(b.codeExpiresAt + 5 * MIN);
    const ended = await expireUnusedCodes(kit.ctx, kit.clock.now());
    expect(ended.map((v) => [v.id, v.endReason, v.endedAt])).toEqual([
      [a.id, 'code_expired', a.codeExpiresAt],
      [b.id, 'code_expired', b.codeExpiresAt],
    ]);
    expect(ended[0]).toMatchObject({ remainingMs: 60 * MIN, elapsedMs: 0 });
    expect((await auditActions(kit.db)).filter((x) => x === 'session.code_expired')).toHaveLength(2);
    expect(await lastAudit(kit.db)).toMatchObject({ actor_type: 'system', meta: { userId, codeExpiresAt: b.codeExpiresAt } });
    expect((await getSession(kit.ctx, active.id)).status).toBe('active');
    expect(await expireUnusedCodes(kit.ctx, kit.clock.now())).toEqual([]);
  });

  it('leaves a code alone until its expiry instant', async () => {
    const a = await issue(kit, userId);
    expect(await expireUnusedCodes(kit.ctx, a.codeExpiresAt - 1)).toEqual([]);
    expect(await expireUnusedCodes(kit.ctx, a.codeExpiresAt)).toHaveLength(1);
  });
});

describe('deadlines for the schedulers', () => {
  it('lists active deadlines earliest first, and the next code expiry', async () => {
    expect(await nextDeadline(kit.ctx)).toBeNull();
    expect(await nextCodeExpiry(kit.ctx)).toBeNull();
    const long = await running(90);
    const short = await running(20);
    const suspended = await running(10);
    await suspendSession(kit.ctx, suspended.session.id, operator);
    const pending = await issue(kit, userId);
    expect(await activeDeadlines(kit.ctx)).toEqual([
      { sessionId: short.session.id, stationId: short.station, endsAt: short.session.endsAt },
      { sessionId: long.session.id, stationId: long.station, endsAt: long.session.endsAt },
    ]);
    expect(await nextDeadline(kit.ctx)).toBe(short.session.endsAt);
    expect(await nextCodeExpiry(kit.ctx)).toBe(pending.codeExpiresAt);
  });
});
