import type { Clock } from '../../../api/shared/clock.ts';
import { AddressAllocator } from './address-allocator.ts';
import { applyBoot, bootClientOf } from './boot-reply.ts';
import type { BootPolicy } from './boot-policy.ts';
import type { ClientInfo } from './client-info.ts';
import { MessageType, Opt } from './dhcp-constants.ts';
import { ZERO_IP, type DhcpPacket } from './dhcp-packet.ts';
import { ipOption, ipsOption, textOption, u32Option } from './dhcp-options.ts';
import { buildSubnets, type ConfiguredSubnet, type FullModeSettings } from './full-settings.ts';
import type { LeaseStore } from './lease-store.ts';
import { LogThrottle } from './log-throttle.ts';
import type { NetbootLogger } from './logger.ts';
import { baseReply, outgoing, type Endpoint, type OutgoingReply, type Via } from './reply.ts';

export interface FullResponderDeps {
  serverIp: string;
  settings: FullModeSettings;
  store: LeaseStore;
  policy: BootPolicy;
  logger: NetbootLogger;
  clock: Clock;
}

interface Request {
  req: DhcpPacket;
  info: ClientInfo;
  from: Endpoint;
  via: Via;
}

/** Full DHCP (RFC 2131 §4.3): addresses from pools, leases, NAK, DECLINE, RELEASE, INFORM. */
export class FullResponder {
  private readonly subnets: ConfiguredSubnet[];
  private readonly allocator: AddressAllocator;
  /** One "pool exhausted" line per subnet every 10 s: spoofed DISCOVERs must not flood the log. */
  private readonly exhaustedLog = new LogThrottle(1, 10_000);

  constructor(private readonly deps: FullResponderDeps) {
    this.subnets = buildSubnets(deps.settings.subnets);
    if (!this.subnets.some((s) => s.subnet.contains(deps.serverIp))) {
      throw new Error(`dhcp: no configured subnet contains the box address ${deps.serverIp}`);
    }
    this.allocator = new AddressAllocator(deps.store, deps.settings.staticLeases ?? [], [deps.serverIp]);
  }

  async respond(r: Request): Promise<OutgoingReply | null> {
    switch (r.info.messageType) {
      case MessageType.DISCOVER:
        return this.discover(r);
      case MessageType.REQUEST:
        return this.request(r);
      case MessageType.DECLINE:
        return this.decline(r);
      case MessageType.RELEASE:
        return this.release(r);
      case MessageType.INFORM:
        return this.inform(r);
      default:
        return null;
    }
  }

  private async discover(r: Request): Promise<OutgoingReply | null> {
    const { info } = r;
    const net = this.subnetOfRequest(r.req);
    if (!net) return this.drop(info, 'no subnet serves this relay', { giaddr: r.req.giaddr });
    const ip = this.allocator.choose(net.subnet, info.mac, info.requestedIp);
    if (!ip) {
      const suppressed = this.exhaustedLog.take(net.subnet.cidr, this.deps.clock.now());
      if (suppressed !== undefined) {
        const fields = { mac: info.mac, subnet: net.subnet.cidr, ...(suppressed ? { unansweredSinceLastLine: suppressed } : {}) };
        this.deps.logger.warn(fields, 'pool exhausted: no address to offer, DISCOVER left unanswered');
      }
      return null;
    }
    this.deps.store.offer(info.mac, ip, (this.deps.settings.offerHoldSeconds ?? 60) * 1000);
    return this.answer(r, MessageType.OFFER, net, ip);
  }

  /** RFC 2131 §4.3.2: SELECTING, INIT-REBOOT, RENEWING/REBINDING. */
  private async request(r: Request): Promise<OutgoingReply | null> {
    const { req, info } = r;
    if (info.serverId !== undefined && info.serverId !== this.deps.serverIp) {
      // The client chose another server's offer: free ours, say nothing.
      this.deps.store.dropOffersOf(info.mac);
      return this.drop(info, 'REQUEST names another server, ignored', { serverId: info.serverId });
    }
    const wanted = info.requestedIp ?? (req.ciaddr !== ZERO_IP ? req.ciaddr : undefined);
    if (!wanted) return this.nak(r, 'REQUEST carries no address');
    const net = req.giaddr === ZERO_IP && info.requestedIp === undefined ? this.subnetOf(wanted) : this.subnetOfRequest(req);
    if (!net || !net.subnet.contains(wanted)) return this.nak(r, `${wanted} is not on this client's network`);
    if (!this.allocator.isUsableFor(net.subnet, wanted, info.mac)) return this.nak(r, `${wanted} is not available to this client`);
    const leaseSeconds = this.leaseSecondsOf(net);
    const hostname = this.allocator.staticFor(info.mac)?.hostname ?? info.hostname;
    this.deps.store.bind({ mac: info.mac, ip: wanted, expiresAt: this.deps.clock.now() + leaseSeconds * 1000, ...(hostname ? { hostname } : {}) });
    try {
      await this.deps.store.commit();
    } catch (err) {
      // RFC 2131 §4.3.2: the binding must be on stable storage before the ACK.
      this.deps.logger.error({ mac: info.mac, ip: wanted, err: (err as Error).message }, 'lease file write failed, ACK withheld');
      return null;
    }
    return this.answer(r, MessageType.ACK, net, wanted);
  }

  private async decline(r: Request): Promise<null> {
    const { info } = r;
    if (info.serverId !== this.deps.serverIp || !info.requestedIp) return this.drop(info, 'DECLINE not for this server');
    if (this.deps.store.leaseAt(info.requestedIp)?.mac !== info.mac) return this.drop(info, 'DECLINE for an address the client does not hold');
    this.deps.store.decline(info.requestedIp, (this.deps.settings.declineHoldSeconds ?? 600) * 1000);
    this.deps.logger.warn({ mac: info.mac, ip: info.requestedIp }, 'DECLINE: address in use by another host, kept out of the pool');
    await this.deps.store.commit().catch((err: Error) => this.deps.logger.error({ err: err.message }, 'lease file write failed'));
    return null;
  }

  private async release(r: Request): Promise<null> {
    const { req, info } = r;
    if (info.serverId !== undefined && info.serverId !== this.deps.serverIp) return this.drop(info, 'RELEASE for another server');
    if (!this.deps.store.release(info.mac, req.ciaddr)) return this.drop(info, 'RELEASE of an address the client does not hold', { ip: req.ciaddr });
    this.deps.logger.info({ mac: info.mac, ip: req.ciaddr }, 'RELEASE: lease ended by the client');
    await this.deps.store.commit().catch((err: Error) => this.deps.logger.error({ err: err.message }, 'lease file write failed'));
    return null;
  }

  /** RFC 2131 §4.3.5: configuration only; no yiaddr and no lease time. */
  private async inform(r: Request): Promise<OutgoingReply | null> {
    const net = r.req.ciaddr === ZERO_IP ? this.subnetOfRequest(r.req) : this.subnetOf(r.req.ciaddr);
    if (!net) return this.drop(r.info, 'INFORM from an address outside every subnet', { ciaddr: r.req.ciaddr });
    return this.answer(r, MessageType.ACK, net, undefined);
  }

  private async answer(r: Request, type: MessageType, net: ConfiguredSubnet, ip: string | undefined): Promise<OutgoingReply> {
    const reply = baseReply(r.req, type, this.deps.serverIp);
    if (ip !== undefined) {
      reply.yiaddr = ip;
      const lease = this.leaseSecondsOf(net);
      reply.options.set(Opt.LEASE_TIME, u32Option(lease));
      reply.options.set(Opt.RENEWAL_TIME, u32Option(Math.floor(lease / 2)));
      reply.options.set(Opt.REBINDING_TIME, u32Option(Math.floor((lease * 7) / 8)));
    }
    this.addNetworkOptions(reply, r, net);
    if (r.info.isPxe || r.info.isIpxe) {
      const spec = await this.deps.policy.bootFor(bootClientOf(r.info));
      if (spec) applyBoot(reply, r.req, r.info, spec, this.deps.serverIp);
      else this.deps.logger.info({ mac: r.info.mac, arch: r.info.arch }, 'no boot file for this client: address only');
    }
    const relayInfo = r.req.options.get(Opt.RELAY_AGENT_INFO);
    // RFC 3046 §2.2: the relay agent information goes back to the relay unchanged.
    if (relayInfo && r.req.giaddr !== ZERO_IP) reply.options.set(Opt.RELAY_AGENT_INFO, relayInfo);
    return outgoing(r.req, reply, r.info, r.from, r.via);
  }

  private addNetworkOptions(reply: DhcpPacket, r: Request, net: ConfiguredSubnet): void {
    const { subnet, settings } = net;
    const local = subnet.contains(this.deps.serverIp);
    const routers = settings.routers ?? (local ? [this.deps.serverIp] : [r.req.giaddr]);
    reply.options.set(Opt.SUBNET_MASK, ipOption(subnet.maskIp));
    if (routers.length && routers[0] !== ZERO_IP) reply.options.set(Opt.ROUTER, ipsOption(routers));
    reply.options.set(Opt.DNS, ipsOption(settings.dnsServers ?? [this.deps.serverIp]));
    if (settings.domainName) reply.options.set(Opt.DOMAIN_NAME, textOption(settings.domainName));
    reply.options.set(Opt.BROADCAST, ipOption(subnet.broadcastIp));
    const hostname = this.allocator.staticFor(r.info.mac)?.hostname;
    if (hostname) reply.options.set(Opt.HOSTNAME, textOption(hostname));
  }

  private nak(r: Request, reason: string): OutgoingReply {
    this.deps.logger.info({ mac: r.info.mac, reason }, 'REQUEST refused');
    const reply = baseReply(r.req, MessageType.NAK, this.deps.serverIp);
    reply.options.set(Opt.MESSAGE, textOption(reason));
    return outgoing(r.req, reply, r.info, r.from, r.via);
  }

  private drop(info: ClientInfo, reason: string, fields: Record<string, unknown> = {}): null {
    this.deps.logger.debug({ mac: info.mac, ...fields }, reason);
    return null;
  }

  /** RFC 2131 §4.3.1: the relay's subnet (giaddr), else the box's own LAN. */
  private subnetOfRequest(req: DhcpPacket): ConfiguredSubnet | undefined {
    return this.subnetOf(req.giaddr !== ZERO_IP ? req.giaddr : this.deps.serverIp);
  }

  private subnetOf(ip: string): ConfiguredSubnet | undefined {
    return this.subnets.find((s) => s.subnet.contains(ip));
  }

  private leaseSecondsOf(net: ConfiguredSubnet): number {
    return net.settings.leaseSeconds ?? this.deps.settings.leaseSeconds ?? 3600;
  }
}
