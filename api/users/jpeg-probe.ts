import type { ProbeResult } from './image-probe-types.ts';
import { MAX_IMAGE_SIDE, probeFail } from './image-probe-types.ts';

/**
 * JPEG structure check (ITU-T T.81 Annex B): SOI, then marker segments
 * (0xFF, marker, 16-bit length including itself) up to a frame header SOFn
 * giving the dimensions (B.2.2), then a scan header SOS and entropy-coded data
 * ending with EOI. In entropy-coded data a 0xFF byte is always followed by a
 * stuffed 0x00 or a RSTn marker (B.1.1.5), so 0xFF 0xD9 there can only be EOI:
 * its absence means the file was cut.
 */
const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const TEM = 0x01;

/** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range (Table B.1). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function isStandalone(marker: number): boolean {
  return marker === TEM || (marker >= 0xd0 && marker <= 0xd7);
}

export function looksLikeJpeg(bytes: Uint8Array): boolean {
  return bytes[0] === 0xff && (bytes.length < 2 || bytes[1] === SOI);
}

function readFrame(view: DataView, seg: number, length: number): ProbeResult {
  // P(1) Y(2) X(2) Nf(1) then 3 bytes per component.
  if (length < 8) return probeFail('corrupt', 'JPEG frame header too short');
  const height = view.getUint16(seg + 1);
  const width = view.getUint16(seg + 3);
  const components = view.getUint8(seg + 5);
  if (components === 0 || length !== 8 + 3 * components) return probeFail('corrupt', 'JPEG frame header length');
  // Height 0 means "given later by DNL" (B.2.5): legal, but not something an ID photo needs.
  if (width === 0 || height === 0) return probeFail('dimensions', `JPEG ${width}x${height}`);
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) return probeFail('dimensions', `JPEG ${width}x${height}`);
  return { ok: true, image: { mime: 'image/jpeg', width, height } };
}

function hasEndOfImage(bytes: Uint8Array, from: number): boolean {
  for (let i = bytes.indexOf(0xff, from); i !== -1 && i + 1 < bytes.length; i = bytes.indexOf(0xff, i + 1)) {
    if (bytes[i + 1] === EOI) return true;
  }
  return false;
}

export function probeJpeg(bytes: Uint8Array): ProbeResult {
  if (bytes.length < 4) return probeFail('truncated', 'JPEG shorter than a marker');
  if (bytes[0] !== 0xff || bytes[1] !== SOI) return probeFail('type', 'not a JPEG SOI');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let frame: ProbeResult | undefined;
  let pos = 2;
  for (;;) {
    if (pos >= bytes.length) return probeFail('truncated', 'JPEG ends between segments');
    if (bytes[pos] !== 0xff) return probeFail('corrupt', `JPEG expected a marker at ${pos}`);
    while (bytes[pos] === 0xff) pos += 1; // fill bytes (B.1.1.2)
    if (pos >= bytes.length) return probeFail('truncated', 'JPEG ends in fill bytes');
    const marker = bytes[pos]!;
    pos += 1;
    if (isStandalone(marker)) continue;
    if (marker === SOI || marker === EOI || marker === 0x00) return probeFail('corrupt', `JPEG unexpected marker ${marker.toString(16)}`);
    if (pos + 2 > bytes.length) return probeFail('truncated', 'JPEG segment length cut');
    const length = view.getUint16(pos);
    if (length < 2) return probeFail('corrupt', 'JPEG segment length below 2');
    if (pos + length > bytes.length) return probeFail('truncated', 'JPEG segment cut short');
    if (isStartOfFrame(marker) && frame === undefined) {
      frame = readFrame(view, pos + 2, length);
      if (!frame.ok) return frame;
    } else if (marker === SOS) {
      if (frame === undefined) return probeFail('corrupt', 'JPEG scan before any frame header');
      return hasEndOfImage(bytes, pos + length) ? frame : probeFail('truncated', 'JPEG without EOI after the scan');
    }
    pos += length;
  }
}
