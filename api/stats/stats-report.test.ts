import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { operatorActor } from '../audit/audit-actions.ts';
import { FakeClock } from '../shared/clock.ts';
import { defaultPolicy, type DomainContext } from '../shared/domain-context.ts';
import { failingWhen, insertInto } from '../testing/broken-db.ts';
import { createTestDb } from '../testing/test-db.ts';
import { exportStatsCsv } from './stats-csv.ts';
import { addSessions, addStations, addVisitors } from './stats-fixtures.ts';
import { periodOrToday, statsReport } from './stats-report.ts';

const t = (iso: string) => Date.parse(iso);
const admin = operatorActor(1);

describe('periodOrToday (Réunion, UTC+4)', () => {
  const now = t('2026-03-03T06:30:00Z'); // 10:30 local on 3 March
  it('defaults to the current local day', () => {
    expect(periodOrToday({}, now, 'Indian/Reunion')).toEqual({ from: t('2026-03-02T20:00:00Z'), to: t('2026-03-03T20:00:00Z') });
  });
  it('runs an open-ended period to the end of today, and starts a lone end at its local day', () => {
    expect(periodOrToday({ from: t('2026-02-01T00:00:00Z') }, now, 'Indian/Reunion')).toEqual({ from: t('2026-02-01T00:00:00Z'), to: t('2026-03-03T20:00:00Z') });
    expect(periodOrToday({ to: t('2026-03-01T20:00:00Z') }, now, 'Indian/Reunion')).toEqual({ from: t('2026-02-28T20:00:00Z'), to: t('2026-03-01T20:00:00Z') });
  });
});

describe('named statistics', () => {
  let ctx: DomainContext & { clock: FakeClock };
  let users: number[];
  let stations: number[];
  const day = { from: t('2026-03-01T20:00:00Z'), to: t('2026-03-02T20:00:00Z') };

  beforeEach(async () => {
    ctx = { db: await createTestDb(), clock: new FakeClock(t('2026-03-03T06:30:00Z')), policy: defaultPolicy };
    users = await addVisitors(ctx.db, 3);
    stations = await addStations(ctx.db, 2);
    await ctx.db.updateTable('users').set({ first_name: 'Marie', last_name: 'Payet' }).where('id', '=', users[0]!).execute();
    // Anonymised: even a leftover name must not show.
    await ctx.db.updateTable('users').set({ first_name: 'Jean', last_name: null, anonymised_at: 1 }).where('id', '=', users[1]!).execute();
    await ctx.db.updateTable('stations').set({ deleted_at: 5 }).where('id', '=', stations[1]!).execute();
    await addSessions(ctx.db, [
      { user: users[0]!, station: stations[0]!, allottedMin: 90, startedAt: t('2026-03-02T06:00:00Z'), endedAt: t('2026-03-02T07:30:00Z') },
      { user: users[1]!, station: stations[1]!, startedAt: t('2026-03-02T08:00:00Z'), endedAt: t('2026-03-02T09:00:00Z') },
      { user: users[2]!, station: stations[0]!, allottedMin: 30, startedAt: t('2026-03-02T10:00:00Z'), endedAt: t('2026-03-02T10:30:00Z') },
    ]);
  });
  afterEach(async () => {
    await ctx.db.destroy();
  });

  it('joins visitor names unless anonymised, and station names even when deleted', async () => {
    const report = await statsReport(ctx, day);
    expect(report.perUser).toEqual([
      { userId: users[0], displayName: 'Marie Payet', anonymised: false, sessions: 1, minutesUsed: 90, lastVisitAt: t('2026-03-02T06:00:00Z') },
      { userId: users[1], displayName: null, anonymised: true, sessions: 1, minutesUsed: 60, lastVisitAt: t('2026-03-02T08:00:00Z') },
      { userId: users[2], displayName: 'V V', anonymised: false, sessions: 1, minutesUsed: 30, lastVisitAt: t('2026-03-02T10:00:00Z') },
    ]);
    expect(report.perStation.map((s) => [s.stationId, s.name, s.deleted, s.minutesUsed])).toEqual([
      [stations[0], 'Poste 1', false, 120],
      [stations[1], 'Poste 2', true, 60],
    ]);
    expect(report.totals.minutesUsed).toBe(180);
  });

  it('computes today when no period is given', async () => {
    const report = await statsReport(ctx);
    expect(report.period).toMatchObject({ from: t('2026-03-02T20:00:00Z'), to: t('2026-03-03T20:00:00Z') });
    expect(report.perUser).toEqual([]);
  });

  it('exports each view as CSV with a BOM, and audits the export', async () => {
    const users = await exportStatsCsv(ctx, admin, day, 'user');
    const lines = users.split('\r\n');
    expect(lines[0]).toBe('\uFEFFuser_id,display_name,anonymised,sessions,minutes_used,last_visit_at');
    expect(lines[1]).toMatch(/^\d+,Marie Payet,false,1,90,2026-03-02T06:00:00.000Z$/);
    expect(lines[2]).toMatch(/^\d+,,true,1,60,/);
    const days = await exportStatsCsv(ctx, admin, day, 'day');
    expect(days.split('\r\n').slice(0, 3)).toEqual(['\uFEFFdate,sessions_started,minutes_used,visitors', '2026-03-02,3,180,3', '']);
    expect((await exportStatsCsv(ctx, admin, day, 'hour')).split('\r\n')).toHaveLength(26);
    expect((await exportStatsCsv(ctx, admin, day, 'station')).split('\r\n')[2]).toMatch(/,Poste 2,true,1,60,0.0417$/);
    const events = await ctx.db.selectFrom('audit_events').select(['action', 'metadata']).execute();
    expect(events).toHaveLength(4);
    expect(JSON.parse(events[0]!.metadata)).toEqual({ dataset: 'stats', view: 'user', format: 'csv', ...day });
  });

  it('refuses a reversed period without an audit event, and fails whole when the audit cannot be written', async () => {
    await expect(exportStatsCsv(ctx, admin, { from: day.to, to: day.from }, 'day')).rejects.toMatchObject({ code: 'STATS_PERIOD_INVALID' });
    await expect(exportStatsCsv({ ...ctx, db: failingWhen(ctx.db, insertInto('audit_events')) }, admin, day, 'day')).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect(await ctx.db.selectFrom('audit_events').selectAll().execute()).toEqual([]);
  });
});
