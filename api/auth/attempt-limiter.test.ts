import { describe, expect, it } from 'vitest';
import { FakeClock } from '../shared/clock.ts';
import { AttemptLimiter } from './attempt-limiter.ts';

const options = { maxFailures: 5, windowMs: 60_000, baseLockoutMs: 30_000, maxLockoutMs: 15 * 60_000 };

describe('attempt limiter', () => {
  it('locks out after 5 failures in a minute, for a growing delay', () => {
    const clock = new FakeClock();
    const limiter = new AttemptLimiter(clock, options);
    for (let i = 0; i < 4; i++) expect(limiter.fail('station:1')).toBeNull();
    expect(limiter.fail('station:1')).toEqual({ lockedOutForMs: 30_000 });
    expect(limiter.check('station:1')).toEqual({ allowed: false, retryAfterMs: 30_000 });
    expect(limiter.check('station:2')).toEqual({ allowed: true });
    clock.advance(30_000);
    expect(limiter.check('station:1')).toEqual({ allowed: true });
    for (let i = 0; i < 4; i++) limiter.fail('station:1');
    expect(limiter.fail('station:1')).toEqual({ lockedOutForMs: 60_000 });
  });

  it('forgets failures older than the window', () => {
    const clock = new FakeClock();
    const limiter = new AttemptLimiter(clock, options);
    for (let i = 0; i < 4; i++) limiter.fail('ip');
    clock.advance(61_000);
    expect(limiter.fail('ip')).toBeNull();
  });

  it('caps the delay and the number of tracked keys', () => {
    const clock = new FakeClock();
    const limiter = new AttemptLimiter(clock, { ...options, maxFailures: 1, maxKeys: 100 });
    let last = 0;
    for (let i = 0; i < 10; i++) {
      last = limiter.fail('k')!.lockedOutForMs;
      clock.advance(last);
    }
    expect(last).toBe(15 * 60_000);
    for (let i = 0; i < 1000; i++) limiter.fail(`flood-${i}`);
    expect(limiter.check('flood-999')).toMatchObject({ allowed: false });
    expect(limiter.check('flood-0')).toEqual({ allowed: true });
  });
});
