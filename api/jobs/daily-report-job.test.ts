import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addSessions, addStations, addVisitors } from '../stats/stats-fixtures.ts';
import { failingWhen, insertInto } from '../testing/broken-db.ts';
import { getReport } from '../reports/reports-service.ts';
import { dailyReportJob } from './daily-report-job.ts';
import { DAY, MIN, addAuditEvents, makeJobKit, reunion, type JobKit } from './jobs-test-kit.ts';

describe('daily report jobs', () => {
  let kit: JobKit;
  beforeEach(async () => {
    kit = await makeJobKit(reunion('2026-03-02T06:00'));
  });
  afterEach(async () => {
    await kit.cleanup();
  });

  async function seedSessions() {
    const [a, b, c] = await addVisitors(kit.db, 3);
    const [s1, s2] = await addStations(kit.db, 2);
    await addSessions(kit.db, [
      { user: a!, station: s1!, startedAt: reunion('2026-03-01T09:10'), endedAt: reunion('2026-03-01T10:10') },
      // Crosses midnight: only its first 30 minutes belong to the day.
      { user: b!, station: s2!, startedAt: reunion('2026-03-01T23:30'), endedAt: reunion('2026-03-02T00:30'), allottedMin: 60 },
      { user: c!, station: s1!, startedAt: reunion('2026-02-28T10:00'), endedAt: reunion('2026-02-28T11:00') },
      { user: c!, status: 'ended', endReason: 'code_expired', createdAt: reunion('2026-03-01T14:00'), remainingMin: 60 },
    ]);
  }

  it('stores the previous local day’s sessions: totals and per-hour figures', async () => {
    await seedSessions();
    const result = await dailyReportJob('sessions', kit.deps());
    expect(result).toEqual({ kind: 'sessions', days: ['2026-03-01'], reportIds: [1], replaced: 0 });
    const report = await getReport(kit.ctx, 1);
    expect(report).toMatchObject({
      kind: 'sessions',
      day: '2026-03-01',
      timeZone: 'Indian/Reunion',
      from: reunion('2026-03-01T00:00'),
      to: reunion('2026-03-02T00:00'),
      generatedAt: kit.clock.now(),
      totals: { sessionsCreated: 3, sessionsStarted: 2, minutesUsed: 90, distinctVisitors: 2, stationsUsed: 2 },
    });
    expect(report.totals).toMatchObject({ byEndReason: { expired: 2, code_expired: 1, cancelled: 0 } });
    expect(report.perHour).toHaveLength(24);
    expect(report.perHour[9]).toEqual({ hour: 9, sessionsStarted: 1, minutesUsed: 50, visitors: 1 });
    expect(report.perHour[10]).toEqual({ hour: 10, sessionsStarted: 0, minutesUsed: 10, visitors: 1 });
    expect(report.perHour[23]).toEqual({ hour: 23, sessionsStarted: 1, minutesUsed: 30, visitors: 1 });
  });

  it('replaces a day’s figures when run again for it (same id), and catches up days missed', async () => {
    await dailyReportJob('sessions', kit.deps());
    await seedSessions();
    kit.clock.advance(MIN);
    expect(await dailyReportJob('sessions', kit.deps())).toEqual({ kind: 'sessions', days: ['2026-03-01'], reportIds: [1], replaced: 1 });
    expect(await getReport(kit.ctx, 1)).toMatchObject({ generatedAt: kit.clock.now(), totals: { sessionsStarted: 2 } });
    expect(await kit.db.selectFrom('reports').select('id').execute()).toHaveLength(1);

    kit.clock.advance(3 * DAY);
    const later = await dailyReportJob('sessions', kit.deps());
    expect(later).toEqual({ kind: 'sessions', days: ['2026-03-02', '2026-03-03', '2026-03-04'], reportIds: [2, 3, 4], replaced: 0 });
    expect(await getReport(kit.ctx, 2)).toMatchObject({ day: '2026-03-02', totals: { minutesUsed: 30, sessionsStarted: 0 } });
  });

  it('counts the previous day’s audit events per hour, errors apart', async () => {
    kit.clock.set(reunion('2026-03-01T08:15'));
    await addAuditEvents(kit, 3, MIN);
    kit.clock.set(reunion('2026-03-01T14:00'));
    await addAuditEvents(kit, 1, MIN, 'auth.login_failed');
    kit.clock.set(reunion('2026-03-02T00:05'));
    await addAuditEvents(kit, 2, MIN);
    kit.clock.set(reunion('2026-03-02T06:30'));
    expect(await dailyReportJob('audit', kit.deps())).toMatchObject({ kind: 'audit', days: ['2026-03-01'] });
    const [row] = await kit.db.selectFrom('reports').select('id').execute();
    const report = await getReport(kit.ctx, row!.id);
    expect(report).toMatchObject({
      kind: 'audit',
      totals: { events: 4, errors: 1, byAction: { 'settings.changed': 3, 'auth.login_failed': 1 }, byActorType: { system: 4 } },
    });
    expect(report.perHour[8]).toEqual({ hour: 8, events: 3, errors: 0 });
    expect(report.perHour[14]).toEqual({ hour: 14, events: 1, errors: 1 });
    expect(report.perHour.reduce((n, h) => n + ('events' in h ? h.events : 0), 0)).toBe(4);
  });

  it('stores nothing when the database refuses the report', async () => {
    const ctx = { ...kit.ctx, db: failingWhen(kit.db, insertInto('reports')) };
    await expect(dailyReportJob('sessions', { ...kit.deps(), ctx })).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect(await kit.db.selectFrom('reports').select('id').execute()).toEqual([]);
  });
});
