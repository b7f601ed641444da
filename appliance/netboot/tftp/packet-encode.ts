import { Opcode, type TftpPacket, type WireOptions } from './packets.ts';

/**
 * Encodes packets. Invalid input here is a programming error (a NUL inside a
 * name, a block number out of 16 bits), so it throws RangeError; the serving
 * path only feeds it values it built itself.
 */
export function encodePacket(packet: TftpPacket): Buffer {
  switch (packet.opcode) {
    case Opcode.RRQ:
    case Opcode.WRQ:
      return encodeRequest(packet.opcode, packet.filename, packet.mode, packet.options);
    case Opcode.DATA:
      return encodeData(packet.block, packet.data);
    case Opcode.ACK:
      return encodeAck(packet.block);
    case Opcode.ERROR:
      return encodeError(packet.code, packet.message);
    case Opcode.OACK:
      return encodeOack(packet.options);
  }
}

export function encodeRequest(opcode: typeof Opcode.RRQ | typeof Opcode.WRQ, filename: string, mode: string, options: WireOptions = new Map()): Buffer {
  const fields = [filename, mode];
  for (const [name, value] of options) fields.push(name, value);
  return withStrings(opcode, fields);
}

export function encodeData(block: number, data: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(4 + data.length);
  writeDataHeader(buf, block);
  buf.set(data, 4);
  return buf;
}

/** Writes the 4-byte DATA header in place: the serving path reuses its packet buffers. */
export function writeDataHeader(buf: Buffer, block: number): void {
  checkBlock(block);
  buf.writeUInt16BE(Opcode.DATA, 0);
  buf.writeUInt16BE(block, 2);
}

export function encodeAck(block: number): Buffer {
  checkBlock(block);
  const buf = Buffer.allocUnsafe(4);
  buf.writeUInt16BE(Opcode.ACK, 0);
  buf.writeUInt16BE(block, 2);
  return buf;
}

/** The message is free text for a firmware screen: NULs are replaced, not refused. */
export function encodeError(code: number, message: string): Buffer {
  if (!Number.isInteger(code) || code < 0 || code > 0xffff) throw new RangeError(`TFTP error code out of range: ${code}`);
  const text = Buffer.from(message.replaceAll('\0', ' '), 'utf8');
  const buf = Buffer.allocUnsafe(5 + text.length);
  buf.writeUInt16BE(Opcode.ERROR, 0);
  buf.writeUInt16BE(code, 2);
  text.copy(buf, 4);
  buf[buf.length - 1] = 0;
  return buf;
}

export function encodeOack(options: WireOptions): Buffer {
  const fields: string[] = [];
  for (const [name, value] of options) fields.push(name, value);
  return withStrings(Opcode.OACK, fields);
}

function withStrings(opcode: number, fields: string[]): Buffer {
  const parts = fields.map((field) => {
    if (field.includes('\0')) throw new RangeError('TFTP string field contains NUL');
    return Buffer.from(field, 'utf8');
  });
  const size = parts.reduce((sum, part) => sum + part.length + 1, 2);
  const buf = Buffer.alloc(size);
  buf.writeUInt16BE(opcode, 0);
  let at = 2;
  for (const part of parts) {
    part.copy(buf, at);
    at += part.length + 1;
  }
  return buf;
}

function checkBlock(block: number): void {
  if (!Number.isInteger(block) || block < 0 || block > 0xffff) throw new RangeError(`TFTP block number out of range: ${block}`);
}
