import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localDayBounds } from '../shared/zoned-time.ts';
import { sessionStats } from './session-stats.ts';
import { insertStation, insertUser, issue, makeKit, MIN, type Kit } from './session-test-kit.ts';
import { startSession } from './start-session.ts';

let kit: Kit;
beforeEach(async () => {
  // 20:30 UTC is 00:30 the next day in La Réunion (UTC+4).
  kit = await makeKit({}, Date.parse('2026-03-02T20:30:00Z'));
});
afterEach(async () => {
  await kit.db.destroy();
});

describe('sessionStats', () => {
  it("defaults to the current local day and leaves the per-visitor part out", async () => {
    const s = await issue(kit, await insertUser(kit.db));
    await startSession(kit.ctx, s.code, await insertStation(kit.db));
    kit.clock.advance(10 * MIN);
    const stats = await sessionStats(kit.ctx);
    const today = localDayBounds(kit.clock.now(), 'Indian/Reunion');
    expect(stats.period).toMatchObject({ from: today.start, to: today.end, timeZone: 'Indian/Reunion' });
    expect(new Date(today.start).toISOString()).toBe('2026-03-02T20:00:00.000Z');
    expect(stats.totals).toMatchObject({ sessionsCreated: 1, sessionsStarted: 1, minutesUsed: 10, activeNow: 1 });
    expect(stats.perDay.map((d) => d.date)).toEqual(['2026-03-03']);
    expect(stats).not.toHaveProperty('perUser');
  });

  it('takes a chosen period and refuses a reversed one', async () => {
    const stats = await sessionStats(kit.ctx, { from: Date.parse('2026-01-01T00:00:00Z'), to: Date.parse('2026-01-02T00:00:00Z') });
    expect(stats.totals.sessionsCreated).toBe(0);
    await expect(sessionStats(kit.ctx, { from: 10, to: 5 })).rejects.toMatchObject({ code: 'STATS_PERIOD_INVALID' });
  });
});
