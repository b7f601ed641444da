/**
 * The in-memory form of a DHCP message (RFC 2131 §2, figure 1). Addresses are dotted
 * quads; options keep their wire order in a Map (code -> value bytes, with split
 * options already concatenated per RFC 3396).
 */
export interface DhcpPacket {
  /** 1 = BOOTREQUEST, 2 = BOOTREPLY. */
  op: 1 | 2;
  /** Hardware type, 1 = Ethernet. */
  htype: number;
  /** Hardware address length, 6 for Ethernet. */
  hlen: number;
  hops: number;
  /** Transaction id chosen by the client, echoed in replies. */
  xid: number;
  secs: number;
  flags: number;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** The 16-byte client hardware address field; only the first `hlen` bytes matter. */
  chaddr: Buffer;
  /** Server host name field; '' when empty or used for options (overload). */
  sname: string;
  /** Boot file name field; '' when empty or used for options (overload). */
  file: string;
  options: Map<number, Buffer>;
}

export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;
export const ZERO_IP = '0.0.0.0';
export const BROADCAST_IP = '255.255.255.255';

/** Lower-case colon-separated MAC from chaddr, e.g. `52:54:00:12:34:56`. */
export function macOf(packet: Pick<DhcpPacket, 'chaddr' | 'hlen'>): string {
  const length = Math.min(Math.max(packet.hlen, 0), 16);
  return [...packet.chaddr.subarray(0, length)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** chaddr field (16 bytes) from a MAC string; throws on a malformed MAC (config input). */
export function chaddrFromMac(mac: string): Buffer {
  const parts = normalizeMac(mac).split(':');
  const field = Buffer.alloc(16);
  parts.forEach((part, i) => field.writeUInt8(parseInt(part, 16), i));
  return field;
}

/** Accepts `AA-BB-…`, `aa:bb:…` or `aabbcc…`; returns lower-case colon form or throws. */
export function normalizeMac(mac: string): string {
  const hex = mac.trim().toLowerCase().replace(/[:-]/g, '');
  if (!/^[0-9a-f]{12}$/.test(hex)) throw new Error(`dhcp: invalid MAC address "${mac}"`);
  return hex.match(/../g)!.join(':');
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new Error(`dhcp: invalid IPv4 address "${ip}"`);
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) throw new Error(`dhcp: invalid IPv4 address "${ip}"`);
    value = value * 256 + Number(part);
  }
  return value;
}

export function intToIp(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

export function isIpv4(ip: string): boolean {
  try {
    ipToInt(ip);
    return true;
  } catch {
    return false;
  }
}

export function readIpAt(buf: Buffer, offset: number): string {
  return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
}

export function writeIpAt(buf: Buffer, ip: string, offset: number): void {
  buf.writeUInt32BE(ipToInt(ip), offset);
}

export function ipBytes(ip: string): Buffer {
  const out = Buffer.alloc(4);
  writeIpAt(out, ip, 0);
  return out;
}
