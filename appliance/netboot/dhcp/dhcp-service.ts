import type { Clock } from '../../../api/shared/clock.ts';
import type { BootPolicy } from './boot-policy.ts';
import { DhcpServer, type DhcpMode } from './dhcp-server.ts';
import type { FullModeSettings } from './full-settings.ts';
import { interfaceIpv4 } from './interface-address.ts';
import { silentLogger, type NetbootLogger } from './logger.ts';
import { NftGuard, type CommandRunner } from './nft-guard.ts';
import { probeForDhcpServer, type ProbeResult } from './rogue-probe.ts';
import { UdpTransport } from './udp-transport.ts';

export interface DhcpServiceConfig {
  mode: DhcpMode;
  /** The station LAN interface, e.g. `enp2s0` or a bridge. Nothing is answered elsewhere. */
  interfaceName: string;
  /**
   * `nftables` (default): install and check the guard table. `none`: only for a box with
   * a single interface, where there is nothing to guard against.
   */
  interfaceGuard?: 'nftables' | 'none';
  /** Full mode only: how long to listen for another DHCP server. undefined: 5000 ms. */
  probeTimeoutMs?: number;
  full?: FullModeSettings;
  replyDelayMs?: number;
  replyDelayByMac?: Record<string, number>;
}

export interface DhcpServiceDeps {
  policy: BootPolicy;
  logger?: NetbootLogger;
  clock?: Clock;
  /** undefined: runs `nft` for real. */
  run?: CommandRunner;
  /** undefined: the real probe. */
  probe?: (serverIp: string) => Promise<ProbeResult>;
}

export interface DhcpService {
  server: DhcpServer;
  serverIp: string;
  close(): Promise<void>;
}

/** Start-up refusals an admin must act on (the message says what to do). */
export class DhcpStartError extends Error {
  override readonly name = 'DhcpStartError';
}

/**
 * Wires the DHCP server to one interface: finds its address, installs the nftables
 * guard, refuses full mode when another DHCP server answers there, then listens.
 */
export async function startDhcpService(config: DhcpServiceConfig, deps: DhcpServiceDeps): Promise<DhcpService> {
  const log = deps.logger ?? silentLogger;
  let address;
  try {
    address = interfaceIpv4(config.interfaceName);
  } catch (err) {
    throw new DhcpStartError((err as Error).message);
  }
  const guard = config.interfaceGuard === 'none' ? undefined : new NftGuard({ interfaceName: config.interfaceName, ...(deps.run ? { run: deps.run } : {}) });
  try {
    await guard?.install();
  } catch (err) {
    throw new DhcpStartError(`dhcp: cannot install the interface guard (nftables): ${(err as Error).message}`);
  }
  try {
    if (config.mode === 'full') await refuseBesideAnotherServer(config, deps, address.address, log);
    const server = await DhcpServer.create({
      mode: config.mode,
      serverIp: address.address,
      policy: deps.policy,
      transport: new UdpTransport({ serverIp: address.address, logger: log }),
      ...(config.full ? { full: config.full } : {}),
      ...(config.replyDelayMs !== undefined ? { replyDelayMs: config.replyDelayMs } : {}),
      ...(config.replyDelayByMac ? { replyDelayByMac: config.replyDelayByMac } : {}),
      logger: log,
      ...(deps.clock ? { clock: deps.clock } : {}),
    });
    await server.start();
    log.info({ interface: config.interfaceName, address: address.cidr, mode: config.mode, guard: guard ? 'nftables' : 'none' }, 'DHCP service started');
    return {
      server,
      serverIp: address.address,
      close: async () => {
        await server.close();
        await guard?.remove();
      },
    };
  } catch (err) {
    await guard?.remove();
    throw err;
  }
}

async function refuseBesideAnotherServer(config: DhcpServiceConfig, deps: DhcpServiceDeps, serverIp: string, log: NetbootLogger): Promise<void> {
  const probe = deps.probe ?? ((ip: string) => probeForDhcpServer({ serverIp: ip, timeoutMs: config.probeTimeoutMs ?? 5000, logger: log }));
  const result = await probe(serverIp);
  if (!result.found) return;
  log.error({ interface: config.interfaceName, otherServer: result.serverId, from: result.from }, 'another DHCP server answers on the station LAN: full mode refused');
  throw new DhcpStartError(
    `dhcp: another DHCP server (${result.serverId}) answers on ${config.interfaceName}; ` +
      'full mode refused — switch DHCP to proxy mode or turn that server off',
  );
}
