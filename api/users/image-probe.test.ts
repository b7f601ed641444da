import { describe, expect, it } from 'vitest';
import { GIF_BYTES, PDF_BYTES, PNG_SIGNATURE_BYTES, TEXT_BYTES, buildJpeg, buildPng, pngChunk } from './image-fixtures.ts';
import { MAX_PHOTO_BYTES, probeImage } from './image-probe.ts';

function failure(bytes: Uint8Array, max?: number) {
  const result = probeImage(bytes, max);
  return result.ok ? 'ok' : result.failure;
}

describe('image probe: PNG', () => {
  it('reads type and dimensions from IHDR', () => {
    expect(probeImage(buildPng({ width: 3, height: 5 }))).toEqual({ ok: true, image: { mime: 'image/png', width: 3, height: 5 } });
  });

  it('refuses a truncated PNG wherever it is cut', () => {
    const png = buildPng();
    for (const cut of [1, 7, 8, 12, 20, 33, png.length - 13, png.length - 1]) {
      expect(failure(png.subarray(0, cut)), `cut at ${cut}`).toBe('truncated');
    }
  });

  it('refuses a bad IHDR CRC as corrupt', () => {
    expect(failure(buildPng({ badIhdrCrc: true }))).toBe('corrupt');
  });

  it('refuses zero and absurd dimensions', () => {
    expect(failure(buildPng({ width: 0, height: 4 }))).toBe('dimensions');
    expect(failure(buildPng({ width: 4, height: 0 }))).toBe('dimensions');
    const ihdr = Buffer.from([0, 0x01, 0, 0, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
    const huge = Buffer.concat([PNG_SIGNATURE_BYTES, pngChunk('IHDR', ihdr), pngChunk('IDAT', Buffer.alloc(1)), pngChunk('IEND', Buffer.alloc(0))]);
    expect(failure(huge)).toBe('dimensions');
  });

  it('refuses a PNG whose first chunk is not IHDR, or without IDAT, or with a bad colour/depth pair', () => {
    const valid = buildPng();
    const ihdrEnd = 8 + 12 + 13;
    const noHeader = Buffer.concat([PNG_SIGNATURE_BYTES, valid.subarray(ihdrEnd)]);
    expect(failure(noHeader)).toBe('corrupt');
    const noData = Buffer.concat([valid.subarray(0, ihdrEnd), pngChunk('IEND', Buffer.alloc(0))]);
    expect(failure(noData)).toBe('corrupt');
    const badDepth = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 3, 2, 0, 0, 0]); // RGB at 3 bits does not exist
    const odd = Buffer.concat([PNG_SIGNATURE_BYTES, pngChunk('IHDR', badDepth), pngChunk('IDAT', Buffer.alloc(1)), pngChunk('IEND', Buffer.alloc(0))]);
    expect(failure(odd)).toBe('corrupt');
  });
});

describe('image probe: JPEG', () => {
  it('walks segments to SOF0 for the dimensions', () => {
    expect(probeImage(buildJpeg({ width: 640, height: 480 }))).toEqual({ ok: true, image: { mime: 'image/jpeg', width: 640, height: 480 } });
  });

  it('is not fooled by an EOI inside an EXIF thumbnail', () => {
    const jpeg = buildJpeg({ withExifThumbnailEoi: true });
    expect(failure(jpeg)).toBe('ok');
    expect(failure(jpeg.subarray(0, jpeg.length - 2))).toBe('truncated');
  });

  it('refuses a truncated JPEG wherever it is cut', () => {
    const jpeg = buildJpeg();
    for (const cut of [1, 3, 5, 20, 40, 100, jpeg.length - 2, jpeg.length - 1]) {
      expect(failure(jpeg.subarray(0, cut)), `cut at ${cut}`).toBe('truncated');
    }
  });

  it('refuses zero dimensions', () => {
    expect(failure(buildJpeg({ width: 0, height: 10 }))).toBe('dimensions');
    expect(failure(buildJpeg({ width: 10, height: 0 }))).toBe('dimensions');
  });

  it('refuses a scan before any frame header, and garbage between segments', () => {
    const scanFirst = Buffer.from([0xff, 0xd8, 0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0, 0x12, 0xff, 0xd9]);
    expect(failure(scanFirst)).toBe('corrupt');
    const jpeg = buildJpeg();
    const garbage = Buffer.concat([jpeg.subarray(0, 2), Buffer.from('xx'), jpeg.subarray(2)]);
    expect(failure(garbage)).toBe('corrupt');
  });
});

describe('image probe: what is not an accepted image', () => {
  it.each([
    ['GIF', GIF_BYTES],
    ['PDF', PDF_BYTES],
    ['text named photo.jpg', TEXT_BYTES],
  ])('refuses %s by content', (_name, bytes) => {
    expect(failure(bytes)).toBe('type');
  });

  it('refuses empty input', () => {
    expect(failure(new Uint8Array(0))).toBe('empty');
  });

  it('refuses an oversized upload before parsing it', () => {
    // Not a valid image at all: it is refused for its size, never looked at.
    expect(failure(new Uint8Array(MAX_PHOTO_BYTES + 1))).toBe('too_large');
    expect(failure(buildPng(), 10)).toBe('too_large');
  });

  it('accepts exactly the limit', () => {
    const png = buildPng();
    const padded = Buffer.concat([png.subarray(0, png.length - 12), pngChunk('tEXt', Buffer.alloc(MAX_PHOTO_BYTES - png.length - 12, 0x41)), png.subarray(png.length - 12)]);
    expect(padded.length).toBe(MAX_PHOTO_BYTES);
    expect(failure(padded)).toBe('ok');
  });
});
