import { afterEach, describe, expect, it } from 'vitest';
import { failingWhen, insertInto } from '../../api/testing/broken-db.ts';
import { stationsTestContext } from '../../api/stations/station-fixtures.ts';
import type { DomainContext } from '../../api/shared/domain-context.ts';
import type { FakeClock } from '../../api/shared/clock.ts';
import type { BootClient } from './dhcp/boot-policy.ts';
import { memoryLogger } from './dhcp/testing/memory-logger.ts';
import { createSeenMacs } from './seen-macs.ts';

const client = (mac: string): BootClient => ({ mac, arch: 7, isIpxe: false, userClass: [], vendorClass: 'PXEClient:Arch:00007:UNDI:003000', machineId: undefined });

let ctx: DomainContext & { clock: FakeClock };
afterEach(async () => ctx?.db.destroy());

async function stations() {
  return ctx.db.selectFrom('stations').select(['mac', 'state']).orderBy('id').execute();
}

async function enrolledEvents() {
  return ctx.db.selectFrom('audit_events').select('action').where('action', '=', 'station.enrolled').execute();
}

describe('stations from the MACs DHCP sees', () => {
  it('registers an unknown MAC once, pending by default, however many packets its boot sends', async () => {
    ctx = await stationsTestContext();
    const logger = memoryLogger();
    const seen = createSeenMacs({ ctx, autoApprove: async () => ctx.policy.autoApprove, logger, newPerHour: 10 });
    await Promise.all([seen(client('52:54:00:00:00:01')), seen(client('52:54:00:00:00:01'))]);
    await seen(client('52:54:00:00:00:01'));
    expect(await stations()).toEqual([{ mac: '52:54:00:00:00:01', state: 'pending' }]);
    expect(await enrolledEvents()).toHaveLength(1);
    expect(logger.lines.filter((l) => l.message === 'netboot: new station registered')).toHaveLength(1);
  });

  it('makes the station available when the policy in force auto-approves, read at each new MAC', async () => {
    ctx = await stationsTestContext();
    ctx.policy = { ...ctx.policy, autoApprove: true };
    const seen = createSeenMacs({ ctx, autoApprove: async () => ctx.policy.autoApprove, logger: memoryLogger(), newPerHour: 10 });
    await seen(client('52:54:00:00:00:02'));
    // What keepPolicyCurrent does when an admin changes stations.autoApprove.
    ctx.policy = { ...ctx.policy, autoApprove: false };
    await seen(client('52:54:00:00:00:03'));
    expect(await stations()).toEqual([
      { mac: '52:54:00:00:00:02', state: 'available' },
      { mac: '52:54:00:00:00:03', state: 'pending' },
    ]);
  });

  it('registers at most newPerHour new MACs an hour, then again in the next hour', async () => {
    ctx = await stationsTestContext();
    const logger = memoryLogger();
    const seen = createSeenMacs({ ctx, autoApprove: async () => false, logger, newPerHour: 2 });
    for (const n of [1, 2, 3]) await seen(client(`52:54:00:00:01:0${n}`));
    expect(await stations()).toHaveLength(2);
    expect(logger.lines.some((l) => l.level === 'warn' && l.fields.mac === '52:54:00:00:01:03')).toBe(true);
    ctx.clock.advance(3600_000);
    await seen(client('52:54:00:00:01:03'));
    expect(await stations()).toHaveLength(3);
  });

  it('logs a storage failure, never throws, and leaves no half-written station; the next boot registers it', async () => {
    ctx = await stationsTestContext();
    const healthy = ctx.db;
    const logger = memoryLogger();
    const broken = { ...ctx, db: failingWhen(healthy, insertInto('audit_events')) };
    await expect(createSeenMacs({ ctx: broken, autoApprove: async () => false, logger, newPerHour: 10 })(client('52:54:00:00:00:04'))).resolves.toBeUndefined();
    expect(logger.lines.some((l) => l.level === 'error' && l.message === 'netboot: station registration failed' && l.fields.mac === '52:54:00:00:00:04')).toBe(true);
    expect(await stations()).toEqual([]);
    await createSeenMacs({ ctx, autoApprove: async () => false, logger, newPerHour: 10 })(client('52:54:00:00:00:04'));
    expect(await stations()).toEqual([{ mac: '52:54:00:00:00:04', state: 'pending' }]);
  });
});
