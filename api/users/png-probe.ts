import { crc32 } from 'node:zlib';
import type { ProbeResult } from './image-probe-types.ts';
import { MAX_IMAGE_SIDE, probeFail } from './image-probe-types.ts';

/**
 * PNG structure check (PNG spec, W3C 3rd ed. / RFC 2083): signature, then
 * chunks of length(4) type(4) data CRC(4) where the CRC-32 covers type and
 * data (§5.3). IHDR comes first (§11.2.2); at least one IDAT; IEND ends it.
 * Pixel data is not inflated: the walk proves the file is whole and the
 * header sane, which is what an upload check needs.
 */
export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** Allowed bit depths per colour type (§11.2.2, table 11.1). */
const BIT_DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
const MAX_U31 = 0x7fffffff;

export function looksLikePng(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, PNG_SIGNATURE.length);
  return n > 0 && PNG_SIGNATURE.subarray(0, n).every((b, i) => bytes[i] === b);
}

function readHeader(view: DataView, data: number): ProbeResult {
  const width = view.getUint32(data);
  const height = view.getUint32(data + 4);
  const [depth, colour, compression, filter, interlace] = [0, 1, 2, 3, 4].map((i) => view.getUint8(data + 8 + i)) as number[];
  if (width === 0 || height === 0) return probeFail('dimensions', `PNG ${width}x${height}`);
  if (width > MAX_U31 || height > MAX_U31) return probeFail('corrupt', 'PNG dimensions beyond 2^31-1');
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) return probeFail('dimensions', `PNG ${width}x${height}`);
  if (!(BIT_DEPTHS[colour!] ?? []).includes(depth!)) return probeFail('corrupt', `PNG colour type ${colour} with depth ${depth}`);
  if (compression !== 0 || filter !== 0 || (interlace !== 0 && interlace !== 1)) return probeFail('corrupt', 'PNG unknown method');
  return { ok: true, image: { mime: 'image/png', width, height } };
}

export function probePng(bytes: Uint8Array): ProbeResult {
  if (bytes.length < PNG_SIGNATURE.length) return probeFail('truncated', 'PNG shorter than its signature');
  if (!looksLikePng(bytes)) return probeFail('type', 'not a PNG signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = PNG_SIGNATURE.length;
  let header: ProbeResult | undefined;
  let sawData = false;
  for (;;) {
    if (pos + 8 > bytes.length) return probeFail('truncated', 'PNG ends before IEND');
    const length = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (length > MAX_U31 || !/^[A-Za-z]{4}$/.test(type)) return probeFail('corrupt', `PNG bad chunk at ${pos}`);
    const end = pos + 12 + length;
    if (end > bytes.length) return probeFail('truncated', `PNG chunk ${type} cut short`);
    if (crc32(bytes.subarray(pos + 4, pos + 8 + length)) !== view.getUint32(pos + 8 + length)) {
      return probeFail('corrupt', `PNG CRC mismatch in ${type}`);
    }
    if (header === undefined) {
      if (type !== 'IHDR' || length !== 13) return probeFail('corrupt', 'PNG first chunk is not IHDR');
      header = readHeader(view, pos + 8);
      if (!header.ok) return header;
    } else if (type === 'IDAT') {
      sawData = true;
    } else if (type === 'IEND') {
      return sawData ? header : probeFail('corrupt', 'PNG without IDAT');
    }
    pos = end;
  }
}
