import { intToIp, ipToInt, normalizeMac } from './dhcp-packet.ts';
import type { LeaseStore } from './lease-store.ts';
import type { Subnet } from './subnet.ts';

/** A fixed address for one MAC; it may lie outside the dynamic range but inside a subnet. */
export interface StaticLease {
  mac: string;
  ip: string;
  hostname?: string;
}

/** Picks addresses: static first, then the MAC's previous address, then the first free one. */
export class AddressAllocator {
  private readonly staticByMac = new Map<string, StaticLease>();
  private readonly staticIps = new Set<string>();
  private readonly reserved: Set<string>;

  /** `reserved`: addresses never handed out (the box's own, routers). */
  constructor(
    private readonly store: LeaseStore,
    staticLeases: readonly StaticLease[],
    reserved: readonly string[],
  ) {
    for (const lease of staticLeases) {
      const mac = normalizeMac(lease.mac);
      ipToInt(lease.ip);
      this.staticByMac.set(mac, { ...lease, mac });
      this.staticIps.add(lease.ip);
    }
    this.reserved = new Set(reserved);
  }

  staticFor(mac: string): StaticLease | undefined {
    return this.staticByMac.get(mac);
  }

  /** May `mac` hold `ip` on `subnet` right now? */
  isUsableFor(subnet: Subnet, ip: string, mac: string): boolean {
    if (!subnet.isHost(ip) || this.reserved.has(ip) || this.store.isDeclined(ip)) return false;
    const own = this.staticByMac.get(mac);
    if (own?.ip === ip) return true;
    if (own && subnet.contains(own.ip)) return false; // a MAC with a static address gets only that one
    if (this.staticIps.has(ip) || !subnet.inRange(ip)) return false;
    const holder = this.store.holderOf(ip);
    return holder === undefined || holder === mac;
  }

  /**
   * An address for `mac` on `subnet`, or undefined when the pool is exhausted. At most
   * two passes over the range: a full pool costs a bounded scan, never a retry loop.
   */
  choose(subnet: Subnet, mac: string, requested: string | undefined): string | undefined {
    const own = this.staticByMac.get(mac);
    if (own && subnet.contains(own.ip)) return this.isUsableFor(subnet, own.ip, mac) ? own.ip : undefined;
    const candidates = [this.store.offeredTo(mac), ...this.store.leasesOf(mac).map((l) => l.ip), requested];
    for (const ip of candidates) if (ip !== undefined && subnet.contains(ip) && this.isUsableFor(subnet, ip, mac)) return ip;
    // Start the scan at a point derived from the MAC so clients spread over the range
    // and a forgotten client tends to land on the same address again.
    const start = hashMac(mac) % subnet.size;
    for (let i = 0; i < subnet.size; i += 1) {
      const ip = intToIp(subnet.rangeStart + ((start + i) % subnet.size));
      if (this.isUsableFor(subnet, ip, mac) && this.store.leaseAt(ip) === undefined) return ip;
    }
    // Second choice: addresses whose leases expired (their old holders may come back).
    for (let i = 0; i < subnet.size; i += 1) {
      const ip = intToIp(subnet.rangeStart + ((start + i) % subnet.size));
      if (this.isUsableFor(subnet, ip, mac)) return ip;
    }
    return undefined;
  }
}

/** FNV-1a over the MAC text. */
function hashMac(mac: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < mac.length; i += 1) {
    hash ^= mac.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
