import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { BROADCAST_FLAG, CLIENT_PORT, MessageType, Opt, SERVER_PORT } from './dhcp-constants.ts';
import { decodeDhcp } from './dhcp-decode.ts';
import { encodeDhcp } from './dhcp-encode.ts';
import { BROADCAST_IP, macOf, ZERO_IP, type DhcpPacket } from './dhcp-packet.ts';
import { readIp, readU8, u8Option } from './dhcp-options.ts';
import { silentLogger, type NetbootLogger } from './logger.ts';

export interface ProbeOptions {
  /** The box's address on the station interface: the DISCOVER leaves by that interface. */
  serverIp: string;
  /** How long to listen. undefined: 5000 ms (dnsmasq pings an address ~3 s before offering it). */
  timeoutMs?: number;
  /** DISCOVER repeat interval. undefined: 1000 ms. */
  intervalMs?: number;
  logger?: NetbootLogger;
}

export type ProbeResult = { found: false } | { found: true; serverId: string; from: string; offered: string };

/**
 * Looks for another DHCP server on the station LAN before full mode starts: broadcasts
 * DISCOVERs as a client would (random xid, random locally administered MAC, broadcast
 * flag so the answer comes back as a broadcast we can hear) and waits a bounded time
 * for an OFFER addressed to that xid and MAC.
 */
export async function probeForDhcpServer(options: ProbeOptions): Promise<ProbeResult> {
  const log = options.logger ?? silentLogger;
  const timeoutMs = options.timeoutMs ?? 5000;
  const xid = randomBytes(4).readUInt32BE(0);
  const chaddr = Buffer.concat([Buffer.from([0x02]), randomBytes(5), Buffer.alloc(10)]);
  const discover = encodeDhcp(probeDiscover(xid, chaddr));
  const listener = createSocket({ type: 'udp4', reuseAddr: true });
  const sender = createSocket({ type: 'udp4', reuseAddr: true });
  let timer: NodeJS.Timeout | undefined;
  let repeat: NodeJS.Timeout | undefined;
  try {
    await bind(listener, '0.0.0.0', CLIENT_PORT);
    await bind(sender, options.serverIp, CLIENT_PORT);
    sender.setBroadcast(true);
    const found = new Promise<ProbeResult>((resolve) => {
      listener.on('message', (data, rinfo) => {
        const offer = matchOffer(data, xid, chaddr);
        if (offer) resolve({ found: true, serverId: offer.serverId ?? rinfo.address, from: rinfo.address, offered: offer.yiaddr });
      });
      timer = setTimeout(() => resolve({ found: false }), timeoutMs);
    });
    const send = () => sender.send(discover, SERVER_PORT, BROADCAST_IP, (err) => err && log.warn({ err: err.message }, 'probe DISCOVER not sent'));
    send();
    repeat = setInterval(send, options.intervalMs ?? 1000);
    log.info({ xid, mac: macOf({ chaddr, hlen: 6 }), timeoutMs }, 'looking for another DHCP server on the station LAN');
    return await found;
  } finally {
    clearTimeout(timer);
    clearInterval(repeat);
    await Promise.all([close(listener), close(sender)]);
  }
}

function probeDiscover(xid: number, chaddr: Buffer): DhcpPacket {
  return {
    op: 1,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid,
    secs: 0,
    flags: BROADCAST_FLAG,
    ciaddr: ZERO_IP,
    yiaddr: ZERO_IP,
    siaddr: ZERO_IP,
    giaddr: ZERO_IP,
    chaddr,
    sname: '',
    file: '',
    options: new Map([
      [Opt.MESSAGE_TYPE, u8Option(MessageType.DISCOVER)],
      [Opt.PARAMETER_LIST, Buffer.from([1, 3, 6, 54])],
    ]),
  };
}

function matchOffer(data: Buffer, xid: number, chaddr: Buffer): { serverId: string | undefined; yiaddr: string } | undefined {
  const decoded = decodeDhcp(data);
  if (!decoded.ok) return undefined;
  const p = decoded.packet;
  if (p.op !== 2 || p.xid !== xid || !p.chaddr.subarray(0, 6).equals(chaddr.subarray(0, 6))) return undefined;
  if (readU8(p.options.get(Opt.MESSAGE_TYPE)) !== MessageType.OFFER) return undefined;
  return { serverId: readIp(p.options.get(Opt.SERVER_ID)), yiaddr: p.yiaddr };
}

function bind(socket: Socket, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address, port }, () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve();
    });
  });
}

function close(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // never bound
    }
  });
}
