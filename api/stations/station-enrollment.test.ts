import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeClock } from '../shared/clock.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { createBrokenDb, failingWhen, insertInto } from '../testing/broken-db.ts';
import { registerSeenMac } from './station-enrollment.ts';
import { admin, auditTrail, stationsTestContext } from './station-fixtures.ts';
import { createStation, deleteStation } from './stations-service.ts';

describe('enrollment of MACs seen at boot', () => {
  let ctx: DomainContext & { clock: FakeClock };
  beforeEach(async () => {
    ctx = await stationsTestContext();
  });
  afterEach(async () => {
    await ctx.db.destroy();
  });

  it('makes an unknown MAC a pending station named after its last bytes', async () => {
    const result = await registerSeenMac(ctx, { mac: '52-54-00-12-AB-CD', autoApprove: false, ip: '192.168.50.30' });
    expect(result).toMatchObject({ created: true, station: { name: 'poste-12abcd', mac: '52:54:00:12:ab:cd', ip: '192.168.50.30', state: 'pending' } });
    expect(await auditTrail(ctx.db)).toEqual([
      {
        action: 'station.enrolled',
        target_id: result.station.id,
        actor_type: 'system',
        metadata: { name: 'poste-12abcd', mac: '52:54:00:12:ab:cd', ip: '192.168.50.30', state: 'pending', autoApproved: false },
      },
    ]);
  });

  it('auto-approves when the site says so', async () => {
    const result = await registerSeenMac(ctx, { mac: '525400000001', autoApprove: true });
    expect(result.station.state).toBe('available');
  });

  it('is idempotent across notations: a known MAC writes nothing', async () => {
    const first = await registerSeenMac(ctx, { mac: '52:54:00:12:ab:cd', autoApprove: false });
    const again = await registerSeenMac(ctx, { mac: '5254.0012.ABCD', autoApprove: true });
    expect(again).toMatchObject({ created: false, station: { id: first.station.id, state: 'pending' } });
    expect(await auditTrail(ctx.db)).toHaveLength(1);
  });

  it('picks a free name and drops an IP another station holds', async () => {
    await createStation(ctx, admin, { name: 'Poste-12ABCD', mac: '52:54:00:00:00:09', ip: '192.168.50.30' });
    const result = await registerSeenMac(ctx, { mac: '52:54:00:12:ab:cd', autoApprove: false, ip: '192.168.50.30' });
    expect(result.station).toMatchObject({ name: 'poste-12abcd-2', ip: null });
  });

  it('enrolls again a MAC whose station was deleted', async () => {
    const first = await registerSeenMac(ctx, { mac: '52:54:00:12:ab:cd', autoApprove: true });
    await deleteStation(ctx, admin, first.station.id);
    const again = await registerSeenMac(ctx, { mac: '52:54:00:12:ab:cd', autoApprove: false });
    expect(again).toMatchObject({ created: true, station: { name: 'poste-12abcd', state: 'pending' } });
    expect(again.station.id).not.toBe(first.station.id);
  });

  it('refuses a multicast MAC and survives storage failures without a half-enrolled station', async () => {
    await expect(registerSeenMac(ctx, { mac: '01:00:5e:00:00:01', autoApprove: true })).rejects.toMatchObject({ code: 'STATION_MAC_NOT_UNICAST' });
    await expect(registerSeenMac({ ...ctx, db: createBrokenDb() }, { mac: '52:54:00:12:ab:cd', autoApprove: true })).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    const failing = { ...ctx, db: failingWhen(ctx.db, insertInto('audit_events')) };
    await expect(registerSeenMac(failing, { mac: '52:54:00:12:ab:cd', autoApprove: true })).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect(await ctx.db.selectFrom('stations').select('id').execute()).toHaveLength(0);
  });
});
