import type { Clock } from '../../../api/shared/clock.ts';

export interface RequestRateLimit {
  /** Requests a client may send in a burst (a UEFI boot asks 2–4 files in a second). */
  readonly burst: number;
  /** Requests per second a client earns back. */
  readonly perSecond: number;
  /** Clients remembered at once; beyond that, the least recently seen is forgotten. */
  readonly maxClients: number;
}

/**
 * A token bucket per client address, bounding how fast one machine (or one
 * spoofed address) can make the server open files and sockets. Memory is
 * bounded too: the table forgets the least recently seen clients.
 */
export class RequestLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limit: RequestRateLimit,
    private readonly clock: Clock,
  ) {}

  /** True when `client` may start one more request now (and counts it). */
  take(client: string): boolean {
    const now = this.clock.now();
    const bucket = this.buckets.get(client);
    let tokens = this.limit.burst;
    if (bucket !== undefined) {
      this.buckets.delete(client);
      tokens = Math.min(this.limit.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.limit.perSecond);
    }
    const allowed = tokens >= 1;
    this.buckets.set(client, { tokens: allowed ? tokens - 1 : tokens, at: now });
    if (this.buckets.size > this.limit.maxClients) {
      const oldest = this.buckets.keys().next();
      if (oldest.done !== true) this.buckets.delete(oldest.value);
    }
    return allowed;
  }

  get clients(): number {
    return this.buckets.size;
  }
}
