import { FIXED_HEADER_LENGTH, MAGIC_COOKIE, MIN_BOOTP_LENGTH, Opt } from './dhcp-constants.ts';
import { writeIpAt, type DhcpPacket } from './dhcp-packet.ts';

export interface EncodeOptions {
  /**
   * Largest message the receiver accepts (its option 57, RFC 2132 §9.10).
   * undefined: no limit is checked.
   */
  maxLength?: number;
}

/**
 * Encodes a message. Replies are padded to at least 300 bytes (RFC 1542 §2.1: relays
 * and BOOTP-era clients drop shorter ones). Throws only on caller bugs: an invalid
 * address, a field too long, or a message over `maxLength`.
 */
export function encodeDhcp(packet: DhcpPacket, opts: EncodeOptions = {}): Buffer {
  const optionBytes = encodeOptions(packet.options);
  const length = Math.max(FIXED_HEADER_LENGTH + 4 + optionBytes.length, MIN_BOOTP_LENGTH);
  if (opts.maxLength !== undefined && length > opts.maxLength) {
    throw new Error(`dhcp: message of ${length} bytes exceeds the peer's maximum of ${opts.maxLength}`);
  }
  const buf = Buffer.alloc(length);
  buf[0] = packet.op;
  buf[1] = packet.htype;
  buf[2] = packet.hlen;
  buf[3] = packet.hops;
  buf.writeUInt32BE(packet.xid >>> 0, 4);
  buf.writeUInt16BE(packet.secs & 0xffff, 8);
  buf.writeUInt16BE(packet.flags & 0xffff, 10);
  writeIpAt(buf, packet.ciaddr, 12);
  writeIpAt(buf, packet.yiaddr, 16);
  writeIpAt(buf, packet.siaddr, 20);
  writeIpAt(buf, packet.giaddr, 24);
  packet.chaddr.copy(buf, 28, 0, Math.min(16, packet.chaddr.length));
  writeField(buf, packet.sname, 44, 64, 'sname');
  writeField(buf, packet.file, 108, 128, 'file');
  buf.writeUInt32BE(MAGIC_COOKIE, FIXED_HEADER_LENGTH);
  optionBytes.copy(buf, FIXED_HEADER_LENGTH + 4);
  return buf;
}

/** Options in Map order, values over 255 bytes split into repeats (RFC 3396), then END. */
export function encodeOptions(options: Map<number, Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const [code, value] of options) {
    if (code === Opt.PAD || code === Opt.END) continue;
    if (!Number.isInteger(code) || code < 1 || code > 254) throw new Error(`dhcp: invalid option code ${code}`);
    let offset = 0;
    do {
      const chunk = value.subarray(offset, offset + 255);
      parts.push(Buffer.from([code, chunk.length]), chunk);
      offset += 255;
    } while (offset < value.length);
  }
  parts.push(Buffer.from([Opt.END]));
  return Buffer.concat(parts);
}

function writeField(buf: Buffer, text: string, offset: number, size: number, name: string): void {
  const bytes = Buffer.from(text, 'latin1');
  // Keep one byte for the terminating NUL.
  if (bytes.length >= size) throw new Error(`dhcp: ${name} field holds at most ${size - 1} bytes`);
  bytes.copy(buf, offset);
}
