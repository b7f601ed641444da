/**
 * Entry script the namespace tests run inside the box namespace:
 *   ip netns exec <box> node --import tsx dhcp-box.ts <config.json>
 * Prints one JSON line on stdout ({"ready":…} or {"error":…}), logs JSON lines on
 * stderr, and closes cleanly on SIGTERM.
 */
import { readFileSync } from 'node:fs';
import { createArchBootPolicy, type ArchBootPolicyOptions } from '../../../appliance/netboot/dhcp/arch-boot-policy.ts';
import { DhcpStartError, startDhcpService, type DhcpServiceConfig } from '../../../appliance/netboot/dhcp/dhcp-service.ts';
import { jsonLineLogger, type LogLevel } from '../../../appliance/netboot/dhcp/logger.ts';

export interface DhcpBoxConfig {
  service: DhcpServiceConfig;
  policy: ArchBootPolicyOptions;
  /** undefined: info. */
  logLevel?: LogLevel;
}

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as DhcpBoxConfig;
  const logger = jsonLineLogger('netboot:dhcp', config.logLevel ?? 'info');
  const policy = createArchBootPolicy({
    ...config.policy,
    onClientSeen: (client) => logger.info({ mac: client.mac, arch: client.arch, ipxe: client.isIpxe }, 'client seen'),
  });
  try {
    const service = await startDhcpService(config.service, { policy, logger });
    process.stdout.write(`${JSON.stringify({ ready: true, serverIp: service.serverIp })}\n`);
    const stop = (): void => {
      void service.close().then(() => {
        process.stdout.write(`${JSON.stringify({ stopped: service.server.stats })}\n`);
        process.exit(0);
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } catch (err) {
    const refused = err instanceof DhcpStartError;
    process.stdout.write(`${JSON.stringify({ error: (err as Error).message, refused })}\n`);
    process.exit(refused ? 3 : 1);
  }
}

void main();
