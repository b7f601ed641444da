import { systemClock, type Clock } from '../../../api/shared/clock.ts';
import { bootClientOf } from './boot-reply.ts';
import type { BootPolicy } from './boot-policy.ts';
import { archName, clientInfoOf, type ClientInfo } from './client-info.ts';
import { messageTypeName, Opt } from './dhcp-constants.ts';
import { decodeDhcp, type DecodeError } from './dhcp-decode.ts';
import { encodeDhcp } from './dhcp-encode.ts';
import { normalizeMac, type DhcpPacket } from './dhcp-packet.ts';
import { readText } from './dhcp-options.ts';
import { FullResponder } from './full-responder.ts';
import type { FullModeSettings } from './full-settings.ts';
import { LeaseStore } from './lease-store.ts';
import { LogThrottle } from './log-throttle.ts';
import { silentLogger, type NetbootLogger } from './logger.ts';
import { ProxyResponder } from './proxy-responder.ts';
import type { OutgoingReply } from './reply.ts';
import type { DhcpTransport, Inbound } from './transport.ts';

export type DhcpMode = 'proxy' | 'full';

export interface DhcpServerOptions {
  /** `proxy`: boot answers only, beside the LAN's DHCP server. `full`: addresses too. */
  mode: DhcpMode;
  /** The box's address on the station LAN: server identifier (54) and default next server. */
  serverIp: string;
  policy: BootPolicy;
  transport: DhcpTransport;
  /** Required in full mode, ignored in proxy mode. */
  full?: FullModeSettings;
  /** Firmware quirk: wait this long before every reply (ms). undefined: 0. */
  replyDelayMs?: number;
  /** Per-MAC reply delay (ms), overriding replyDelayMs. */
  replyDelayByMac?: Record<string, number>;
  /** undefined: silent. */
  logger?: NetbootLogger;
  /** undefined: the system clock. */
  clock?: Clock;
}

interface Responder {
  respond(r: { req: DhcpPacket; info: ClientInfo; from: Inbound['from']; via: Inbound['via'] }): Promise<OutgoingReply | null>;
}


/**
 * The DHCP/proxyDHCP server: decodes, asks its responder, encodes, sends. It holds no
 * boot policy; every datagram, however malformed, ends in a reply, a log line or both,
 * never in an exception.
 */
export class DhcpServer {
  readonly stats = { received: 0, malformed: 0, replies: 0 };
  private readonly inFlight = new Set<Promise<void>>();
  private readonly log: NetbootLogger;
  private readonly delays: Map<string, number>;
  /** Malformed datagrams: 5 log lines a second at most. */
  private readonly malformedLog = new LogThrottle(5, 1000);
  private closed = false;

  private constructor(
    private readonly options: DhcpServerOptions,
    private readonly responder: Responder,
    /** Port 4011 in both modes: the PXE boot server answers like proxyDHCP. */
    private readonly bootServer: Responder,
    private readonly store: LeaseStore | undefined,
    private readonly clock: Clock,
  ) {
    this.log = options.logger ?? silentLogger;
    this.delays = new Map(Object.entries(options.replyDelayByMac ?? {}).map(([mac, ms]) => [normalizeMac(mac), ms]));
  }

  /** Builds the server; in full mode loads the lease file first. Throws on bad settings. */
  static async create(options: DhcpServerOptions): Promise<DhcpServer> {
    const clock = options.clock ?? systemClock;
    const logger = options.logger ?? silentLogger;
    const { serverIp, policy } = options;
    const proxy = new ProxyResponder({ serverIp, policy, logger });
    if (options.mode === 'proxy') return new DhcpServer(options, proxy, proxy, undefined, clock);
    if (!options.full) throw new Error('dhcp: full mode needs its pool settings');
    const store = await LeaseStore.open(options.full.leaseFile, clock, logger);
    const responder = new FullResponder({ serverIp, settings: options.full, store, policy, logger, clock });
    return new DhcpServer(options, responder, proxy, store, clock);
  }

  get leases(): LeaseStore | undefined {
    return this.store;
  }

  async start(): Promise<void> {
    await this.options.transport.listen((datagram) => void this.handle(datagram));
    this.log.info({ mode: this.options.mode, serverIp: this.options.serverIp }, 'DHCP server listening');
  }

  /** Stops listening, lets answers in progress finish, and writes the lease file. */
  async close(): Promise<void> {
    this.closed = true;
    await this.options.transport.close();
    await Promise.allSettled([...this.inFlight]);
    await this.store?.flush();
    this.log.info({ ...this.stats }, 'DHCP server stopped');
  }

  /** Handles one datagram; resolves when its answer (if any) is sent. Never rejects. */
  handle(datagram: Inbound): Promise<void> {
    const work = this.process(datagram).catch((err: unknown) => {
      this.log.error({ from: datagram.from.address, err: err instanceof Error ? err.message : String(err) }, 'request handling failed');
    });
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
    return work;
  }

  private async process(datagram: Inbound): Promise<void> {
    if (this.closed) return;
    this.stats.received += 1;
    const decoded = decodeDhcp(datagram.data);
    if (!decoded.ok) return this.malformed(datagram, decoded.error);
    const req = decoded.packet;
    if (req.op !== 1) return; // another server's reply, or our own echo
    if (req.htype !== 1 || req.hlen !== 6) return this.malformed(datagram, { code: 'BAD_HLEN', message: `hardware type ${req.htype}/${req.hlen}, only Ethernet is served` });
    const info = clientInfoOf(req);
    if (info.messageType === undefined) return this.malformed(datagram, { code: 'BAD_OPTION', message: 'no message type (plain BOOTP is not served)' });
    this.logReceived(req, info, datagram);
    this.notifySeen(info);
    const responder = datagram.via === 'pxe' ? this.bootServer : this.responder;
    const reply = await responder.respond({ req, info, from: datagram.from, via: datagram.via });
    if (!reply || this.closed) return;
    const delay = this.delays.get(info.mac) ?? this.options.replyDelayMs ?? 0;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    await this.options.transport.send(encodeDhcp(reply.packet, { maxLength: reply.maxLength }), reply.to, reply.via);
    this.stats.replies += 1;
    this.logSent(reply, info);
  }

  private logReceived(req: DhcpPacket, info: ClientInfo, datagram: Inbound): void {
    this.log.info(
      {
        mac: info.mac,
        xid: req.xid,
        via: datagram.via,
        from: datagram.from.address,
        ...(req.giaddr !== '0.0.0.0' ? { giaddr: req.giaddr } : {}),
        ...(info.isPxe || info.isIpxe ? { arch: info.arch, firmware: archName(info.arch), ipxe: info.isIpxe } : {}),
        ...(info.vendorClass ? { vendorClass: info.vendorClass } : {}),
        ...(info.requestedIp ? { requestedIp: info.requestedIp } : {}),
      },
      `${messageTypeName(info.messageType)} received`,
    );
  }

  private logSent(reply: OutgoingReply, info: ClientInfo): void {
    const p = reply.packet;
    const bootFile = readText(p.options.get(Opt.BOOTFILE_NAME)) ?? (p.file || undefined);
    this.log.info(
      {
        mac: info.mac,
        xid: p.xid,
        to: `${reply.to.address}:${reply.to.port}`,
        ...(p.yiaddr !== '0.0.0.0' ? { ip: p.yiaddr } : {}),
        ...(bootFile ? { bootFile, nextServer: p.siaddr } : {}),
      },
      `${messageTypeName(p.options.get(Opt.MESSAGE_TYPE)?.[0])} sent`,
    );
  }

  /** The enrollment hook, for booting machines only (PXE or iPXE), never awaited. */
  private notifySeen(info: ClientInfo): void {
    const hook = this.options.policy.onClientSeen;
    if (!hook || !(info.isPxe || info.isIpxe)) return;
    try {
      void Promise.resolve(hook.call(this.options.policy, bootClientOf(info))).catch((err: unknown) => this.hookFailed(info, err));
    } catch (err) {
      this.hookFailed(info, err);
    }
  }

  private hookFailed(info: ClientInfo, err: unknown): void {
    this.log.error({ mac: info.mac, err: err instanceof Error ? err.message : String(err) }, 'onClientSeen failed');
  }

  private malformed(datagram: Inbound, error: DecodeError): void {
    this.stats.malformed += 1;
    const suppressed = this.malformedLog.take('malformed', this.clock.now());
    if (suppressed === undefined) return;
    this.log.warn(
      { from: `${datagram.from.address}:${datagram.from.port}`, code: error.code, reason: error.message, bytes: datagram.data.length, ...(suppressed ? { suppressedSinceLastLine: suppressed } : {}) },
      'malformed datagram dropped',
    );
  }
}
