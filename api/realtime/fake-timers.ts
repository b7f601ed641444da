import type { FakeClock } from '../shared/clock.ts';
import type { TimerHandle, Timers } from './timers.ts';

interface FakeHandle extends TimerHandle {
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * Timers driven by a FakeClock: nothing fires until a test advances time.
 * `advance` fires due timers in instant order, moves the clock to each
 * instant first (so a callback sees the time it was armed for), and awaits
 * `settle` after each one, so the async work a timer starts (an expiry, a
 * message) is done before the next instant.
 */
export class FakeTimers implements Timers {
  private readonly queue: FakeHandle[] = [];
  private seq = 0;
  /** Awaited after each fired timer; the realtime layer's `settled` fits. */
  settle: () => Promise<void> = async () => {};

  constructor(readonly clock: FakeClock) {}

  at(at: number, fn: () => void): TimerHandle {
    const handle: FakeHandle = { at, fn, seq: this.seq++, cancelled: false };
    this.queue.push(handle);
    return handle;
  }

  cancel(handle: TimerHandle | null | undefined): void {
    if (!handle) return;
    (handle as FakeHandle).cancelled = true;
    const i = this.queue.indexOf(handle as FakeHandle);
    if (i >= 0) this.queue.splice(i, 1);
  }

  /** Instants still armed, earliest first. */
  pending(): number[] {
    return this.queue.map((h) => h.at).sort((a, b) => a - b);
  }

  /** Fires everything due by now + ms, then leaves the clock at now + ms. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.clock.now() + ms);
  }

  async advanceTo(target: number): Promise<void> {
    await this.settle();
    for (;;) {
      const next = this.nextDue(target);
      if (next === undefined) break;
      this.queue.splice(this.queue.indexOf(next), 1);
      if (next.at > this.clock.now()) this.clock.set(next.at);
      next.fn();
      await this.settle();
    }
    if (target > this.clock.now()) this.clock.set(target);
  }

  private nextDue(target: number): FakeHandle | undefined {
    let best: FakeHandle | undefined;
    for (const h of this.queue) {
      if (h.at > target) continue;
      if (best === undefined || h.at < best.at || (h.at === best.at && h.seq < best.seq)) best = h;
    }
    return best;
  }
}
