import { reading } from '../../api/db/transaction.ts';
import type { DomainContext } from '../../api/shared/domain-context.ts';
import { registerSeenMac } from '../../api/stations/station-enrollment.ts';
import { findStationByMac } from '../../api/stations/stations-repository.ts';
import type { BootClient } from './dhcp/boot-policy.ts';
import type { NetbootLogger } from './dhcp/logger.ts';

export interface SeenMacsOptions {
  ctx: DomainContext;
  autoApprove: () => Promise<boolean>;
  logger: NetbootLogger;
  /** New stations registered per hour at most (netboot.newStationsPerHour): a flood of invented MACs must not fill the table. */
  newPerHour: number;
  /** MACs remembered as known (no database read for their next packets). Default 4096. */
  rememberMax?: number;
}

/**
 * The DHCP policy's `onClientSeen`: a MAC booting for the first time becomes a station
 * (pending, or available when auto-approved). Firmware sends several packets per boot,
 * so known MACs are remembered and cost nothing; calls for one MAC are not run twice at
 * once. Errors are logged and do not stop the boot answer.
 */
export function createSeenMacs(options: SeenMacsOptions): (client: BootClient) => Promise<void> {
  const { ctx, logger } = options;
  const known = new Set<string>();
  const running = new Map<string, Promise<void>>();
  const perHour = options.newPerHour;
  const rememberMax = options.rememberMax ?? 4096;
  let window = { start: Number.NEGATIVE_INFINITY, used: 0 };

  function remember(mac: string): void {
    known.add(mac);
    if (known.size > rememberMax) known.delete(known.values().next().value as string);
  }

  function budgetLeft(): boolean {
    const now = ctx.clock.now();
    if (now - window.start >= 3600_000) window = { start: now, used: 0 };
    if (window.used >= perHour) return false;
    window.used += 1;
    return true;
  }

  async function register(mac: string, client: BootClient): Promise<void> {
    if ((await reading(() => findStationByMac(ctx.db, mac))) !== undefined) return remember(mac);
    if (!budgetLeft()) {
      logger.warn({ mac }, 'netboot: too many new stations this hour (netboot.newStationsPerHour), registration deferred to a later boot');
      return;
    }
    const { station, created } = await registerSeenMac(ctx, { mac, autoApprove: await options.autoApprove() });
    remember(mac);
    if (created) logger.info({ mac, stationId: station.id, name: station.name, state: station.state, arch: client.arch, ipxe: client.isIpxe }, 'netboot: new station registered');
  }

  return async (client: BootClient) => {
    const mac = client.mac;
    if (known.has(mac)) return;
    const pending = running.get(mac);
    if (pending) return pending;
    const work = register(mac, client)
      .catch((error: unknown) => logger.error({ mac, err: error instanceof Error ? error.message : String(error) }, 'netboot: station registration failed'))
      .finally(() => running.delete(mac));
    running.set(mac, work);
    return work;
  };
}
