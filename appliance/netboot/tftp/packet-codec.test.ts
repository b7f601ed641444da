import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { negotiateRead } from './options.ts';
import { decodePacket } from './packet-decode.ts';
import { encodeAck, encodeData, encodeError, encodeOack, encodePacket, encodeRequest } from './packet-encode.ts';
import { Opcode, type TftpPacket } from './packets.ts';

const testdata = path.join(import.meta.dirname, 'testdata');
const update = process.env.UPDATE_GOLDEN === '1';

/** A packet as JSON: options as pairs, DATA as hex. */
function toJson(packet: TftpPacket): unknown {
  if ('options' in packet) return { ...packet, options: [...packet.options] };
  if (packet.opcode === Opcode.DATA) return { ...packet, data: packet.data.toString('hex') };
  return packet;
}

function golden(file: string, actual: Buffer | string): void {
  const target = path.join(testdata, file);
  if (update) writeFileSync(target, actual);
  expect(actual).toEqual(typeof actual === 'string' ? readFileSync(target, 'utf8') : readFileSync(target));
}

describe('captured requests from real clients (testdata/*.bin)', () => {
  const captures = readdirSync(testdata).filter((f) => f.endsWith('.bin') && !f.endsWith('.oack.bin'));

  it('holds the captures', () => {
    expect(captures.length).toBeGreaterThanOrEqual(7);
  });

  for (const capture of captures) {
    const base = capture.replace(/\.bin$/, '');
    it(`${base}: decodes to its golden JSON and re-encodes to the same bytes`, () => {
      const bytes = readFileSync(path.join(testdata, capture));
      const decoded = decodePacket(bytes);
      if (!decoded.ok) throw new Error(`${capture}: ${decoded.error.kind}`);
      golden(`${base}.json`, `${JSON.stringify(toJson(decoded.packet), null, 2)}\n`);
      expect(encodePacket(decoded.packet)).toEqual(bytes);
    });

    it(`${base}: the OACK for a 74213-byte file (undionly.kpxe) matches its golden bytes`, () => {
      const decoded = decodePacket(readFileSync(path.join(testdata, capture)));
      if (!decoded.ok || decoded.packet.opcode !== Opcode.RRQ) return;
      const negotiated = negotiateRead(decoded.packet.options, 74213, { maxBlockSize: 1468, maxWindowSize: 64 });
      golden(`${base}.oack.bin`, negotiated.oack === undefined ? Buffer.alloc(0) : encodeOack(negotiated.oack));
    });
  }
});

describe('encoding', () => {
  it('writes RFC 1350 layouts byte for byte', () => {
    expect(encodeAck(0x1234).toString('hex')).toBe('00041234');
    expect(encodeData(1, Buffer.from('hi')).toString('hex')).toBe('000300016869');
    expect(encodeError(1, 'File not found').toString('latin1')).toBe('\0\x05\0\x01File not found\0');
    expect(encodeRequest(Opcode.RRQ, 'a', 'octet', new Map([['tsize', '0']])).toString('latin1')).toBe('\0\x01a\0octet\0tsize\x000\0');
    expect(encodeOack(new Map([['blksize', '1468'], ['tsize', '74213']])).toString('latin1')).toBe('\0\x06blksize\x001468\0tsize\x0074213\0');
  });

  it('replaces a NUL inside an error message and refuses one inside a name', () => {
    expect(encodeError(0, 'a\0b').toString('latin1')).toBe('\0\x05\0\0a b\0');
    expect(() => encodeRequest(Opcode.RRQ, 'a\0b', 'octet')).toThrow(RangeError);
    expect(() => encodeAck(65536)).toThrow(RangeError);
  });

  it('round-trips every packet type', () => {
    const packets: TftpPacket[] = [
      { opcode: Opcode.RRQ, filename: 'boot/snponly.efi', mode: 'octet', options: new Map([['blksize', '1468'], ['windowsize', '4']]) },
      { opcode: Opcode.WRQ, filename: 'x', mode: 'netascii', options: new Map() },
      { opcode: Opcode.DATA, block: 65535, data: Buffer.from([0, 1, 2, 255]) },
      { opcode: Opcode.DATA, block: 0, data: Buffer.alloc(0) },
      { opcode: Opcode.ACK, block: 0 },
      { opcode: Opcode.ERROR, code: 8, message: 'tsize probe' },
      { opcode: Opcode.OACK, options: new Map([['tsize', '0']]) },
    ];
    for (const packet of packets) {
      const decoded = decodePacket(encodePacket(packet));
      expect(decoded.ok && toJson(decoded.packet)).toEqual(toJson(packet));
    }
  });
});

describe('decoding', () => {
  const bytes = (text: string) => Buffer.from(text, 'latin1');

  it('returns a typed error for each kind of malformed datagram', () => {
    const cases: [string, string][] = [
      ['', 'too-short'],
      ['\0', 'too-short'],
      ['\0\x09abc', 'unknown-opcode'],
      ['\0\x01file\0octet', 'unterminated-string'],
      ['\0\x01\0octet\0', 'empty-filename'],
      ['\0\x01file\0\0', 'empty-mode'],
      ['\0\x01file\0octet\0blksize\0', 'bad-options'],
      ['\0\x01file\0octet\0\x00512\0', 'bad-options'],
      ['\0\x03\0', 'too-short'],
      ['\0\x04\x01', 'too-short'],
      ['\0\x05\0', 'too-short'],
      ['\0\x06tsize', 'unterminated-string'],
    ];
    for (const [input, kind] of cases) {
      const decoded = decodePacket(bytes(input));
      expect(decoded.ok ? 'ok' : decoded.error.kind, JSON.stringify(input)).toBe(kind);
    }
  });

  it('is lenient where clients are sloppy: NUL padding, ACK extra bytes, ERROR without NUL', () => {
    const padded = decodePacket(bytes('\0\x01f\0OCTET\0TSize\x000\0\0\0\0'));
    expect(padded.ok && toJson(padded.packet)).toEqual({ opcode: 1, filename: 'f', mode: 'octet', options: [['tsize', '0']] });
    const lone = decodePacket(bytes('\0\x01f\0octet\0tsize\0\0'));
    expect(lone.ok && toJson(lone.packet)).toEqual({ opcode: 1, filename: 'f', mode: 'octet', options: [['tsize', '']] });
    expect(decodePacket(bytes('\0\x04\0\x07junk'))).toEqual({ ok: true, packet: { opcode: 4, block: 7 } });
    expect(decodePacket(bytes('\0\x05\0\x02no nul'))).toEqual({ ok: true, packet: { opcode: 5, code: 2, message: 'no nul' } });
  });

  it('keeps the first of duplicate options, names lower-cased', () => {
    const decoded = decodePacket(bytes('\0\x01f\0octet\0BLKSIZE\x00512\0blksize\x001468\0'));
    expect(decoded.ok && toJson(decoded.packet)).toEqual({ opcode: 1, filename: 'f', mode: 'octet', options: [['blksize', '512']] });
  });

  it('returns a view of DATA, not a copy', () => {
    const datagram = encodeData(3, Buffer.from('abc'));
    const decoded = decodePacket(datagram);
    expect(decoded.ok && decoded.packet.opcode === Opcode.DATA && decoded.packet.data.buffer).toBe(datagram.buffer);
  });

  it('never throws on 20,000 random and mutated datagrams (seeded)', () => {
    let seed = 0x5eed;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / 0x1000000;
    const seeds = readdirSync(testdata).filter((f) => f.endsWith('.bin')).map((f) => readFileSync(path.join(testdata, f)));
    for (let i = 0; i < 20_000; i += 1) {
      let datagram: Buffer;
      if (i % 2 === 0) {
        datagram = Buffer.from(Array.from({ length: Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)));
      } else {
        datagram = Buffer.from(seeds[i % seeds.length] as Buffer);
        for (let flips = 1 + Math.floor(rand() * 4); flips > 0 && datagram.length > 0; flips -= 1) {
          datagram[Math.floor(rand() * datagram.length)] = Math.floor(rand() * 256);
        }
        if (rand() < 0.3) datagram = datagram.subarray(0, Math.floor(rand() * datagram.length));
      }
      const decoded = decodePacket(datagram);
      expect(typeof decoded.ok).toBe('boolean');
    }
  });
});
