import { crc32, deflateSync } from 'node:zlib';

/**
 * Real, tiny images built byte by byte for tests (no binary files in the
 * repository). The PNG is fully decodable (zlib IDAT with filter bytes); the
 * JPEG has every segment a baseline decoder looks for.
 */

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

export function pngChunk(type: string, data: Buffer, options: { badCrc?: boolean } = {}): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = crc32(body) ^ (options.badCrc === true ? 1 : 0);
  return Buffer.concat([u32(data.length), body, u32(crc)]);
}

export const PNG_SIGNATURE_BYTES = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** An RGB 8-bit PNG of the given size filled with one colour. */
export function buildPng(options: { width?: number; height?: number; rgb?: [number, number, number]; badIhdrCrc?: boolean } = {}): Buffer {
  const width = options.width ?? 2;
  const height = options.height ?? 2;
  const [r, g, b] = options.rgb ?? [200, 30, 30];
  const ihdr = Buffer.concat([u32(width), u32(height), Buffer.from([8, 2, 0, 0, 0])]);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => [r, g, b]).flat())]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    PNG_SIGNATURE_BYTES,
    pngChunk('IHDR', ihdr, { badCrc: options.badIhdrCrc === true }),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function segment(marker: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0xff, marker]), u16(body.length + 2), body]);
}

/**
 * A baseline greyscale JPEG: SOI, APP0 (JFIF), DQT, SOF0 with the given size,
 * DHT (DC and AC tables with one code each), SOS, a few entropy bytes (with a
 * stuffed 0xFF00 to exercise the scanner) and EOI.
 */
export function buildJpeg(options: { width?: number; height?: number; withExifThumbnailEoi?: boolean } = {}): Buffer {
  const width = options.width ?? 2;
  const height = options.height ?? 2;
  const parts: Buffer[] = [Buffer.from([0xff, 0xd8])];
  parts.push(segment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0])));
  // An EXIF block may hold a whole thumbnail JPEG, EOI included: the scanner must not stop on it.
  if (options.withExifThumbnailEoi === true) parts.push(segment(0xe1, Buffer.from([0x45, 0x78, 0x69, 0x66, 0, 0, 0xff, 0xd8, 0xff, 0xd9])));
  parts.push(segment(0xdb, Buffer.concat([Buffer.from([0x00]), Buffer.alloc(64, 1)])));
  parts.push(segment(0xc0, Buffer.concat([Buffer.from([8]), u16(height), u16(width), Buffer.from([1, 1, 0x11, 0])])));
  const oneCode = Buffer.concat([Buffer.from([1]), Buffer.alloc(15, 0), Buffer.from([0])]);
  parts.push(segment(0xc4, Buffer.concat([Buffer.from([0x00]), oneCode, Buffer.from([0x10]), oneCode])));
  parts.push(segment(0xda, Buffer.from([1, 1, 0x00, 0, 63, 0])));
  parts.push(Buffer.from([0x00, 0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x00]));
  parts.push(Buffer.from([0xff, 0xd9]));
  return Buffer.concat(parts);
}

/** Bytes of some other formats an operator might upload by mistake. */
export const GIF_BYTES = Buffer.from('GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;', 'latin1');
export const PDF_BYTES = Buffer.from('%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
export const TEXT_BYTES = Buffer.from('Ceci est un fichier texte nommé photo.jpg\n', 'utf8');
