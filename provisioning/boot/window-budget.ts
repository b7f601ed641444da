import type { Clock } from '../../api/shared/clock.ts';

export interface WindowBudgetOptions {
  /** Units per key and window. */
  limit: number;
  windowMs: number;
  /** Keys remembered at most; the oldest are forgotten first, so a flood of keys cannot grow memory. */
  maxKeys?: number;
}

export type BudgetVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * A fixed-window counter per key (source address, or one shared key), read
 * from the injected clock: no timers. In memory: a restart forgives, which is
 * fine for limits that only protect the box from floods.
 */
export class WindowBudget {
  private readonly windows = new Map<string, { start: number; used: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly options: WindowBudgetOptions,
  ) {}

  take(key = ''): BudgetVerdict {
    const now = this.clock.now();
    let window = this.windows.get(key);
    if (window === undefined || now - window.start >= this.options.windowMs) {
      window = { start: now, used: 0 };
      this.windows.delete(key);
      this.windows.set(key, window);
      this.forgetOldest();
    }
    if (window.used >= this.options.limit) return { allowed: false, retryAfterMs: window.start + this.options.windowMs - now };
    window.used += 1;
    return { allowed: true };
  }

  private forgetOldest(): void {
    const max = this.options.maxKeys ?? 10_000;
    for (const key of this.windows.keys()) {
      if (this.windows.size <= max) return;
      this.windows.delete(key);
    }
  }
}
