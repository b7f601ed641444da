import { describe, expect, it } from 'vitest';
import { BufferPool } from './buffer-pool.ts';

describe('BufferPool', () => {
  it('hands back a returned buffer instead of making a new one', () => {
    const pool = new BufferPool(1024, 2);
    const a = pool.take();
    pool.give(a);
    expect(pool.take()).toBe(a);
    expect(pool.stats.made).toBe(1);
  });

  it('keeps at most `keep` idle buffers, so a burst does not pin its peak', () => {
    const pool = new BufferPool(16, 2);
    const taken = [pool.take(), pool.take(), pool.take(), pool.take()];
    for (const b of taken) pool.give(b);
    expect(pool.stats).toEqual({ idle: 2, made: 4 });
  });

  it('never keeps a buffer of another size (a subarray given by mistake)', () => {
    const pool = new BufferPool(16, 4);
    pool.give(pool.take().subarray(0, 8));
    pool.give(Buffer.alloc(32));
    expect(pool.stats.idle).toBe(0);
  });

  it('refuses a nonsense size or bound', () => {
    expect(() => new BufferPool(0, 1)).toThrow(RangeError);
    expect(() => new BufferPool(1.5, 1)).toThrow(RangeError);
    expect(() => new BufferPool(16, -1)).toThrow(RangeError);
  });
});
