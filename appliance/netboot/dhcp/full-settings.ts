import type { StaticLease } from './address-allocator.ts';
import { Subnet } from './subnet.ts';

export interface SubnetSettings {
  /** e.g. `10.0.0.0/24`. The subnet holding the box's address serves the local LAN; others serve relays (giaddr). */
  cidr: string;
  rangeStart: string;
  rangeEnd: string;
  /** Option 3. undefined: the box on its own subnet, the relay (giaddr) on a relayed one. */
  routers?: string[];
  /** Option 6. undefined: the box. */
  dnsServers?: string[];
  /** Option 15; undefined: not sent. */
  domainName?: string;
  /** undefined: FullModeSettings.leaseSeconds. */
  leaseSeconds?: number;
}

export interface FullModeSettings {
  subnets: SubnetSettings[];
  staticLeases?: StaticLease[];
  /** Lease file path; undefined keeps leases in memory only (tests). */
  leaseFile?: string;
  /** Default 3600. */
  leaseSeconds?: number;
  /** How long an offered address stays reserved for its client. Default 60. */
  offerHoldSeconds?: number;
  /** How long a declined address stays out of the pool (RFC 2131 §4.3.3). Default 600. */
  declineHoldSeconds?: number;
}

export interface ConfiguredSubnet {
  subnet: Subnet;
  settings: SubnetSettings;
}

/** Checks the subnets (throws on bad config) and that no two overlap. */
export function buildSubnets(settings: readonly SubnetSettings[]): ConfiguredSubnet[] {
  const built = settings.map((s) => ({ subnet: new Subnet(s.cidr, s.rangeStart, s.rangeEnd), settings: s }));
  for (const a of built) {
    for (const b of built) {
      if (a !== b && (a.subnet.containsInt(b.subnet.network) || b.subnet.containsInt(a.subnet.network))) {
        throw new Error(`dhcp: subnets ${a.subnet.cidr} and ${b.subnet.cidr} overlap`);
      }
    }
  }
  return built;
}
