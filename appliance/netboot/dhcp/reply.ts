import type { ClientInfo } from './client-info.ts';
import { BROADCAST_FLAG, CLIENT_PORT, DEFAULT_MAX_DHCP_LENGTH, MessageType, Opt, SERVER_PORT } from './dhcp-constants.ts';
import { BROADCAST_IP, ZERO_IP, type DhcpPacket } from './dhcp-packet.ts';
import { ipOption, u8Option } from './dhcp-options.ts';

export interface Endpoint {
  address: string;
  port: number;
}

/** Which listener a datagram came in on: 67 (DHCP) or 4011 (PXE boot server). */
export type Via = 'dhcp' | 'pxe';

export interface OutgoingReply {
  packet: DhcpPacket;
  to: Endpoint;
  via: Via;
  /** Largest message the client takes (its option 57, less IP/UDP headers). */
  maxLength: number;
}

/**
 * A reply skeleton per RFC 2131 §4.3.1 table 3: xid, flags, giaddr and chaddr from the
 * request, hops 0, then option 53 and the server identifier (54).
 */
export function baseReply(req: DhcpPacket, type: MessageType, serverIp: string): DhcpPacket {
  const options = new Map<number, Buffer>([
    [Opt.MESSAGE_TYPE, u8Option(type)],
    [Opt.SERVER_ID, ipOption(serverIp)],
  ]);
  return {
    op: 2,
    htype: req.htype,
    hlen: req.hlen,
    hops: 0,
    xid: req.xid,
    secs: 0,
    flags: req.flags,
    ciaddr: type === MessageType.ACK ? req.ciaddr : ZERO_IP,
    yiaddr: ZERO_IP,
    siaddr: ZERO_IP,
    giaddr: req.giaddr,
    chaddr: Buffer.from(req.chaddr),
    sname: '',
    file: '',
    options,
  };
}

/**
 * Where a reply goes, RFC 2131 §4.1: to the relay (giaddr, port 67) when there is one;
 * a NAK is broadcast; a client with an address (ciaddr) gets unicast; any other client
 * gets 255.255.255.255. RFC 2131 would unicast to yiaddr when the broadcast bit is clear,
 * but that needs an ARP entry Node cannot write, and EDK2 ignores the subnet broadcast
 * (PXE-E18), so the limited broadcast is the one address every client hears.
 */
export function replyDestination(req: DhcpPacket, reply: DhcpPacket, from: Endpoint, via: Via): Endpoint {
  const type = reply.options.get(Opt.MESSAGE_TYPE)?.[0];
  if (req.giaddr !== ZERO_IP) {
    // §4.3.2: a NAK through a relay asks it to broadcast.
    if (type === MessageType.NAK) reply.flags |= BROADCAST_FLAG;
    return { address: req.giaddr, port: SERVER_PORT };
  }
  // PXE spec §2.2.5: the boot server answers the client where it asked from.
  if (via === 'pxe' && from.address !== ZERO_IP) return { address: from.address, port: from.port };
  if (type === MessageType.NAK) return { address: BROADCAST_IP, port: CLIENT_PORT };
  if (req.ciaddr !== ZERO_IP) return { address: req.ciaddr, port: CLIENT_PORT };
  return { address: BROADCAST_IP, port: CLIENT_PORT };
}

/** RFC 2132 §9.10: option 57 counts the whole IP datagram; never below the 576 minimum. */
export function maxReplyLength(info: ClientInfo): number {
  return Math.max(info.maxMessageSize ?? 0, DEFAULT_MAX_DHCP_LENGTH + 28) - 28;
}

export function outgoing(req: DhcpPacket, reply: DhcpPacket, info: ClientInfo, from: Endpoint, via: Via): OutgoingReply {
  return { packet: reply, to: replyDestination(req, reply, from, via), via, maxLength: maxReplyLength(info) };
}
