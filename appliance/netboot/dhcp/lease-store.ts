import type { Clock } from '../../../api/shared/clock.ts';
import { emptyLeaseFile, readLeaseFile, writeLeaseFile, type Lease, type LeaseFileContent } from './lease-file.ts';
import { silentLogger, type NetbootLogger } from './logger.ts';
import { rename } from 'node:fs/promises';

/** Expired leases are forgotten after this long (until then the MAC gets its address back). */
const FORGET_EXPIRED_MS = 24 * 3600_000;

interface Offer {
  mac: string;
  until: number;
}

/**
 * Leases by address, with the offers in flight and declined addresses. Offers live in
 * memory only; bindings and declines reach the lease file through `commit()`.
 */
export class LeaseStore {
  private readonly leases = new Map<string, Lease>();
  private readonly ipsByMac = new Map<string, Set<string>>();
  private readonly offers = new Map<string, Offer>();
  private readonly offerIpByMac = new Map<string, string>();
  private readonly declined = new Map<string, number>();
  private queued: Promise<void> | null = null;
  private inFlight: Promise<void> | null = null;

  private constructor(
    private readonly path: string | undefined,
    private readonly clock: Clock,
  ) {}

  /**
   * Loads the lease file (undefined path: memory only). A file that does not parse is
   * moved aside as `<file>.corrupt-<ms>` and logged, so stations still boot.
   */
  static async open(path: string | undefined, clock: Clock, logger: NetbootLogger = silentLogger): Promise<LeaseStore> {
    const store = new LeaseStore(path, clock);
    if (!path) return store;
    const read = await readLeaseFile(path);
    let content: LeaseFileContent = emptyLeaseFile();
    if (read.ok) content = read.content;
    else {
      const aside = `${path}.corrupt-${clock.now()}`;
      await rename(path, aside).catch(() => undefined);
      logger.error({ file: path, movedTo: aside, reason: read.reason }, 'lease file unreadable, starting with no leases');
    }
    for (const lease of content.leases) store.setLease(lease);
    for (const d of content.declined) store.declined.set(d.ip, d.until);
    logger.info({ file: path, leases: content.leases.length, declined: content.declined.length }, 'leases loaded');
    return store;
  }

  leaseAt(ip: string): Lease | undefined {
    return this.leases.get(ip);
  }

  /** Every lease the MAC holds or held (expired ones included), newest expiry first. */
  leasesOf(mac: string): Lease[] {
    const ips = this.ipsByMac.get(mac) ?? new Set<string>();
    return [...ips].map((ip) => this.leases.get(ip)!).sort((a, b) => b.expiresAt - a.expiresAt);
  }

  /** The MAC an address is taken by right now (live lease or pending offer), if any. */
  holderOf(ip: string): string | undefined {
    const now = this.clock.now();
    const lease = this.leases.get(ip);
    if (lease && lease.expiresAt > now) return lease.mac;
    const offer = this.offers.get(ip);
    if (offer && offer.until > now) return offer.mac;
    return undefined;
  }

  isDeclined(ip: string): boolean {
    const until = this.declined.get(ip);
    return until !== undefined && until > this.clock.now();
  }

  offeredTo(mac: string): string | undefined {
    const ip = this.offerIpByMac.get(mac);
    const offer = ip === undefined ? undefined : this.offers.get(ip);
    return offer && offer.until > this.clock.now() ? ip : undefined;
  }

  /** Reserves an address for a MAC between OFFER and REQUEST (RFC 2131 §4.3.1). */
  offer(mac: string, ip: string, holdMs: number): void {
    this.dropOffersOf(mac);
    this.dropOffer(ip);
    if (this.offers.size >= 4096) this.sweepOffers();
    this.offers.set(ip, { mac, until: this.clock.now() + holdMs });
    this.offerIpByMac.set(mac, ip);
  }

  dropOffersOf(mac: string): void {
    const ip = this.offerIpByMac.get(mac);
    if (ip !== undefined) this.dropOffer(ip);
  }

  bind(lease: Lease): void {
    this.dropOffer(lease.ip);
    this.setLease(lease);
  }

  /** RFC 2131 §4.3.4: the address is free again; the record stays for address affinity. */
  release(mac: string, ip: string): boolean {
    const lease = this.leases.get(ip);
    if (!lease || lease.mac !== mac) return false;
    lease.expiresAt = Math.min(lease.expiresAt, this.clock.now());
    return true;
  }

  /** RFC 2131 §4.3.3: someone else answers on this address; keep it out of the pool a while. */
  decline(ip: string, holdMs: number): void {
    const lease = this.leases.get(ip);
    if (lease) this.deleteLease(lease);
    this.dropOffer(ip);
    this.declined.set(ip, this.clock.now() + holdMs);
  }

  /**
   * Persists the current state. Calls made while a write is waiting share it, so a burst
   * of ACKs costs one write; the promise settles once a write containing the caller's
   * change is on disk (callers answer only after that).
   */
  commit(): Promise<void> {
    const path = this.path;
    if (!path) return Promise.resolve();
    if (!this.queued) {
      const prior = this.inFlight ?? Promise.resolve();
      this.queued = prior
        .catch(() => undefined)
        .then(async () => {
          this.queued = null;
          const write = writeLeaseFile(path, this.snapshot());
          this.inFlight = write;
          try {
            await write;
          } finally {
            if (this.inFlight === write) this.inFlight = null;
          }
        });
    }
    return this.queued;
  }

  /** Waits for writes in progress (on shutdown). */
  async flush(): Promise<void> {
    await (this.queued ?? this.inFlight ?? Promise.resolve()).catch(() => undefined);
  }

  snapshot(): LeaseFileContent {
    const now = this.clock.now();
    for (const lease of [...this.leases.values()]) if (lease.expiresAt + FORGET_EXPIRED_MS < now) this.deleteLease(lease);
    for (const [ip, until] of this.declined) if (until <= now) this.declined.delete(ip);
    return {
      version: 1,
      leases: [...this.leases.values()].map((l) => ({ ...l })),
      declined: [...this.declined].map(([ip, until]) => ({ ip, until })),
    };
  }

  private dropOffer(ip: string): void {
    const offer = this.offers.get(ip);
    if (!offer) return;
    this.offers.delete(ip);
    if (this.offerIpByMac.get(offer.mac) === ip) this.offerIpByMac.delete(offer.mac);
  }

  /** Bounds memory when many clients DISCOVER and never REQUEST (load tests, scanners). */
  private sweepOffers(): void {
    const now = this.clock.now();
    for (const [ip, offer] of [...this.offers]) if (offer.until <= now) this.dropOffer(ip);
  }

  private setLease(lease: Lease): void {
    const previous = this.leases.get(lease.ip);
    if (previous) this.deleteLease(previous);
    this.leases.set(lease.ip, { ...lease });
    const ips = this.ipsByMac.get(lease.mac) ?? new Set<string>();
    ips.add(lease.ip);
    this.ipsByMac.set(lease.mac, ips);
  }

  private deleteLease(lease: Lease): void {
    this.leases.delete(lease.ip);
    const ips = this.ipsByMac.get(lease.mac);
    ips?.delete(lease.ip);
    if (ips?.size === 0) this.ipsByMac.delete(lease.mac);
  }
}
