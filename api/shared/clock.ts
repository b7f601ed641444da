/**
 * All domain time goes through a Clock so tests can move it. Times are epoch
 * milliseconds (UTC); local days are derived with the configured time zone.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: for tests and simulations. */
export class FakeClock implements Clock {
  constructor(private current: number = Date.parse('2026-03-02T08:00:00Z')) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(epochMs: number): void {
    this.current = epochMs;
  }
}
