import { Opcode, type DecodeError, type DecodeErrorKind, type DecodeResult, type TftpPacket } from './packets.ts';

/**
 * Decodes one datagram. Never throws, whatever the bytes: a server facing the
 * open LAN must shrug off garbage (the npm `tftp` server died on a 1-byte datagram).
 * Lenient where real clients are sloppy (trailing NUL padding after options, an
 * ERROR message without its terminator, bytes after an ACK), strict where a
 * guess would be dangerous (an unterminated file name or mode).
 */
export function decodePacket(buf: Uint8Array): DecodeResult {
  if (buf.length < 2) return fail('too-short', `${buf.length} byte(s)`);
  const bytes = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const opcode = bytes.readUInt16BE(0);
  switch (opcode) {
    case Opcode.RRQ:
    case Opcode.WRQ:
      return decodeRequest(bytes, opcode);
    case Opcode.DATA:
      if (bytes.length < 4) return fail('too-short', 'DATA without a block number');
      return ok({ opcode, block: bytes.readUInt16BE(2), data: bytes.subarray(4) });
    case Opcode.ACK:
      // RFC 1350 ACK is exactly 4 bytes; extra bytes are ignored rather than refused.
      if (bytes.length < 4) return fail('too-short', 'ACK without a block number');
      return ok({ opcode, block: bytes.readUInt16BE(2) });
    case Opcode.ERROR:
      return decodeError(bytes);
    case Opcode.OACK:
      return decodeOack(bytes);
    default:
      return fail('unknown-opcode', `opcode ${opcode}`);
  }
}

function decodeRequest(bytes: Buffer, opcode: typeof Opcode.RRQ | typeof Opcode.WRQ): DecodeResult {
  const strings = splitStrings(bytes, 2);
  if (strings === undefined) return fail('unterminated-string', 'request fields must end with NUL');
  const [filename, mode, ...rest] = strings;
  if (filename === undefined || filename === '') return fail('empty-filename', 'request without a file name');
  if (mode === undefined || mode === '') return fail('empty-mode', 'request without a transfer mode');
  const options = pairUp(rest);
  if (options === undefined) return fail('bad-options', 'options must be name/value pairs with non-empty names');
  return ok({ opcode, filename, mode: mode.toLowerCase(), options });
}

function decodeError(bytes: Buffer): DecodeResult {
  if (bytes.length < 4) return fail('too-short', 'ERROR without a code');
  const end = bytes.indexOf(0, 4);
  const message = bytes.toString('utf8', 4, end === -1 ? bytes.length : end);
  return ok({ opcode: Opcode.ERROR, code: bytes.readUInt16BE(2), message });
}

function decodeOack(bytes: Buffer): DecodeResult {
  const strings = splitStrings(bytes, 2);
  if (strings === undefined) return fail('unterminated-string', 'OACK fields must end with NUL');
  const options = pairUp(strings);
  if (options === undefined) return fail('bad-options', 'options must be name/value pairs with non-empty names');
  return ok({ opcode: Opcode.OACK, options });
}

/** Splits NUL-terminated strings from `start`; undefined when the last one lacks its NUL. */
function splitStrings(bytes: Buffer, start: number): string[] | undefined {
  const out: string[] = [];
  let from = start;
  while (from < bytes.length) {
    const end = bytes.indexOf(0, from);
    if (end === -1) return undefined;
    out.push(bytes.toString('utf8', from, end));
    from = end + 1;
  }
  return out;
}

/**
 * RFC 2347 name/value pairs, names lower-cased; the first of duplicate names wins.
 * Trailing empty strings are NUL padding some PXE ROMs add, not an option.
 */
function pairUp(strings: string[]): Map<string, string> | undefined {
  let count = strings.length;
  while (count > 0 && strings[count - 1] === '') count -= 1;
  if (count % 2 === 1) {
    // "tsize\0\0" style: a lone trailing name whose empty value was eaten as padding.
    if (count + 1 > strings.length) return undefined;
    count += 1;
  }
  const options = new Map<string, string>();
  for (let i = 0; i < count; i += 2) {
    const name = (strings[i] ?? '').toLowerCase();
    if (name === '') return undefined;
    if (!options.has(name)) options.set(name, strings[i + 1] ?? '');
  }
  return options;
}

function ok(packet: TftpPacket): DecodeResult {
  return { ok: true, packet };
}

function fail(kind: DecodeErrorKind, detail: string): DecodeResult {
  const error: DecodeError = { kind, detail };
  return { ok: false, error };
}
