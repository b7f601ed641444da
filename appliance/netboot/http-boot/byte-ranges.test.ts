import { describe, expect, it } from 'vitest';
import { MAX_RANGES, contentRange, multipartLayout, parseRange } from './byte-ranges.ts';

describe('parseRange (RFC 9110 §14.1.2)', () => {
  it.each([
    ['bytes=0-499', [{ start: 0, end: 499 }]],
    ['bytes=500-', [{ start: 500, end: 999 }]],
    ['bytes=-100', [{ start: 900, end: 999 }]],
    ['bytes=-5000', [{ start: 0, end: 999 }]],
    ['bytes=900-5000', [{ start: 900, end: 999 }]],
    ['bytes=999-999', [{ start: 999, end: 999 }]],
    ['BYTES = 0-0 , 10-19', [{ start: 0, end: 0 }, { start: 10, end: 19 }]],
    ['bytes=10-19,0-9', [{ start: 0, end: 19 }]],
    ['bytes=0-99,50-149,200-299', [{ start: 0, end: 149 }, { start: 200, end: 299 }]],
    ['bytes=0-9,2000-3000', [{ start: 0, end: 9 }]],
  ])('%s on 1000 bytes', (header, ranges) => {
    expect(parseRange(header, 1000)).toEqual({ kind: 'ranges', ranges });
  });

  it.each(['bytes=1000-', 'bytes=5000-6000', 'bytes=-0', 'bytes=1000-1000,2000-'])('%s is unsatisfiable on 1000 bytes', (header) => {
    expect(parseRange(header, 1000)).toEqual({ kind: 'unsatisfiable' });
  });

  it.each([undefined, 'items=0-9', 'bytes=', 'bytes=abc', 'bytes=9-0', 'bytes=-', 'bytes=0-9;x', 'bytes=1-2-3', '0-9'])('%s is ignored (whole representation)', (header) => {
    expect(parseRange(header, 1000)).toEqual({ kind: 'full' });
  });

  it('ignores a header with too many parts, and any range on an empty file', () => {
    const many = `bytes=${Array.from({ length: MAX_RANGES + 1 }, (_, i) => `${i * 10}-${i * 10 + 1}`).join(',')}`;
    expect(parseRange(many, 10_000)).toEqual({ kind: 'full' });
    expect(parseRange('bytes=0-0', 0)).toEqual({ kind: 'full' });
  });

  it('formats Content-Range and lays out a multipart body whose length adds up', () => {
    expect(contentRange({ start: 0, end: 9 }, 1000)).toBe('bytes 0-9/1000');
    const layout = multipartLayout([{ start: 0, end: 9 }, { start: 20, end: 29 }], 1000, 'application/octet-stream', 'B');
    expect(layout.heads).toEqual([
      '--B\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-9/1000\r\n\r\n',
      '\r\n--B\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 20-29/1000\r\n\r\n',
    ]);
    expect(layout.tail).toBe('\r\n--B--\r\n');
    expect(layout.length).toBe(layout.heads.join('').length + 20 + layout.tail.length);
  });
});
