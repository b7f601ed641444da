import { FIXED_HEADER_LENGTH, MAGIC_COOKIE, Opt } from './dhcp-constants.ts';
import { readIpAt, type DhcpPacket } from './dhcp-packet.ts';

export type DecodeErrorCode =
  | 'TOO_SHORT'
  | 'BAD_OP'
  | 'BAD_HLEN'
  | 'NO_MAGIC_COOKIE'
  | 'TRUNCATED_OPTION'
  | 'BAD_OPTION';

export interface DecodeError {
  code: DecodeErrorCode;
  message: string;
}

export type DecodeResult = { ok: true; packet: DhcpPacket } | { ok: false; error: DecodeError };

const fail = (code: DecodeErrorCode, message: string): DecodeResult => ({ ok: false, error: { code, message } });

/** Options whose wrong length would make the server misread the message. */
const exactLengths: Record<number, number> = {
  [Opt.MESSAGE_TYPE]: 1,
  [Opt.REQUESTED_IP]: 4,
  [Opt.SERVER_ID]: 4,
  [Opt.OVERLOAD]: 1,
};

/**
 * Decodes one DHCP message. Never throws: any input, however short or hostile,
 * yields either a packet or a typed error for the caller to log.
 */
export function decodeDhcp(buf: Buffer): DecodeResult {
  try {
    return decodeUnchecked(buf);
  } catch (err) {
    // Defensive: the parser is bounds-checked, but a bug must never kill the server.
    return fail('BAD_OPTION', `decoder failure: ${(err as Error).message}`);
  }
}

function decodeUnchecked(buf: Buffer): DecodeResult {
  if (buf.length < FIXED_HEADER_LENGTH + 4) return fail('TOO_SHORT', `${buf.length} bytes, need at least 240`);
  const op = buf[0];
  if (op !== 1 && op !== 2) return fail('BAD_OP', `op ${op} is neither BOOTREQUEST nor BOOTREPLY`);
  const hlen = buf[2]!;
  if (hlen > 16) return fail('BAD_HLEN', `hlen ${hlen} exceeds the 16-byte chaddr field`);
  if (buf.readUInt32BE(FIXED_HEADER_LENGTH) !== MAGIC_COOKIE) return fail('NO_MAGIC_COOKIE', 'plain BOOTP or garbage');

  const options = new Map<number, Buffer>();
  const main = parseOptionArea(buf.subarray(FIXED_HEADER_LENGTH + 4), options, 'options');
  if (main) return main;
  const overload = options.get(Opt.OVERLOAD)?.[0] ?? 0;
  // RFC 2131 §4.1: with option 52 the file (1), sname (2) or both (3) fields carry options,
  // read after the options field, file before sname.
  if (overload & 1) {
    const err = parseOptionArea(buf.subarray(108, 236), options, 'file');
    if (err) return err;
  }
  if (overload & 2) {
    const err = parseOptionArea(buf.subarray(44, 108), options, 'sname');
    if (err) return err;
  }
  for (const [code, length] of Object.entries(exactLengths)) {
    const value = options.get(Number(code));
    if (value && value.length !== length) return fail('BAD_OPTION', `option ${code} has length ${value.length}, expected ${length}`);
  }
  const packet: DhcpPacket = {
    op,
    htype: buf[1]!,
    hlen,
    hops: buf[3]!,
    xid: buf.readUInt32BE(4),
    secs: buf.readUInt16BE(8),
    flags: buf.readUInt16BE(10),
    ciaddr: readIpAt(buf, 12),
    yiaddr: readIpAt(buf, 16),
    siaddr: readIpAt(buf, 20),
    giaddr: readIpAt(buf, 24),
    chaddr: Buffer.from(buf.subarray(28, 44)),
    sname: overload & 2 ? '' : cString(buf.subarray(44, 108)),
    file: overload & 1 ? '' : cString(buf.subarray(108, 236)),
    options,
  };
  return { ok: true, packet };
}

/**
 * Reads code/length/value triples until END or the area's end. Repeated codes are
 * concatenated (RFC 3396 §7). Returns an error result, or undefined when fine.
 */
function parseOptionArea(area: Buffer, into: Map<number, Buffer>, where: string): DecodeResult | undefined {
  let i = 0;
  while (i < area.length) {
    const code = area[i]!;
    if (code === Opt.END) return undefined;
    if (code === Opt.PAD) {
      i += 1;
      continue;
    }
    if (i + 1 >= area.length) return fail('TRUNCATED_OPTION', `option ${code} in ${where} has no length byte`);
    const length = area[i + 1]!;
    const start = i + 2;
    if (start + length > area.length) return fail('TRUNCATED_OPTION', `option ${code} in ${where} runs past the end`);
    const value = Buffer.from(area.subarray(start, start + length));
    const previous = into.get(code);
    into.set(code, previous ? Buffer.concat([previous, value]) : value);
    i = start + length;
  }
  // A missing END is tolerated: some firmware fills the area to the last byte.
  return undefined;
}

/** NUL-terminated field as text; latin1 so any byte maps to one character. */
function cString(field: Buffer): string {
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? field.length : end).toString('latin1');
}
