import { isAbsolute, join, resolve } from 'node:path';
import type { BootAdmin } from '../../../api/contract/boot-admin.ts';
import type { DomainContext } from '../../../api/shared/domain-context.ts';
import { createBootAdmin } from '../../../provisioning/boot/boot-admin.ts';
import { ImageCatalogue } from '../../../provisioning/boot/image-catalogue.ts';
import { createStationBooter } from '../../../provisioning/boot/station-booter.ts';
import { WindowBudget } from '../../../provisioning/boot/window-budget.ts';
import type { AppConfig } from '../../config/config-schema.ts';
import type { HttpBootOptions } from './http-boot-routes.ts';

/** How long the boot script's failure message stays before it starts over. */
const FAILED_WAIT_SECONDS = 60;

export function imagesDirOf(config: AppConfig): string {
  const dir = config.netboot.imagesDir;
  return isAbsolute(dir) ? dir : join(resolve(config.dataDir), dir);
}

export interface BootServices {
  catalogue: ImageCatalogue;
  /** Boot profiles and catalogue administration, for the API's admin routes. */
  admin: BootAdmin;
  /** Options of the /boot/* routes (registered only when netboot is enabled). */
  httpBoot: HttpBootOptions;
}

/** Wires the boot policy (provisioning/boot) from the configuration: catalogue, admin, station booter. */
export function createBootServices(ctx: DomainContext, config: AppConfig): BootServices {
  const catalogue = new ImageCatalogue(imagesDirOf(config));
  const nb = config.netboot;
  const booter = createStationBooter({
    ctx,
    catalogue,
    // ctx.policy is the configuration overlaid with the admins' settings, kept current (api/settings/live-policy.ts).
    autoApprove: async () => ctx.policy.autoApprove,
    nonceTtlMs: nb.enrollNonceTtlSeconds * 1000,
    timing: { retries: nb.bootRetries, retryDelaySeconds: nb.bootRetryDelaySeconds, pendingRetrySeconds: nb.waitRetrySeconds, failedWaitSeconds: FAILED_WAIT_SECONDS },
    newStations: new WindowBudget(ctx.clock, { limit: nb.newStationsPerHour, windowMs: 3600_000 }),
  });
  return {
    catalogue,
    admin: createBootAdmin(ctx, catalogue),
    httpBoot: { booter, catalogue, clock: ctx.clock, baseUrl: nb.httpBaseUrl, scriptRequestsPerMinute: nb.scriptRequestsPerMinute },
  };
}
