import { applyBoot, bootClientOf } from './boot-reply.ts';
import type { BootPolicy } from './boot-policy.ts';
import type { ClientInfo } from './client-info.ts';
import { MessageType } from './dhcp-constants.ts';
import type { DhcpPacket } from './dhcp-packet.ts';
import type { NetbootLogger } from './logger.ts';
import { baseReply, outgoing, type Endpoint, type OutgoingReply, type Via } from './reply.ts';

export interface ProxyResponderDeps {
  serverIp: string;
  policy: BootPolicy;
  logger: NetbootLogger;
}

/**
 * proxyDHCP (PXE spec 2.1 §2.2.5): beside the LAN's own DHCP server, answer only PXE
 * clients, with boot information and no address (yiaddr 0): an OFFER on port 67 to
 * their DISCOVER, an ACK on port 4011 to the REQUEST UEFI firmware sends there.
 */
export class ProxyResponder {
  constructor(private readonly deps: ProxyResponderDeps) {}

  async respond(r: { req: DhcpPacket; info: ClientInfo; from: Endpoint; via: Via }): Promise<OutgoingReply | null> {
    const { req, info, via } = r;
    if (!info.isPxe) {
      this.deps.logger.debug({ mac: info.mac, vendorClass: info.vendorClass }, 'not a PXE client, left to the LAN DHCP server');
      return null;
    }
    const type = info.messageType;
    const answers = via === 'dhcp' ? type === MessageType.DISCOVER : type === MessageType.REQUEST || type === MessageType.INFORM;
    if (!answers) return null;
    const spec = await this.deps.policy.bootFor(bootClientOf(info));
    if (!spec) {
      this.deps.logger.info({ mac: info.mac, arch: info.arch }, 'no boot file for this client: no proxy answer');
      return null;
    }
    const reply = baseReply(req, via === 'dhcp' ? MessageType.OFFER : MessageType.ACK, this.deps.serverIp);
    applyBoot(reply, req, info, spec, this.deps.serverIp);
    return outgoing(req, reply, info, r.from, via);
  }
}
