import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBrokenDb, failingWhen, insertInto } from '../testing/broken-db.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import type { FakeClock } from '../shared/clock.ts';
import { admin, auditTrail, endSession, insertRunningSession, stationsTestContext } from './station-fixtures.ts';
import { insertStation, stationTransaction } from './stations-repository.ts';
import { createStation, deleteStation, getStation, updateStation } from './stations-service.ts';

describe('stations service', () => {
  let ctx: DomainContext & { clock: FakeClock };
  beforeEach(async () => {
    ctx = await stationsTestContext();
  });
  afterEach(async () => {
    await ctx.db.destroy();
  });

  it('creates an available station in normal form, with one audit event', async () => {
    const view = await createStation(ctx, admin, { name: ' Poste  1 ', mac: '52-54-00-AA-00-01', ip: '192.168.50.11' });
    expect(view).toMatchObject({ name: 'Poste 1', mac: '52:54:00:aa:00:01', ip: '192.168.50.11', state: 'available', online: false, liveSession: null });
    expect(await auditTrail(ctx.db)).toEqual([
      { action: 'station.created', target_id: view.id, actor_type: 'operator', metadata: { name: 'Poste 1', mac: '52:54:00:aa:00:01', ip: '192.168.50.11', state: 'available' } },
    ]);
  });

  it('refuses a MAC already used, whatever its notation', async () => {
    const first = await createStation(ctx, admin, { name: 'Poste 1', mac: '52:54:00:aa:00:01' });
    await expect(createStation(ctx, admin, { name: 'Poste 2', mac: '5254.00AA.0001' })).rejects.toMatchObject({
      code: 'STATION_MAC_TAKEN',
      category: 'conflict',
      details: { field: 'mac', stationId: first.id },
    });
    expect(await ctx.db.selectFrom('stations').select('id').execute()).toHaveLength(1);
    expect(await auditTrail(ctx.db)).toHaveLength(1);
  });

  it('refuses a duplicate IP and a duplicate name (case-insensitive)', async () => {
    await createStation(ctx, admin, { name: 'Poste 1', mac: '52:54:00:aa:00:01', ip: '192.168.50.11' });
    await expect(createStation(ctx, admin, { name: 'Poste 2', mac: '52:54:00:aa:00:02', ip: '192.168.50.11' })).rejects.toMatchObject({ code: 'STATION_IP_TAKEN' });
    await expect(createStation(ctx, admin, { name: 'POSTE 1', mac: '52:54:00:aa:00:03' })).rejects.toMatchObject({ code: 'STATION_NAME_TAKEN' });
  });

  it('refuses bad input before touching storage', async () => {
    await expect(createStation(ctx, admin, { name: 'Poste 1', mac: 'ff:ff:ff:ff:ff:ff' })).rejects.toMatchObject({ code: 'STATION_MAC_NOT_UNICAST' });
    await expect(createStation(ctx, admin, { name: 'Poste 1', mac: '52:54:00:aa:00:01', ip: '10.0.0' })).rejects.toMatchObject({ code: 'STATION_IP_INVALID' });
    await expect(createStation(ctx, admin, { name: '', mac: '52:54:00:aa:00:01' })).rejects.toMatchObject({ code: 'STATION_NAME_INVALID' });
    expect(await ctx.db.selectFrom('stations').select('id').execute()).toHaveLength(0);
  });

  it('updates only what changed and audits the changes; a no-op writes nothing', async () => {
    const s = await createStation(ctx, admin, { name: 'Poste 1', mac: '52:54:00:aa:00:01', ip: '192.168.50.11' });
    ctx.clock.advance(1000);
    const updated = await updateStation(ctx, admin, s.id, { name: 'Accueil', mac: '52:54:00:AA:00:01', ip: null });
    expect(updated).toMatchObject({ name: 'Accueil', mac: '52:54:00:aa:00:01', ip: null, updatedAt: s.createdAt + 1000 });
    await updateStation(ctx, admin, s.id, { name: 'Accueil' });
    const trail = await auditTrail(ctx.db);
    expect(trail.map((e) => e.action)).toEqual(['station.created', 'station.updated']);
    expect(trail[1]!.metadata).toEqual({ changes: { name: { from: 'Poste 1', to: 'Accueil' }, ip: { from: '192.168.50.11', to: null } } });
  });

  it('refuses an update onto another station\'s MAC or IP, and keeps its own', async () => {
    await createStation(ctx, admin, { name: 'Poste 1', mac: '52:54:00:aa:00:01', ip: '192.168.50.11' });
    const s2 = await createStation(ctx, admin, { name: 'Poste 2', mac: '52:54:00:aa:00:02', ip: '192.168.50.12' });
    await expect(updateStation(ctx, admin, s2.id, { mac: '525400aa0001' })).rejects.toMatchObject({ code: 'STATION_MAC_TAKEN' });
    await expect(updateStation(ctx, admin, s2.id, { ip: '192.168.50.11' })).rejects.toMatchObject({ code: 'STATION_IP_TAKEN' });
    expect(await getStation(ctx, s2.id)).toMatchObject({ mac: '52:54:00:aa:00:02', ip: '192.168.50.12' });
    await expect(updateStation(ctx, admin, 999, { name: 'x' })).rejects.toMatchObject({ code: 'STATION_NOT_FOUND', category: 'not_found' });
  });

  it('shows the running session with the station', async () => {
    const s = await createStation(ctx, admin, { name: 'Poste 1', mac: '52:54:00:aa:00:01' });
    const sessionId = await insertRunningSession(ctx.db, s.id, ctx.clock.now());
    ctx.clock.advance(60_000);
    expect((await getStation(ctx, s.id)).liveSession).toMatchObject({ id: sessionId, status: 'active', remainingMs: 1_740_000 });
  });

  it('soft-deletes: the station disappears, its name/MAC/IP are free, sessions keep their link', async () => {
    const s = await createStation(ctx, admin, { name: 'Poste 1', mac: '52:54:00:aa:00:01', ip: '192.168.50.11' });
    const sessionId = await insertRunningSession(ctx.db, s.id, ctx.clock.now());
    await expect(deleteStation(ctx, admin, s.id)).rejects.toMatchObject({ code: 'STATION_SESSION_RUNNING', details: { sessionId } });
    await endSession(ctx.db, sessionId, ctx.clock.now());
    await deleteStation(ctx, admin, s.id);
    await expect(getStation(ctx, s.id)).rejects.toMatchObject({ code: 'STATION_NOT_FOUND' });
    await expect(deleteStation(ctx, admin, s.id)).rejects.toMatchObject({ code: 'STATION_NOT_FOUND' });
    const again = await createStation(ctx, admin, { name: 'poste 1', mac: '52:54:00:aa:00:01', ip: '192.168.50.11' });
    expect(again.id).not.toBe(s.id);
    const session = await ctx.db.selectFrom('sessions').select('station_id').where('id', '=', sessionId).executeTakeFirstOrThrow();
    expect(session.station_id).toBe(s.id);
    expect((await auditTrail(ctx.db)).map((e) => e.action)).toEqual(['station.created', 'station.deleted', 'station.created']);
  });

  it('maps a UNIQUE violation the pre-checks missed (concurrent writer) to a conflict', async () => {
    await createStation(ctx, admin, { name: 'Poste 1', mac: '52:54:00:aa:00:01' });
    const row = { ip: null, state: 'available' as const, state_reason: null, last_heartbeat_at: null, agent_version: null, deleted_at: null, created_at: 0, updated_at: 0 };
    for (const clash of [{ name: 'poste 1', mac: '52:54:00:aa:00:09' }, { name: 'Poste 9', mac: '52:54:00:aa:00:01' }]) {
      await expect(stationTransaction(ctx.db, (trx) => insertStation(trx, { ...row, ...clash }))).rejects.toMatchObject({ code: 'STATION_DUPLICATE', category: 'conflict' });
    }
  });

  it('turns a broken database into STORAGE_FAILURE', async () => {
    const broken = { ...ctx, db: createBrokenDb() };
    await expect(createStation(broken, admin, { name: 'Poste 1', mac: '52:54:00:aa:00:01' })).rejects.toMatchObject({ code: 'STORAGE_FAILURE', category: 'unavailable' });
    await expect(getStation(broken, 1)).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
  });

  it('writes nothing when the audit insert fails', async () => {
    const s = await createStation(ctx, admin, { name: 'Poste 1', mac: '52:54:00:aa:00:01' });
    const failing = { ...ctx, db: failingWhen(ctx.db, insertInto('audit_events')) };
    await expect(createStation(failing, admin, { name: 'Poste 2', mac: '52:54:00:aa:00:02' })).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    await expect(updateStation(failing, admin, s.id, { name: 'Renamed' })).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    await expect(deleteStation(failing, admin, s.id)).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    const rows = await ctx.db.selectFrom('stations').selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: 'Poste 1', deleted_at: null });
  });
});
