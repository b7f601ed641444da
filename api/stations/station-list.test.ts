import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeClock } from '../shared/clock.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { createBrokenDb } from '../testing/broken-db.ts';
import { registerSeenMac } from './station-enrollment.ts';
import { admin, insertRunningSession, stationsTestContext } from './station-fixtures.ts';
import { recordHeartbeat } from './station-heartbeat.ts';
import { availableStations, listStations, type StationListQuery } from './station-list.ts';
import { markMaintenance } from './station-state-service.ts';
import { createStation, deleteStation } from './stations-service.ts';

describe('station list', () => {
  let ctx: DomainContext & { clock: FakeClock };
  const ids: Record<string, number> = {};

  // Poste 1..4: 1 online+free, 2 online+busy, 3 maintenance, 4 never heard; plus a pending and a deleted one.
  beforeAll(async () => {
    ctx = await stationsTestContext();
    for (const n of [1, 2, 3, 4]) {
      ids[`p${n}`] = (await createStation(ctx, admin, { name: `Poste ${n}`, mac: `52:54:00:aa:00:0${n}`, ip: `192.168.50.${10 + n}` })).id;
      ctx.clock.advance(1000);
    }
    ids.pending = (await registerSeenMac(ctx, { mac: '52:54:00:bb:00:01', autoApprove: false })).station.id;
    const gone = await createStation(ctx, admin, { name: 'Ancien', mac: '52:54:00:cc:00:01' });
    await deleteStation(ctx, admin, gone.id);
    for (const n of [1, 2, 3]) await recordHeartbeat(ctx, ids[`p${n}`]!);
    await markMaintenance(ctx, admin, ids.p3!, 'écran');
    await ctx.db.updateTable('stations').set({ state: 'occupied' }).where('id', '=', ids.p2!).execute();
    ids.session = await insertRunningSession(ctx.db, ids.p2!, ctx.clock.now());
    ctx.clock.advance(5000);
  });
  afterAll(async () => {
    await ctx.db.destroy();
  });

  const names = async (query: StationListQuery) => (await listStations(ctx, query)).items.map((s) => s.name);

  it('lists live stations by name with their running session, paged', async () => {
    const page = await listStations(ctx, { pageSize: 2, page: 1 });
    expect(page).toMatchObject({ total: 5, page: 1, pageSize: 2 });
    expect(page.items.map((s) => s.name)).toEqual(['Poste 1', 'Poste 2']);
    expect(page.items[1]!.liveSession).toMatchObject({ id: ids.session, status: 'active' });
    expect(await names({ pageSize: 2, page: 3 })).toEqual(['poste-bb0001']);
  });

  it('filters by state, online and free text', async () => {
    expect(await names({ state: 'maintenance' })).toEqual(['Poste 3']);
    expect(await names({ state: ['available', 'pending'] })).toEqual(['Poste 1', 'Poste 4', 'poste-bb0001']);
    expect(await names({ online: true })).toEqual(['Poste 1', 'Poste 2', 'Poste 3']);
    expect(await names({ online: false })).toEqual(['Poste 4', 'poste-bb0001']);
    expect(await names({ q: 'poste 4' })).toEqual(['Poste 4']);
    expect(await names({ q: '00-AA-00-02' })).toEqual(['Poste 2']);
    expect(await names({ q: 'aa0003' })).toEqual(['Poste 3']);
    expect(await names({ q: '50.11' })).toEqual(['Poste 1']);
    expect(await names({ q: '100%' })).toEqual([]);
    expect(await names({ q: 'ancien' })).toEqual([]);
  });

  it('sorts by state, creation or heartbeat, either way', async () => {
    expect(await names({ sort: 'createdAt', order: 'desc', pageSize: 2 })).toEqual(['poste-bb0001', 'Poste 4']);
    expect(await names({ sort: 'state' })).toEqual(['Poste 1', 'Poste 4', 'Poste 3', 'Poste 2', 'poste-bb0001']);
    expect((await names({ sort: 'lastHeartbeat', order: 'desc' })).slice(-2).sort()).toEqual(['Poste 4', 'poste-bb0001']);
  });

  it('gives each filter set the same answer among others, with the online cutoff and running sessions read at each call', async () => {
    const sets: StationListQuery[] = [
      {}, { state: 'maintenance' }, { state: ['available', 'pending'] }, { state: [] }, { online: true }, { online: false, q: 'poste' },
      { q: 'aa0003' }, { sort: 'state', order: 'desc', pageSize: 2, page: 2 }, { state: ['occupied'], online: true, q: '50.12' },
    ];
    const first = [];
    for (const q of sets) first.push(await listStations(ctx, q));
    expect(first[3]!.items).toEqual([]);
    expect(first[8]!.items.map((s) => s.liveSession?.id)).toEqual([ids.session]);
    for (const [i, q] of [...sets.entries()].reverse()) expect(await listStations(ctx, q)).toEqual(first[i]);
    const later = { ...ctx, clock: { now: () => ctx.clock.now() + ctx.policy.heartbeatTimeoutMs + 1000 } };
    expect((await listStations(later, { online: true })).items).toEqual([]);
    expect((await listStations(later, { state: ['occupied'] })).items[0]!.liveSession).toMatchObject({ id: ids.session });
  });

  it('refuses bad filters, sorts and pages', async () => {
    await expect(listStations(ctx, { state: 'broken' as never })).rejects.toMatchObject({ code: 'STATION_STATE_FILTER_INVALID' });
    await expect(listStations(ctx, { sort: 'mac' as never })).rejects.toMatchObject({ code: 'STATION_SORT_INVALID' });
    await expect(listStations(ctx, { pageSize: 500 })).rejects.toMatchObject({ code: 'PAGE_SIZE_INVALID' });
    await expect(listStations(ctx, { q: 'x'.repeat(101) })).rejects.toMatchObject({ code: 'STATION_QUERY_TOO_LONG' });
    await expect(listStations({ ...ctx, db: createBrokenDb() })).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
  });

  it('offers only available, online, free stations', async () => {
    expect((await availableStations(ctx)).map((s) => s.name)).toEqual(['Poste 1']);
    ctx.clock.advance(30_000);
    expect(await availableStations(ctx)).toEqual([]);
    await expect(availableStations({ ...ctx, db: createBrokenDb() })).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
  });
});

describe('station list totals', () => {
  let ctx: DomainContext & { clock: FakeClock };
  beforeAll(async () => {
    ctx = await stationsTestContext();
  });
  afterAll(async () => {
    await ctx.db.destroy();
  });
  const version = async () => (await sql<{ version: number }>`select version from list_versions where name = 'stations'`.execute(ctx.db)).rows[0]!.version;
  const totals = async () => Promise.all([{}, { state: 'maintenance' as const }, { q: '10.9.9' }, { online: true }].map(async (q) => (await listStations(ctx, q)).total));

  it('stay exact through creation, state and address changes, deletion; a routine heartbeat moves no counter', async () => {
    const a = await createStation(ctx, admin, { name: 'A', mac: '52:54:00:dd:00:01' });
    const b = await createStation(ctx, admin, { name: 'B', mac: '52:54:00:dd:00:02' });
    expect(await totals()).toEqual([2, 0, 0, 0]);
    await recordHeartbeat(ctx, a.id, { ip: '10.9.9.1' });
    expect(await totals()).toEqual([2, 0, 1, 1]);
    const before = await version();
    ctx.clock.advance(10_000);
    await recordHeartbeat(ctx, a.id, { ip: '10.9.9.1' });
    await ctx.db.updateTable('stations').set({ last_heartbeat_at: ctx.clock.now(), agent_version: 'x', updated_at: ctx.clock.now() }).where('id', '=', a.id).execute();
    expect(await version()).toBe(before);
    await markMaintenance(ctx, admin, b.id, 'clavier');
    expect(await totals()).toEqual([2, 1, 1, 1]);
    ctx.clock.advance(ctx.policy.heartbeatTimeoutMs + 1000);
    expect(await totals()).toEqual([2, 1, 1, 0]);
    await deleteStation(ctx, admin, a.id);
    expect(await totals()).toEqual([1, 1, 0, 0]);
  });
});
