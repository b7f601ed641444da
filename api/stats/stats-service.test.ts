import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../shared/clock.ts';
import { defaultPolicy, type DomainContext } from '../shared/domain-context.ts';
import { createBrokenDb } from '../testing/broken-db.ts';
import { createTestDb } from '../testing/test-db.ts';
import { MIN, addSessions, addStations, addVisitors } from './stats-fixtures.ts';
import { computeStats } from './stats-service.ts';

const t = (iso: string) => Date.parse(iso);
const H = 60 * MIN;

describe('statistics', () => {
  let ctx: DomainContext & { clock: FakeClock };
  let users: number[];
  let stations: number[];

  async function context(timeZone: string, now: string) {
    ctx = { db: await createTestDb(), clock: new FakeClock(t(now)), policy: { ...defaultPolicy, timeZone } };
    users = await addVisitors(ctx.db, 4);
    stations = await addStations(ctx.db, 3);
  }
  afterEach(async () => {
    await ctx.db.destroy();
  });

  describe('in Réunion (UTC+4)', () => {
    // Local days 2026-03-02 and 2026-03-03 = [03-01T20:00Z, 03-03T20:00Z); "now" is 10:30 local on the 3rd.
    const twoDays = { from: t('2026-03-01T20:00:00Z'), to: t('2026-03-03T20:00:00Z') };
    const dayOne = { from: t('2026-03-01T20:00:00Z'), to: t('2026-03-02T20:00:00Z') };

    beforeEach(async () => {
      await context('Indian/Reunion', '2026-03-03T06:30:00Z');
      const [u1, u2, u3, u4] = users as [number, number, number, number];
      const [s1, s2] = stations as [number, number];
      await addSessions(ctx.db, [
        // Crosses local midnight: 23:30 → 00:30.
        { user: u1, station: s1, startedAt: t('2026-03-02T19:30:00Z'), endedAt: t('2026-03-02T20:30:00Z') },
        // Started before the period (22:00 → 00:30 local, 1→2 March), 150 min fully used: 30 fall in it.
        { user: u2, station: s2, allottedMin: 150, startedAt: t('2026-03-01T18:00:00Z'), endedAt: t('2026-03-01T20:30:00Z') },
        // Active now: started 10:00 local, 30 min used so far.
        { user: u3, station: s2, status: 'active', startedAt: t('2026-03-03T06:00:00Z'), endsAt: t('2026-03-03T07:00:00Z') },
        // Suspended an hour in the middle: 60 min used over 14:00–16:00 local on the 2nd.
        { user: u1, station: s1, endReason: 'ended_by_operator', allottedMin: 90, remainingMin: 30, startedAt: t('2026-03-02T10:00:00Z'), endedAt: t('2026-03-02T12:00:00Z') },
        // Codes that never ran.
        { user: u4, status: 'ended', endReason: 'cancelled', remainingMin: 60, createdAt: t('2026-03-02T05:00:00Z') },
        { user: u4, status: 'pending', remainingMin: 60, createdAt: t('2026-03-03T05:00:00Z') },
        // Long before: outside the period.
        { user: u4, station: s1, startedAt: t('2026-02-20T06:00:00Z'), endedAt: t('2026-02-20T07:00:00Z') },
      ]);
    });

    it('splits a session crossing local midnight between the two days and hours', async () => {
      const report = await computeStats(ctx, twoDays);
      expect(report.perDay).toEqual([
        { date: '2026-03-02', sessionsStarted: 2, minutesUsed: 30 + 30 + 60, visitors: 2 },
        { date: '2026-03-03', sessionsStarted: 1, minutesUsed: 30 + 30, visitors: 2 },
      ]);
      const hours = Object.fromEntries(report.perHour.filter((h) => h.minutesUsed > 0 || h.sessionsStarted > 0).map((h) => [h.hour, h]));
      expect(hours[23]).toEqual({ hour: 23, sessionsStarted: 1, minutesUsed: 30, visitors: 1 });
      expect(hours[0]).toEqual({ hour: 0, sessionsStarted: 0, minutesUsed: 60, visitors: 2 });
      expect(hours[14]).toEqual({ hour: 14, sessionsStarted: 1, minutesUsed: 30, visitors: 1 });
      expect(hours[15]).toEqual({ hour: 15, sessionsStarted: 0, minutesUsed: 30, visitors: 1 });
      expect(hours[10]).toEqual({ hour: 10, sessionsStarted: 1, minutesUsed: 30, visitors: 1 });
      expect(report.perHour).toHaveLength(24);
    });

    it('gives totals by status and end reason, and what runs now', async () => {
      const { totals, period } = await computeStats(ctx, twoDays);
      expect(period).toEqual({ ...twoDays, timeZone: 'Indian/Reunion', computedAt: t('2026-03-03T06:30:00Z') });
      expect(totals).toEqual({
        sessionsCreated: 5,
        byStatus: { pending: 1, active: 1, suspended: 0, ended: 3 },
        byEndReason: { expired: 1, ended_by_operator: 1, ended_by_visitor: 0, cancelled: 1, code_expired: 0 },
        sessionsStarted: 3,
        minutesUsed: 30 + 30 + 30 + 60 + 30,
        distinctVisitors: 3,
        activeNow: 1,
        suspendedNow: 0,
      });
    });

    it('clips occupancy and minutes to the period edges', async () => {
      const report = await computeStats(ctx, dayOne);
      const [s1, s2] = stations as [number, number];
      expect(report.perStation).toEqual([
        { stationId: s1, sessions: 2, minutesUsed: 30 + 60, occupancy: Math.round((90 / 1440) * 10_000) / 10_000 },
        { stationId: s2, sessions: 0, minutesUsed: 30, occupancy: Math.round((30 / 1440) * 10_000) / 10_000 },
      ]);
      expect(report.perDay).toEqual([{ date: '2026-03-02', sessionsStarted: 2, minutesUsed: 120, visitors: 2 }]);
    });

    it('sums per visitor, most time first, with the last visit', async () => {
      const [u1, u2, u3] = users as [number, number, number];
      expect((await computeStats(ctx, twoDays)).perUser).toEqual([
        { userId: u1, sessions: 2, minutesUsed: 120, lastVisitAt: t('2026-03-02T19:30:00Z') },
        { userId: u2, sessions: 0, minutesUsed: 30, lastVisitAt: t('2026-03-01T18:00:00Z') },
        { userId: u3, sessions: 1, minutesUsed: 30, lastVisitAt: t('2026-03-03T06:00:00Z') },
      ]);
    });

    it('finds a live session that started long before, beyond the lookback window', async () => {
      await addSessions(ctx.db, [
        { user: users[3]!, station: stations[2]!, status: 'suspended', allottedMin: 600, remainingMin: 300, startedAt: t('2026-03-01T15:00:00Z'), suspendedAt: t('2026-03-01T22:00:00Z') },
      ]);
      const report = await computeStats(ctx, dayOne, { lookbackMs: H });
      // 300 min used over 7 h of wall clock, 2 h of which fall in the period.
      expect(report.perStation.find((s) => s.stationId === stations[2])?.minutesUsed).toBeCloseTo((300 * 2) / 7, 1);
      expect(report.totals.suspendedNow).toBe(1);
    });
  });

  describe('in Paris (DST)', () => {
    it('puts used time in the local hours of the spring-forward day (no 02:00)', async () => {
      await context('Europe/Paris', '2026-04-01T00:00:00Z');
      // 01:30 CET → 03:30 CEST is one real hour.
      await addSessions(ctx.db, [{ user: users[0]!, station: stations[0]!, startedAt: t('2026-03-29T00:30:00Z'), endedAt: t('2026-03-29T01:30:00Z') }]);
      const day = { from: t('2026-03-28T23:00:00Z'), to: t('2026-03-29T22:00:00Z') }; // 23 hours
      const report = await computeStats(ctx, day);
      expect(report.perHour.filter((h) => h.minutesUsed > 0).map((h) => [h.hour, h.minutesUsed, h.sessionsStarted])).toEqual([
        [1, 30, 1],
        [3, 30, 0],
      ]);
      expect(report.perDay).toEqual([{ date: '2026-03-29', sessionsStarted: 1, minutesUsed: 60, visitors: 1 }]);
      expect(report.perStation[0]!.occupancy).toBe(Math.round((60 / (23 * 60)) * 10_000) / 10_000);
    });

    it('puts both runs of 02:00 of the fall-back day in hour 2', async () => {
      await context('Europe/Paris', '2026-11-01T00:00:00Z');
      await addSessions(ctx.db, [{ user: users[0]!, station: stations[0]!, startedAt: t('2026-10-25T00:30:00Z'), endedAt: t('2026-10-25T01:30:00Z') }]);
      const report = await computeStats(ctx, { from: t('2026-10-24T22:00:00Z'), to: t('2026-10-25T23:00:00Z') });
      expect(report.perHour[2]).toEqual({ hour: 2, sessionsStarted: 1, minutesUsed: 60, visitors: 1 });
    });
  });

  it('pages through many sessions sharing a start instant without losing or repeating one', async () => {
    await context('Indian/Reunion', '2026-03-10T00:00:00Z');
    const start = t('2026-03-02T06:00:00Z');
    await addSessions(
      ctx.db,
      Array.from({ length: 2500 }, (_, i) => ({
        user: users[i % 4]!,
        station: stations[i % 3]!,
        allottedMin: 30,
        startedAt: start + Math.floor(i / 10) * MIN,
        endedAt: start + Math.floor(i / 10) * MIN + 30 * MIN,
      })),
    );
    const report = await computeStats(ctx, { from: t('2026-03-01T20:00:00Z'), to: t('2026-03-02T20:00:00Z') }, { pageSize: 7 });
    expect(report.totals).toMatchObject({ sessionsStarted: 2500, minutesUsed: 2500 * 30, distinctVisitors: 4, sessionsCreated: 2500 });
    expect(report.perUser.map((u) => u.sessions)).toEqual([625, 625, 625, 625]);
  });

  it('refuses an empty, reversed or overlong period, and reports storage failures', async () => {
    await context('Indian/Reunion', '2026-03-10T00:00:00Z');
    await expect(computeStats(ctx, { from: 10, to: 10 })).rejects.toMatchObject({ code: 'STATS_PERIOD_INVALID', category: 'invalid' });
    await expect(computeStats(ctx, { from: 10, to: 5 })).rejects.toMatchObject({ code: 'STATS_PERIOD_INVALID' });
    await expect(computeStats(ctx, { from: Number.NaN, to: 5 })).rejects.toMatchObject({ code: 'STATS_PERIOD_INVALID' });
    await expect(computeStats(ctx, { from: 0, to: 800 * 24 * H })).rejects.toMatchObject({ code: 'STATS_PERIOD_TOO_LONG' });
    await expect(computeStats({ ...ctx, db: createBrokenDb() }, { from: 0, to: H })).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
  });
});
