import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import type { DomainContext } from '../../api/shared/domain-context.ts';
import type { AppConfig } from '../config/config-schema.ts';
import { createArchBootPolicy } from './dhcp/arch-boot-policy.ts';
import type { BootPolicy } from './dhcp/boot-policy.ts';
import { startDhcpService, type DhcpService, type DhcpServiceDeps } from './dhcp/dhcp-service.ts';
import type { FullModeSettings } from './dhcp/full-settings.ts';
import { interfaceIpv4 } from './dhcp/interface-address.ts';
import type { NetbootLogger } from './dhcp/logger.ts';
import type { CommandRunner } from './dhcp/nft-guard.ts';
import { stageBootFiles } from './boot-files.ts';
import { macForIp } from './neighbour-mac.ts';
import { bootFileByMac, fullModeSettings, httpBaseUrl, NetbootConfigError, replyDelayByMac, type LanAddress, type NetbootConfig } from './netboot-settings.ts';
import { createSeenMacs } from './seen-macs.ts';
import { TftpServer, type TftpLogger, type TftpTransferEvent } from './tftp/tftp-server.ts';

export { NetbootConfigError } from './netboot-settings.ts';

export interface NetbootServiceOptions {
  config: NetbootConfig;
  dataDir: string;
  /** Where the panel listens (the real port, after listen): the default HTTP boot URL. */
  http: { host: string; port: number };
  ctx: DomainContext;
  /** Enrollment policy in force when a new MAC shows up (the appliance reads ctx.policy, which follows the settings). */
  autoApprove: () => Promise<boolean>;
  /** Unknown MACs registered as stations per hour at most (netboot.newStationsPerHour). Default 200. */
  newStationsPerHour?: number;
  /** pino's call shape; the appliance passes `app.log.child({ subsystem: 'netboot' })`. */
  logger: NetbootLogger;
  /** The protocol servers' lines (subsystems `netboot:dhcp`, `netboot:tftp`); default `logger`. */
  dhcpLogger?: NetbootLogger;
  tftpLogger?: NetbootLogger;
  /** Test seams: the nftables runner, the TFTP port (default 69). */
  runCommand?: CommandRunner;
  tftpPort?: number;
}

export interface NetbootStatus {
  interface: string;
  serverIp: string;
  dhcp: NetbootConfig['dhcp']['mode'];
  /** `root` is the box's copy of the boot files (`<dataDir>/tftp`), taken from `source`. */
  tftp: { address: string; port: number; root: string; source: string; files: string[] };
  httpBaseUrl: string;
}

export interface NetbootService {
  readonly status: NetbootStatus;
  readonly policy: BootPolicy;
  close(): Promise<void>;
}

/** The box's address on the station interface: the configured one, checked, or the first. */
function lanAddress(config: NetbootConfig): LanAddress {
  if (config.interface === '') throw new NetbootConfigError('config: netboot is on but netboot.interface is empty: name the station LAN interface (e.g. enp2s0 or br0)');
  let first: LanAddress;
  try {
    first = interfaceIpv4(config.interface);
  } catch (error) {
    throw new NetbootConfigError(`netboot: ${(error as Error).message.replace(/^dhcp: /, '')}`);
  }
  if (config.serverAddress === '' || config.serverAddress === first.address) return first;
  const prefix = first.cidr.split('/')[1];
  const listed = interfaceIpv4Addresses(config.interface);
  if (!listed.includes(config.serverAddress)) {
    throw new NetbootConfigError(`config: netboot.serverAddress ${config.serverAddress} is not an address of ${config.interface} (it has ${listed.join(', ')})`);
  }
  return { address: config.serverAddress, cidr: `${config.serverAddress}/${prefix}` };
}

function interfaceIpv4Addresses(name: string): string[] {
  return (networkInterfaces()[name] ?? []).filter((e) => e.family === 'IPv4').map((e) => e.address);
}

/**
 * Netboot in the appliance: TFTP serving the iPXE binaries (copied into `<dataDir>/tftp`,
 * see stageBootFiles) and DHCP (proxy or full)
 * with the standard chain policy — firmware gets the iPXE binary for its arch, iPXE
 * gets `<httpBaseUrl>/boot/ipxe?mac=…&arch=…` (served by the HTTP boot routes on the
 * panel's server). Every MAC a booting machine shows becomes a station. Each step is
 * logged with the station's MAC. A failure at start closes what was opened.
 */
export async function startNetbootService(options: NetbootServiceOptions): Promise<NetbootService> {
  const { config, logger } = options;
  const dhcpLog = options.dhcpLogger ?? logger;
  const tftpLog = options.tftpLogger ?? logger;
  const lan = lanAddress(config);
  const baseUrl = httpBaseUrl(config, lan, options.http);
  const onClientSeen = createSeenMacs({ ctx: options.ctx, autoApprove: options.autoApprove, logger, newPerHour: options.newStationsPerHour ?? 200 });
  const perMac = bootFileByMac(config);
  const policy = createArchBootPolicy({ httpBaseUrl: baseUrl, biosBootFile: config.biosBootFile, uefiBootFile: config.uefiBootFile, bootFileByMac: perMac, onClientSeen });
  // Every setting is checked before anything binds.
  const delays = replyDelayByMac(config);
  const full = config.dhcp.mode === 'full' ? fullModeSettings(config, lan, options.dataDir) : undefined;
  const files = await stageBootFiles(config.tftp.root, [config.biosBootFile, config.uefiBootFile, ...Object.values(perMac)], join(resolve(options.dataDir), 'tftp'), logger);

  const tftp = new TftpServer({
    root: files.dir,
    host: lan.address,
    port: options.tftpPort ?? 69,
    maxBlockSize: config.tftp.maxBlockSize,
    answerSpinMicros: config.tftp.answerSpinMicros,
    logger: tftpLogger(tftpLog),
    onTransferEnd: (event) => void logTransfer(event, tftpLog),
  });
  const bound = await tftp.listen();
  let dhcp: DhcpService | undefined;
  try {
    if (config.dhcp.mode !== 'off') dhcp = await startDhcp(config, full, delays, { policy, logger: dhcpLog, clock: options.ctx.clock, ...(options.runCommand ? { run: options.runCommand } : {}) });
  } catch (error) {
    await tftp.close();
    throw error;
  }
  const status: NetbootStatus = { interface: config.interface, serverIp: lan.address, dhcp: config.dhcp.mode, tftp: { ...bound, root: files.dir, source: config.tftp.root, files: files.staged }, httpBaseUrl: baseUrl };
  logger.info({ ...status }, 'netboot started');
  return {
    status,
    policy,
    close: async () => {
      await dhcp?.close();
      await tftp.close();
      logger.info({}, 'netboot stopped');
    },
  };
}

function startDhcp(config: NetbootConfig, full: FullModeSettings | undefined, delays: Record<string, number>, deps: DhcpServiceDeps): Promise<DhcpService> {
  if (config.dhcp.mode === 'off') throw new Error('netboot: DHCP is off');
  return startDhcpService(
    {
      mode: config.dhcp.mode,
      interfaceName: config.interface,
      interfaceGuard: config.dhcp.interfaceGuard,
      probeTimeoutMs: config.dhcp.probeTimeoutMs,
      replyDelayMs: config.dhcp.replyDelayMs,
      replyDelayByMac: delays,
      ...(full ? { full } : {}),
    },
    deps,
  );
}

/** The TFTP server's own end-of-transfer lines go to debug: logTransfer writes the per-MAC line. */
function tftpLogger(logger: NetbootLogger): TftpLogger {
  const quiet = new Set(['tftp: transfer ended', 'tftp: request refused']);
  return {
    debug: (obj, msg) => logger.debug({ ...obj }, msg),
    info: (obj, msg) => (quiet.has(msg) ? logger.debug({ ...obj }, msg) : logger.info({ ...obj }, msg)),
    warn: (obj, msg) => logger.warn({ ...obj }, msg),
  };
}

async function logTransfer(event: TftpTransferEvent, logger: NetbootLogger): Promise<void> {
  const mac = await macForIp(event.peer.address);
  const fields = {
    mac: mac ?? 'unknown',
    ip: event.peer.address,
    file: event.file,
    outcome: event.outcome,
    bytes: event.bytesSent,
    ms: event.durationMs,
    ...(event.blockSize ? { blockSize: event.blockSize } : {}),
    ...(event.detail ? { detail: event.detail } : {}),
  };
  if (event.outcome === 'complete' || event.outcome === 'complete-unconfirmed') logger.info(fields, 'TFTP transfer complete');
  // UEFI firmware asks for the size, then ends that transfer with ERROR 8 and asks again.
  else if (event.outcome === 'peer-error') logger.info(fields, 'TFTP transfer ended by the client');
  else logger.warn(fields, `TFTP transfer ${event.outcome}`);
}

/**
 * What startAppliance calls after the panel listens: nothing at all (no socket, no
 * nftables table) when netboot is off.
 */
export async function startConfiguredNetboot(
  config: AppConfig,
  ctx: DomainContext,
  app: { server: { address(): AddressInfo | string | null }; log: { child(bindings: Record<string, unknown>): NetbootLogger } },
): Promise<NetbootService | undefined> {
  if (!config.netboot.enabled) return undefined;
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.http.port;
  return startNetbootService({
    config: config.netboot,
    dataDir: config.dataDir,
    http: { host: config.http.host, port },
    ctx,
    autoApprove: async () => ctx.policy.autoApprove,
    newStationsPerHour: config.netboot.newStationsPerHour,
    logger: app.log.child({ subsystem: 'netboot' }),
    dhcpLogger: app.log.child({ subsystem: 'netboot:dhcp' }),
    tftpLogger: app.log.child({ subsystem: 'netboot:tftp' }),
  });
}
