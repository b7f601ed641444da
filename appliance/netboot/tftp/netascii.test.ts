import { describe, expect, it } from 'vitest';
import { fromNetascii, toNetascii } from './netascii.ts';

describe('netascii (RFC 1350 / RFC 764)', () => {
  it('turns LF into CR LF and a lone CR into CR NUL', () => {
    expect(toNetascii(Buffer.from('a\nb\rc\r\n')).toString('latin1')).toBe('a\r\nb\r\0c\r\0\r\n');
    expect(toNetascii(Buffer.alloc(0)).length).toBe(0);
  });

  it('round-trips arbitrary bytes', () => {
    const all = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 37) % 256));
    expect(fromNetascii(toNetascii(all))).toEqual(all);
  });
});
