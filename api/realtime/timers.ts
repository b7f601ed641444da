import type { Clock } from '../shared/clock.ts';

/** A pending call; cancel it with Timers.cancel. */
export interface TimerHandle {
  readonly at: number;
}

/**
 * One-shot calls at absolute instants of the injected Clock. Deadlines are
 * instants (a session's ends_at), so timers are armed on instants too, never
 * on "n ms from whenever this line runs". Tests hand in FakeTimers.
 */
export interface Timers {
  /** Calls `fn` once the clock reaches `at` (epoch ms); at once if `at` is past. */
  at(at: number, fn: () => void): TimerHandle;
  cancel(handle: TimerHandle | null | undefined): void;
}

/** setTimeout's delay is a signed 32-bit number of ms (~24.8 days); longer waits are chained. */
const MAX_DELAY_MS = 2 ** 31 - 1;

interface RealHandle extends TimerHandle {
  timeout: NodeJS.Timeout | null;
}

/**
 * Timers on the real event loop, measured against the injected clock. A
 * timeout that fires before the clock reached `at` (Node rounds delays, and
 * long waits are chained) re-arms for the rest, so `fn` never runs early.
 * Unref'd: a pending deadline never keeps a process alive on its own.
 */
export class ClockTimers implements Timers {
  constructor(private readonly clock: Clock) {}

  at(at: number, fn: () => void): TimerHandle {
    const handle: RealHandle = { at, timeout: null };
    const arm = () => {
      const delay = Math.min(Math.max(0, at - this.clock.now()), MAX_DELAY_MS);
      handle.timeout = setTimeout(() => {
        if (this.clock.now() < at) return arm();
        handle.timeout = null;
        fn();
      }, delay);
      handle.timeout.unref();
    };
    arm();
    return handle;
  }

  cancel(handle: TimerHandle | null | undefined): void {
    const real = handle as RealHandle | null | undefined;
    if (real?.timeout) {
      // Node keeps one list per distinct delay and, on clearTimeout, drops an emptied list
      // only for a ref'd timer (lib/internal/timers.js unenroll). Deadlines have a new delay at
      // every change, so the lists of cancelled unref'd timers stayed until their instant:
      // ~60,000 lists (~7 MiB) after 10 minutes of 100 add-time actions per second.
      // ref() right before clearTimeout lets Node drop the list; the ref count is unchanged.
      real.timeout.ref();
      clearTimeout(real.timeout);
    }
    if (real) real.timeout = null;
  }
}
