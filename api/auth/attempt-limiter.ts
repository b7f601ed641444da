import type { Clock } from '../shared/clock.ts';

export interface LimiterOptions {
  /** Failures allowed in the window before a lockout. */
  maxFailures: number;
  windowMs: number;
  /** First lockout; each further lockout doubles it, up to maxLockoutMs. */
  baseLockoutMs: number;
  maxLockoutMs: number;
  /** Bound on tracked keys so a flood of distinct keys cannot grow memory without limit. */
  maxKeys?: number;
}

interface Entry {
  failures: number[];
  lockouts: number;
  lockedUntil: number;
}

export type LimiterVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Counts failures per key (account, IP, station) in a sliding window and locks
 * the key out for a growing delay. In memory: a restart forgives, which is
 * acceptable for an appliance whose attackers sit in the room.
 */
export class AttemptLimiter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly options: LimiterOptions,
  ) {}

  check(key: string): LimiterVerdict {
    const entry = this.entries.get(key);
    const now = this.clock.now();
    if (entry && entry.lockedUntil > now) return { allowed: false, retryAfterMs: entry.lockedUntil - now };
    return { allowed: true };
  }

  /** Records a failure; returns the lockout it triggered, if any. */
  fail(key: string): { lockedOutForMs: number } | null {
    const now = this.clock.now();
    const entry = this.entries.get(key) ?? { failures: [], lockouts: 0, lockedUntil: 0 };
    entry.failures = entry.failures.filter((t) => t > now - this.options.windowMs);
    entry.failures.push(now);
    this.entries.delete(key);
    this.entries.set(key, entry); // most recent last, for eviction
    this.evict();
    if (entry.failures.length < this.options.maxFailures) return null;
    const lockout = Math.min(this.options.baseLockoutMs * 2 ** entry.lockouts, this.options.maxLockoutMs);
    entry.lockouts += 1;
    entry.lockedUntil = now + lockout;
    entry.failures = [];
    return { lockedOutForMs: lockout };
  }

  /** A success clears the failures but keeps the lockout history for a while. */
  succeed(key: string): void {
    const entry = this.entries.get(key);
    if (entry) entry.failures = [];
  }

  private evict(): void {
    const max = this.options.maxKeys ?? 10_000;
    while (this.entries.size > max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }
}
