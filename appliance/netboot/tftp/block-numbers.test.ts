import { describe, expect, it } from 'vitest';
import { absoluteBlock, wireBlock } from './block-numbers.ts';

describe('block numbers beyond 65535 blocks', () => {
  it('wraps to 0 by default and to 1 with rollover 1', () => {
    expect([65534, 65535, 65536, 65537].map((b) => wireBlock(b, 0))).toEqual([65534, 65535, 0, 1]);
    expect([65534, 65535, 65536, 65537].map((b) => wireBlock(b, 1))).toEqual([65534, 65535, 1, 2]);
    expect(wireBlock(65535 * 2 + 1, 1)).toBe(1);
    expect(wireBlock(131072, 0)).toBe(0);
  });

  it('maps an ACK back to the absolute block inside [acked, sent]', () => {
    expect(absoluteBlock(0, 0, 0, 0)).toBe(0); // ACK of the OACK
    expect(absoluteBlock(3, 0, 4, 0)).toBe(3);
    expect(absoluteBlock(0, 65535, 65538, 0)).toBe(65536);
    expect(absoluteBlock(2, 65535, 65538, 0)).toBe(65538);
    expect(absoluteBlock(1, 65535, 65538, 1)).toBe(65536);
    expect(absoluteBlock(65535, 65535, 65538, 0)).toBe(65535); // the duplicate of the last ACK
    expect(absoluteBlock(0, 65535, 65538, 1)).toBeUndefined();
  });

  it('rejects ACKs for blocks not sent yet or long gone', () => {
    expect(absoluteBlock(5, 0, 4, 0)).toBeUndefined();
    expect(absoluteBlock(3, 10, 12, 0)).toBeUndefined();
    expect(absoluteBlock(9, 10, 12, 0)).toBeUndefined();
  });

  it('agrees with wireBlock over a long run for both rollover styles', () => {
    for (const rollover of [0, 1] as const) {
      for (let base = 65000; base < 200_000; base += 997) {
        for (const ahead of [0, 1, 7, 63]) {
          expect(absoluteBlock(wireBlock(base + ahead, rollover), base, base + 63, rollover)).toBe(base + ahead);
        }
      }
    }
  });
});
