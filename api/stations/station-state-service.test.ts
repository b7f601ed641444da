import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeClock } from '../shared/clock.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { createBrokenDb, failingWhen, insertInto } from '../testing/broken-db.ts';
import { registerSeenMac } from './station-enrollment.ts';
import { admin, auditTrail, endSession, insertRunningSession, stationsTestContext } from './station-fixtures.ts';
import { approveStation, markAvailable, markMaintenance, markOffline } from './station-state-service.ts';
import { createStation, getStation } from './stations-service.ts';

describe('station states', () => {
  let ctx: DomainContext & { clock: FakeClock };
  let id: number;
  beforeEach(async () => {
    ctx = await stationsTestContext();
    id = (await createStation(ctx, admin, { name: 'Poste 1', mac: '52:54:00:aa:00:01' })).id;
  });
  afterEach(async () => {
    await ctx.db.destroy();
  });

  const stateEvents = async () => (await auditTrail(ctx.db)).filter((e) => e.action !== 'station.created');

  it('goes to maintenance and back with one event each, reason recorded', async () => {
    expect(await markMaintenance(ctx, admin, id, '  écran cassé ')).toMatchObject({ state: 'maintenance', stateReason: 'écran cassé' });
    expect(await markAvailable(ctx, admin, id)).toMatchObject({ state: 'available', stateReason: null });
    expect((await stateEvents()).map((e) => [e.action, e.metadata])).toEqual([
      ['station.state_changed', { from: 'available', to: 'maintenance', reason: 'écran cassé' }],
      ['station.state_changed', { from: 'maintenance', to: 'available', reason: null }],
    ]);
  });

  it('requires a reason for maintenance and offline', async () => {
    await expect(markMaintenance(ctx, admin, id, ' ')).rejects.toMatchObject({ code: 'STATION_REASON_REQUIRED', category: 'invalid' });
    await expect(markOffline(ctx, admin, id, '')).rejects.toMatchObject({ code: 'STATION_REASON_REQUIRED' });
    expect((await getStation(ctx, id)).state).toBe('available');
  });

  it('is idempotent for the same state and reason; a new reason is a new event', async () => {
    await markOffline(ctx, admin, id, 'prêté à la mairie');
    await markOffline(ctx, admin, id, 'prêté à la mairie');
    await markOffline(ctx, admin, id, 'parti en réparation');
    await markAvailable(ctx, admin, id);
    await markAvailable(ctx, admin, id);
    expect((await stateEvents()).map((e) => e.metadata.reason)).toEqual(['prêté à la mairie', 'parti en réparation', null]);
  });

  it('refuses every manual state while a session runs, telling to end it first', async () => {
    const sessionId = await insertRunningSession(ctx.db, id, ctx.clock.now(), 'suspended');
    await ctx.db.updateTable('stations').set({ state: 'occupied' }).where('id', '=', id).execute();
    for (const attempt of [() => markMaintenance(ctx, admin, id, 'panne'), () => markOffline(ctx, admin, id, 'panne'), () => markAvailable(ctx, admin, id)]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'STATION_SESSION_RUNNING', category: 'conflict', details: { sessionId } });
      expect((error as { fr: string }).fr).toContain('terminez-la');
    }
    await endSession(ctx.db, sessionId, ctx.clock.now());
    // A stale "occupied" left behind can be repaired once nothing runs.
    expect(await markAvailable(ctx, admin, id)).toMatchObject({ state: 'available' });
    expect(await stateEvents()).toHaveLength(1);
  });

  it('approves a pending station once, and refuses manual states before that', async () => {
    const { station } = await registerSeenMac(ctx, { mac: '52:54:00:aa:00:02', autoApprove: false });
    await expect(markAvailable(ctx, admin, station.id)).rejects.toMatchObject({ code: 'STATION_PENDING_APPROVAL' });
    await expect(markMaintenance(ctx, admin, station.id, 'x')).rejects.toMatchObject({ code: 'STATION_PENDING_APPROVAL' });
    expect(await approveStation(ctx, admin, station.id)).toMatchObject({ state: 'available' });
    await expect(approveStation(ctx, admin, station.id)).rejects.toMatchObject({ code: 'STATION_NOT_PENDING', details: { state: 'available' } });
    const approved = (await auditTrail(ctx.db)).filter((e) => e.action === 'station.approved');
    expect(approved).toEqual([{ action: 'station.approved', target_id: station.id, actor_type: 'operator', metadata: { from: 'pending', to: 'available', reason: null } }]);
  });

  it('reports an unknown station', async () => {
    await expect(markMaintenance(ctx, admin, 404, 'x')).rejects.toMatchObject({ code: 'STATION_NOT_FOUND' });
    await expect(approveStation(ctx, admin, 404)).rejects.toMatchObject({ code: 'STATION_NOT_FOUND' });
  });

  it('leaves the station unchanged when the audit insert fails', async () => {
    const failing = { ...ctx, db: failingWhen(ctx.db, insertInto('audit_events')) };
    await expect(markMaintenance(failing, admin, id, 'panne')).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect(await getStation(ctx, id)).toMatchObject({ state: 'available', stateReason: null, updatedAt: ctx.clock.now() });
    await expect(markOffline({ ...ctx, db: createBrokenDb() }, admin, id, 'panne')).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
  });
});
