import { describe, expect, it } from 'vitest';
import { LogThrottle } from './log-throttle.ts';

describe('LogThrottle', () => {
  it('lets the first lines of a window through and reports the suppressed ones later', () => {
    const t = new LogThrottle(2, 1000);
    expect([t.take('k', 0), t.take('k', 10), t.take('k', 20), t.take('k', 30)]).toEqual([0, 0, undefined, undefined]);
    expect(t.take('other', 30)).toBe(0);
    expect(t.take('k', 1000)).toBe(2);
    expect(t.take('k', 1001)).toBe(0);
  });
});
