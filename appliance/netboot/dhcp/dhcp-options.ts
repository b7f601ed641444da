import { ipBytes, readIpAt } from './dhcp-packet.ts';

/*
 * Readers for option values. They are lenient: a malformed value reads as undefined,
 * so one odd option from quirky firmware never costs the whole message.
 */

export function readIp(value: Buffer | undefined): string | undefined {
  return value?.length === 4 ? readIpAt(value, 0) : undefined;
}

export function readIps(value: Buffer | undefined): string[] | undefined {
  if (!value || value.length === 0 || value.length % 4 !== 0) return undefined;
  const out: string[] = [];
  for (let i = 0; i < value.length; i += 4) out.push(readIpAt(value, i));
  return out;
}

export function readU8(value: Buffer | undefined): number | undefined {
  return value?.length === 1 ? value[0] : undefined;
}

export function readU16(value: Buffer | undefined): number | undefined {
  return value?.length === 2 ? value.readUInt16BE(0) : undefined;
}

export function readU32(value: Buffer | undefined): number | undefined {
  return value?.length === 4 ? value.readUInt32BE(0) : undefined;
}

/** Text option; trailing NULs (sent by some clients) are dropped. latin1 keeps every byte. */
export function readText(value: Buffer | undefined): string | undefined {
  if (!value) return undefined;
  let end = value.length;
  while (end > 0 && value[end - 1] === 0) end -= 1;
  return value.subarray(0, end).toString('latin1');
}

export function readByteList(value: Buffer | undefined): number[] | undefined {
  return value ? [...value] : undefined;
}

/** RFC 4578 §2.1: a list of 16-bit architecture types. */
export function readU16List(value: Buffer | undefined): number[] | undefined {
  if (!value || value.length === 0 || value.length % 2 !== 0) return undefined;
  const out: number[] = [];
  for (let i = 0; i < value.length; i += 2) out.push(value.readUInt16BE(i));
  return out;
}

/**
 * RFC 3004 user classes: length-prefixed items. iPXE (and old Windows) send one bare
 * string instead, so a value that does not parse as the list reads as that string.
 */
export function readUserClasses(value: Buffer | undefined): string[] | undefined {
  if (!value || value.length === 0) return undefined;
  const items: string[] = [];
  let i = 0;
  while (i < value.length) {
    const length = value[i]!;
    if (length === 0 || i + 1 + length > value.length) return [value.toString('latin1')];
    items.push(value.subarray(i + 1, i + 1 + length).toString('latin1'));
    i += 1 + length;
  }
  return items;
}

export interface ClientNdi {
  type: number;
  major: number;
  minor: number;
}

/** RFC 4578 §2.2: type 1 (UNDI), major, minor. */
export function readClientNdi(value: Buffer | undefined): ClientNdi | undefined {
  if (value?.length !== 3) return undefined;
  return { type: value[0]!, major: value[1]!, minor: value[2]! };
}

/** RFC 4578 §2.3: type 0 then a 16-byte GUID, shown in wire byte order. */
export function readMachineId(value: Buffer | undefined): string | undefined {
  if (value?.length !== 17 || value[0] !== 0) return undefined;
  const hex = value.subarray(1).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Encapsulated sub-options (43 vendor/PXE, 82 relay, 175 iPXE): code, length, value;
 * PAD and END as in the main area. undefined when malformed.
 */
export function readSubOptions(value: Buffer | undefined): Map<number, Buffer> | undefined {
  if (!value) return undefined;
  const out = new Map<number, Buffer>();
  let i = 0;
  while (i < value.length) {
    const code = value[i]!;
    if (code === 255) break;
    if (code === 0) {
      i += 1;
      continue;
    }
    if (i + 1 >= value.length) return undefined;
    const length = value[i + 1]!;
    if (i + 2 + length > value.length) return undefined;
    out.set(code, Buffer.from(value.subarray(i + 2, i + 2 + length)));
    i += 2 + length;
  }
  return out;
}

/* Builders for the values the server sends. */

export const ipOption = (ip: string): Buffer => ipBytes(ip);
export const ipsOption = (ips: readonly string[]): Buffer => Buffer.concat(ips.map(ipBytes));
export const textOption = (text: string): Buffer => Buffer.from(text, 'latin1');
export const u8Option = (n: number): Buffer => Buffer.from([n & 255]);

export function u32Option(n: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(n >>> 0, 0);
  return out;
}

/** Sub-option block, ended by END (255) as the PXE specification §2.4 shows. */
export function subOptionsValue(entries: ReadonlyArray<readonly [number, Buffer]>): Buffer {
  const parts: Buffer[] = [];
  for (const [code, value] of entries) parts.push(Buffer.from([code, value.length]), value);
  parts.push(Buffer.from([255]));
  return Buffer.concat(parts);
}
