import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../api/shared/clock.ts';
import { RequestLimiter } from './request-limiter.ts';

describe('RequestLimiter', () => {
  it('allows a burst, then the refill rate, per client', () => {
    const clock = new FakeClock();
    const limiter = new RequestLimiter({ burst: 3, perSecond: 2, maxClients: 10 }, clock);
    expect([1, 2, 3, 4].map(() => limiter.take('10.0.0.1'))).toEqual([true, true, true, false]);
    expect(limiter.take('10.0.0.2')).toBe(true);
    clock.advance(500);
    expect([limiter.take('10.0.0.1'), limiter.take('10.0.0.1')]).toEqual([true, false]);
    clock.advance(60_000);
    expect([1, 2, 3, 4].map(() => limiter.take('10.0.0.1'))).toEqual([true, true, true, false]);
  });

  it('remembers a bounded number of clients', () => {
    const limiter = new RequestLimiter({ burst: 1, perSecond: 1, maxClients: 100 }, new FakeClock());
    for (let i = 0; i < 10_000; i += 1) limiter.take(`10.0.${i >> 8}.${i & 255}`);
    expect(limiter.clients).toBe(100);
  });
});
