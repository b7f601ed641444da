import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeClock } from '../shared/clock.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { createBrokenDb, failingWhen, insertInto } from '../testing/broken-db.ts';
import { registerSeenMac } from './station-enrollment.ts';
import { admin, auditTrail, insertRunningSession, stationsTestContext } from './station-fixtures.ts';
import { markSilentStationsOffline, recordHeartbeat } from './station-heartbeat.ts';
import { markMaintenance, markOffline } from './station-state-service.ts';
import { createStation, deleteStation, getStation } from './stations-service.ts';

describe('heartbeats and the silence sweep', () => {
  let ctx: DomainContext & { clock: FakeClock };
  let id: number;
  beforeEach(async () => {
    ctx = await stationsTestContext();
    id = (await createStation(ctx, admin, { name: 'Poste 1', mac: '52:54:00:aa:00:01' })).id;
  });
  afterEach(async () => {
    await ctx.db.destroy();
  });

  const actions = async () => (await auditTrail(ctx.db)).map((e) => e.action);

  it('records the heartbeat, agent version and IP without auditing', async () => {
    ctx.clock.advance(5000);
    const result = await recordHeartbeat(ctx, id, { agentVersion: '1.3.0', ip: '192.168.50.21' });
    expect(result).toMatchObject({ cameOnline: false, ipConflictWith: null });
    expect(result.station).toMatchObject({ online: true, secondsSinceHeartbeat: 0, agentVersion: '1.3.0', ip: '192.168.50.21', lastHeartbeatAt: ctx.clock.now() });
    ctx.clock.advance(31_000);
    expect(await getStation(ctx, id)).toMatchObject({ online: false, secondsSinceHeartbeat: 31, state: 'available' });
    expect(await actions()).toEqual(['station.created']);
  });

  it('does not take over an IP another station holds', async () => {
    const other = await createStation(ctx, admin, { name: 'Poste 2', mac: '52:54:00:aa:00:02', ip: '192.168.50.22' });
    await recordHeartbeat(ctx, id, { ip: '192.168.50.21' });
    const result = await recordHeartbeat(ctx, id, { ip: '192.168.50.22' });
    expect(result.ipConflictWith).toBe(other.id);
    expect(result.station.ip).toBe('192.168.50.21');
    expect(result.station.lastHeartbeatAt).toBe(ctx.clock.now());
  });

  it('refuses a bad agent version or IP, an unknown or deleted station', async () => {
    await expect(recordHeartbeat(ctx, id, { agentVersion: 'x y' })).rejects.toMatchObject({ code: 'STATION_AGENT_VERSION_INVALID' });
    await expect(recordHeartbeat(ctx, id, { ip: '300.1.1.1' })).rejects.toMatchObject({ code: 'STATION_IP_INVALID' });
    expect((await getStation(ctx, id)).lastHeartbeatAt).toBeNull();
    await expect(recordHeartbeat(ctx, 999)).rejects.toMatchObject({ code: 'STATION_NOT_FOUND' });
    await deleteStation(ctx, admin, id);
    await expect(recordHeartbeat(ctx, id)).rejects.toMatchObject({ code: 'STATION_NOT_FOUND' });
  });

  it('sweeps silent stations offline, leaving maintenance, pending and lively ones', async () => {
    const lively = (await createStation(ctx, admin, { name: 'Poste 2', mac: '52:54:00:aa:00:02' })).id;
    const repair = (await createStation(ctx, admin, { name: 'Poste 3', mac: '52:54:00:aa:00:03' })).id;
    await markMaintenance(ctx, admin, repair, 'clavier');
    const pending = (await registerSeenMac(ctx, { mac: '52:54:00:aa:00:04', autoApprove: false })).station.id;
    ctx.clock.advance(20_000);
    await recordHeartbeat(ctx, id);
    await recordHeartbeat(ctx, lively);
    ctx.clock.advance(25_000);
    await recordHeartbeat(ctx, lively);
    ctx.clock.advance(6_000); // Poste 1 silent for 31 s, Poste 2 for 6 s.
    expect(await markSilentStationsOffline(ctx, ctx.clock.now())).toEqual([id]);
    expect(await markSilentStationsOffline(ctx, ctx.clock.now())).toEqual([]);
    expect(await getStation(ctx, id)).toMatchObject({ state: 'offline', stateReason: 'no heartbeat' });
    expect((await getStation(ctx, repair)).state).toBe('maintenance');
    expect((await getStation(ctx, pending)).state).toBe('pending');
    const wentOffline = (await auditTrail(ctx.db)).filter((e) => e.action === 'station.went_offline');
    expect(wentOffline).toEqual([
      { action: 'station.went_offline', target_id: id, actor_type: 'system', metadata: { from: 'available', to: 'offline', reason: 'no heartbeat', lastHeartbeatAt: ctx.clock.now() - 31_000 } },
    ]);
  });

  it('a room going silent at once: the sweep lets the loop serve others between stations', async () => {
    for (let i = 2; i <= 20; i += 1) await createStation(ctx, admin, { name: `Poste ${i}`, mac: `52:54:00:aa:01:${i.toString(16).padStart(2, '0')}` });
    ctx.clock.advance(60_000);
    let turns = 0;
    const tick = (): void => {
      turns += 1;
      if (turns < 1000) setImmediate(tick);
    };
    setImmediate(tick);
    const swept = await markSilentStationsOffline(ctx, ctx.clock.now());
    const turnsDuringSweep = turns;
    turns = 1000; // stop ticking
    expect(swept).toHaveLength(20);
    // One station at a time, with a loop turn between: a request or a heartbeat waiting gets its go.
    expect(turnsDuringSweep).toBeGreaterThanOrEqual(19);
  });

  it('counts a never-heard station from its creation', async () => {
    ctx.clock.advance(30_000);
    expect(await markSilentStationsOffline(ctx, ctx.clock.now())).toEqual([]);
    ctx.clock.advance(1);
    expect(await markSilentStationsOffline(ctx, ctx.clock.now())).toEqual([id]);
  });

  it('brings a silent station back: available, or occupied when its session kept running', async () => {
    const busy = (await createStation(ctx, admin, { name: 'Poste 2', mac: '52:54:00:aa:00:02' })).id;
    await ctx.db.updateTable('stations').set({ state: 'occupied' }).where('id', '=', busy).execute();
    const sessionId = await insertRunningSession(ctx.db, busy, ctx.clock.now());
    ctx.clock.advance(60_000);
    expect(await markSilentStationsOffline(ctx, ctx.clock.now())).toEqual([id, busy]);
    const back = await recordHeartbeat(ctx, id);
    expect(back).toMatchObject({ cameOnline: true, station: { state: 'available', stateReason: null, online: true } });
    const backBusy = await recordHeartbeat(ctx, busy);
    expect(backBusy).toMatchObject({ cameOnline: true, station: { state: 'occupied', liveSession: { id: sessionId } } });
    expect((await recordHeartbeat(ctx, id)).cameOnline).toBe(false);
    const cameOnline = (await auditTrail(ctx.db)).filter((e) => e.action === 'station.came_online');
    expect(cameOnline.map((e) => [e.target_id, e.actor_type, e.metadata])).toEqual([
      [id, 'station', { from: 'offline', to: 'available', reason: null }],
      [busy, 'station', { from: 'offline', to: 'occupied', reason: null }],
    ]);
  });

  it('keeps an operator\'s "offline" through heartbeats', async () => {
    await markOffline(ctx, admin, id, 'prêté à la mairie');
    const result = await recordHeartbeat(ctx, id);
    expect(result).toMatchObject({ cameOnline: false, station: { state: 'offline', stateReason: 'prêté à la mairie', online: true } });
  });

  it('keeps the station offline and the heartbeat unrecorded when the audit insert fails', async () => {
    ctx.clock.advance(60_000);
    await markSilentStationsOffline(ctx, ctx.clock.now());
    const failing = { ...ctx, db: failingWhen(ctx.db, insertInto('audit_events')) };
    ctx.clock.advance(1000);
    await expect(recordHeartbeat(failing, id, { agentVersion: '2.0.0' })).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect(await getStation(ctx, id)).toMatchObject({ state: 'offline', lastHeartbeatAt: null, agentVersion: null });
    await expect(markSilentStationsOffline({ ...ctx, db: createBrokenDb() }, ctx.clock.now())).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
  });

  it('sweep failure on the audit insert leaves the station as it was', async () => {
    ctx.clock.advance(60_000);
    const failing = { ...ctx, db: failingWhen(ctx.db, insertInto('audit_events')) };
    await expect(markSilentStationsOffline(failing, ctx.clock.now())).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect((await getStation(ctx, id)).state).toBe('available');
  });
});
