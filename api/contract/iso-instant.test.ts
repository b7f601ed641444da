import { describe, expect, it } from 'vitest';
import { isoInstant, isoInstantPieces, writeIsoInstant } from './iso-instant.ts';

describe('isoInstant', () => {
  it('writes exactly what Date.prototype.toISOString writes', () => {
    const samples = [
      0, -0, 1, -1, 999, 1000, 86_399_999, 86_400_000, -86_400_000, -86_400_001, 951_782_400_000 /* 2000-02-29 */,
      1_795_996_800_000, 1_795_996_800_123.9, -1.5, 253_402_300_799_999 /* 9999-12-31T23:59:59.999 */, 253_402_300_800_000,
      -62_167_219_200_001 /* year -1 */, 8.64e15, -8.64e15,
    ];
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 5000; i++) samples.push(Math.floor((random() - 0.3) * 4e12));
    const out: string[] = [];
    const bytes = Buffer.alloc(40);
    for (const ms of samples) {
      expect(isoInstant(ms)).toBe(new Date(ms).toISOString());
      expect(bytes.toString('latin1', 3, writeIsoInstant(ms, bytes, 3))).toBe(new Date(ms).toISOString());
      expect(out.slice(0, isoInstantPieces(ms, out, 0)).join('')).toBe(new Date(ms).toISOString());
    }
  });

  it('stays right past its memory of days', () => {
    for (let day = 0; day < 5000; day += 1) {
      const ms = day * 86_400_000 + (day % 86_400) * 1000 + 7;
      expect(isoInstant(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('throws as Date does for an instant it cannot print', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 8.64e15 + 1]) {
      expect(() => isoInstant(bad)).toThrow(RangeError);
    }
  });
});

describe('isoInstantPieces', () => {
  it('are isoInstant cut into pieces, wherever they are stored', () => {
    const out: string[] = ['x'];
    for (const ms of [0, -1, 1, 86_399_999, 951_782_400_000, 1_795_996_800_123.9, 253_402_300_800_000, -62_167_219_200_001, 8.64e15, -8.64e15]) {
      const end = isoInstantPieces(ms, out, 1);
      expect(out.slice(1, end).join('')).toBe(new Date(ms).toISOString());
    }
    expect(() => isoInstantPieces(Number.NaN, out, 0)).toThrow(RangeError);
  });
});
