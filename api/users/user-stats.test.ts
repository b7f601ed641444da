import { beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../shared/clock.ts';
import { defaultPolicy } from '../shared/domain-context.ts';
import { createBrokenDb } from '../testing/broken-db.ts';
import { buildJpeg } from './image-fixtures.ts';
import { deleteUser, revokeConsent } from './user-anonymise.ts';
import { setPhoto } from './user-photo-service.ts';
import { userStats } from './user-stats.ts';
import { createUser, listUsers } from './users-service.ts';
import { errorOf, seedSession, seedStation, usersKit, visitorInput, type UsersKit } from './users-test-kit.ts';

let k: UsersKit;
const ids: Record<string, number> = {};
// The kit's clock starts on 2026-03-02 12:00 in La Réunion (08:00 UTC).
const MARCH_2 = Date.parse('2026-03-02T08:00:00Z');

beforeAll(async () => {
  k = await usersKit();
  const add = async (key: string, over: Parameters<typeof visitorInput>[0] = {}) => {
    ids[key] = (await createUser(k.ctx, k.actor, visitorInput({ phone: `0692 00 10 ${String(Object.keys(ids).length + 10)}`, ...over }))).id;
  };
  k.clock.set(Date.parse('2026-02-10T08:00:00Z'));
  await add('february', { firstName: 'Février' });
  // 2026-02-28 21:00 UTC is already 1 March 01:00 in La Réunion: this month, locally.
  k.clock.set(Date.parse('2026-02-28T21:00:00Z'));
  await add('earlyMarch', { firstName: 'Mars', consentGiven: false });
  k.clock.set(MARCH_2 - 3600_000);
  await add('teen', { firstName: 'Ado', birthDate: '2010-01-01' });
  await add('kid', { firstName: 'Enfant', birthDate: '2016-01-01' });
  await add('kidOk', { firstName: 'Lou', birthDate: '2016-01-01', guardianName: 'Ana Grondin', guardianConsentGiven: true });
  await add('gone', { firstName: 'Parti' });
  await add('deleted', { firstName: 'Effacé' });
  await add('photo', { firstName: 'Photo', lastName: 'Hoarau' });
  await setPhoto(k.ctx, k.actor, ids.photo!, buildJpeg());
  await revokeConsent(k.ctx, k.actor, ids.gone!);
  await deleteUser(k.ctx, k.actor, ids.deleted!);
  k.clock.set(MARCH_2);
});

describe('userStats', () => {
  it('counts visitors by state, age and registration date in the local month and day', async () => {
    const s = await userStats(k.ctx);
    expect(s).toMatchObject({
      computedAt: MARCH_2,
      timeZone: 'Indian/Reunion',
      monthStart: Date.parse('2026-02-28T20:00:00Z'),
      dayStart: Date.parse('2026-03-01T20:00:00Z'),
      period: null,
    });
    expect(s.counts).toEqual({
      total: 7,
      active: 6,
      anonymised: 1,
      deleted: 1,
      consent: { valid: 4, missing: 1, guardianRequired: 1 },
      minors: 3,
      underGuardianAge: 2,
      withPhoto: 1,
      newThisMonth: 6,
      newToday: 5,
    });
  });

  it('gives the same consent counts as the list filters', async () => {
    const s = await userStats(k.ctx);
    for (const [consent, count] of [['valid', s.counts.consent.valid], ['missing', s.counts.consent.missing], ['guardian_required', s.counts.consent.guardianRequired]] as const) {
      expect((await listUsers(k.ctx, { consent, pageSize: 1 })).total).toBe(count);
    }
    expect((await listUsers(k.ctx, { includeAnonymised: true, pageSize: 1 })).total).toBe(s.counts.total);
  });

  it('adds the use of the stations over a period, heaviest visitors first, by name', async () => {
    const station = await seedStation(k.db, MARCH_2);
    await seedSession(k.db, { userId: ids.february!, status: 'ended', now: MARCH_2, stationId: station.id });
    await seedSession(k.db, { userId: ids.photo!, status: 'active', now: MARCH_2, stationId: station.id });
    await seedSession(k.db, { userId: ids.gone!, status: 'ended', now: MARCH_2 - 7200_000, stationId: station.id });
    await seedSession(k.db, { userId: ids.teen!, status: 'pending', now: MARCH_2 });
    const from = MARCH_2 - 86_400_000;
    const s = await userStats(k.ctx, { from, to: MARCH_2, top: 2 });
    expect(s.period).toMatchObject({ from, to: MARCH_2, sessionsStarted: 3, distinctVisitors: 3 });
    expect(s.period!.minutesUsed).toBeCloseTo(28, 1);
    expect(s.period!.topVisitors).toEqual([
      { userId: ids.photo, firstName: 'Photo', lastName: 'Hoarau', sessions: 1, minutesUsed: 10, lastVisitAt: MARCH_2 - 600_000 },
      { userId: ids.february, firstName: 'Février', lastName: 'Payet', sessions: 1, minutesUsed: 9, lastVisitAt: MARCH_2 - 600_000 },
    ]);
    const all = await userStats(k.ctx, { from, to: MARCH_2 });
    // Equal use: by id. Anonymised: the usage stays, the name is gone.
    expect(all.period!.topVisitors.map((v) => [v.userId, v.firstName])).toEqual([
      [ids.photo, 'Photo'],
      [ids.february, 'Février'],
      [ids.gone, null],
    ]);
  });

  it('refuses half a period, a bad top and a reversed period', async () => {
    expect(await errorOf(() => userStats(k.ctx, { from: MARCH_2 }))).toMatchObject({ code: 'USER_STATS_INVALID', fields: [{ field: 'to' }] });
    expect(await errorOf(() => userStats(k.ctx, { to: MARCH_2 }))).toMatchObject({ code: 'USER_STATS_INVALID', fields: [{ field: 'from' }] });
    expect(await errorOf(() => userStats(k.ctx, { from: 0, to: 1, top: 0 }))).toMatchObject({ code: 'USER_STATS_INVALID', fields: [{ field: 'top' }] });
    expect(await errorOf(() => userStats(k.ctx, { from: MARCH_2, to: MARCH_2 - 1 }))).toMatchObject({ code: 'STATS_PERIOD_INVALID' });
  });

  it('reports a storage failure as such', async () => {
    const ctx = { db: createBrokenDb(), clock: new FakeClock(), policy: defaultPolicy };
    expect(await errorOf(() => userStats(ctx))).toMatchObject({ code: 'STORAGE_FAILURE', category: 'unavailable' });
  });
});
