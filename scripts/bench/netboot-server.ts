/**
 * One of our netboot servers, run by the netboot bench inside the lab's box namespace:
 *   ip netns exec <box> node <start:built flags> dist/scripts/bench/netboot-server.js '<json>'
 * (compiled with the appliance by netboot-server-entry.ts; BENCH_TSX=1: through tsx).
 * Prints one JSON line on stdout when ready ({"ready":…} or {"error":…}) and stops on
 * SIGTERM. Same modules as the appliance, without the database: the bench measures
 * the protocol servers, not station registration.
 */
import type { FullModeSettings } from '../../appliance/netboot/dhcp/full-settings.ts';
import type { TftpServerOptions } from '../../appliance/netboot/tftp/tftp-server.ts';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';

// Each server's modules are imported only when that server is asked for, so one
// module being reworked elsewhere in the tree does not stop the other parts of the bench.
export type BenchServerConfig =
  | { kind: 'dhcp'; interfaceName: string; full: FullModeSettings }
  | { kind: 'tftp'; options: Omit<TftpServerOptions, 'clock' | 'logger' | 'mapPath' | 'onRequest' | 'onTransferEnd'> }
  | { kind: 'http'; host: string; port: number; imagesDir: string };

type Running = { close(): Promise<void>; stats(): unknown };

async function startDhcp(config: Extract<BenchServerConfig, { kind: 'dhcp' }>): Promise<Running> {
  const { createArchBootPolicy } = await import('../../appliance/netboot/dhcp/arch-boot-policy.ts');
  const { startDhcpService } = await import('../../appliance/netboot/dhcp/dhcp-service.ts');
  const { jsonLineLogger } = await import('../../appliance/netboot/dhcp/logger.ts');
  const logger = jsonLineLogger('bench:dhcp', 'warn');
  const policy = createArchBootPolicy({ httpBaseUrl: 'http://10.77.0.1' });
  // Full mode as in the appliance: nftables guard, the probe for another server, a lease file.
  const service = await startDhcpService({ mode: 'full', interfaceName: config.interfaceName, probeTimeoutMs: 300, full: config.full }, { policy, logger });
  return { close: () => service.close(), stats: () => service.server.stats };
}

async function startTftp(config: Extract<BenchServerConfig, { kind: 'tftp' }>): Promise<Running> {
  const { TftpServer } = await import('../../appliance/netboot/tftp/tftp-server.ts');
  const server = new TftpServer(config.options);
  await server.listen();
  return { close: () => server.close(), stats: () => server.stats };
}

/** The HTTP boot routes alone; the script route's booter is never called by the bench. */
async function startHttp(config: Extract<BenchServerConfig, { kind: 'http' }>): Promise<Running> {
  const { default: Fastify } = await import('fastify');
  const { systemClock } = await import('../../api/shared/clock.ts');
  const { httpBootRoutes } = await import('../../appliance/netboot/http-boot/http-boot-routes.ts');
  const { ImageCatalogue } = await import('../../provisioning/boot/image-catalogue.ts');
  const app = Fastify({ logger: false }).withTypeProvider<TypeBoxTypeProvider>();
  const booter = { scriptFor: () => Promise.reject(new Error('not used by the bench')) };
  await app.register(httpBootRoutes, { booter, catalogue: new ImageCatalogue(config.imagesDir), clock: systemClock, baseUrl: '', scriptRequestsPerMinute: 30 });
  await app.listen({ host: config.host, port: config.port });
  return { close: () => app.close(), stats: () => ({}) };
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]!) as BenchServerConfig;
  let running: Running;
  try {
    running = config.kind === 'dhcp' ? await startDhcp(config) : config.kind === 'tftp' ? await startTftp(config) : await startHttp(config);
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ error: (err as Error).message })}\n`);
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify({ ready: true, pid: process.pid })}\n`);
  process.once('SIGTERM', () => {
    void running.close().then(() => {
      process.stdout.write(`${JSON.stringify({ stopped: running.stats() })}\n`);
      process.exit(0);
    });
  });
}

void main();
