import { intToIp, ipToInt } from './dhcp-packet.ts';

/** An IPv4 network with its address pool. Built from config; throws on bad config. */
export class Subnet {
  readonly network: number;
  readonly prefix: number;
  readonly mask: number;
  readonly rangeStart: number;
  readonly rangeEnd: number;

  constructor(cidr: string, rangeStart: string, rangeEnd: string) {
    const [address, prefixText] = cidr.split('/');
    const prefix = Number(prefixText);
    if (!address || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) {
      throw new Error(`dhcp: subnet "${cidr}" must be a.b.c.d/8..30`);
    }
    this.prefix = prefix;
    this.mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    this.network = (ipToInt(address) & this.mask) >>> 0;
    this.rangeStart = ipToInt(rangeStart);
    this.rangeEnd = ipToInt(rangeEnd);
    if (!this.containsInt(this.rangeStart) || !this.containsInt(this.rangeEnd) || this.rangeStart > this.rangeEnd) {
      throw new Error(`dhcp: range ${rangeStart}-${rangeEnd} is not inside ${cidr}`);
    }
    if (this.rangeStart === this.network || this.rangeEnd === this.broadcastInt) {
      throw new Error(`dhcp: range ${rangeStart}-${rangeEnd} includes the network or broadcast address of ${cidr}`);
    }
  }

  get broadcastInt(): number {
    return (this.network | (~this.mask >>> 0)) >>> 0;
  }

  get maskIp(): string {
    return intToIp(this.mask);
  }

  get broadcastIp(): string {
    return intToIp(this.broadcastInt);
  }

  get cidr(): string {
    return `${intToIp(this.network)}/${this.prefix}`;
  }

  get size(): number {
    return this.rangeEnd - this.rangeStart + 1;
  }

  contains(ip: string): boolean {
    return this.containsInt(ipToInt(ip));
  }

  containsInt(value: number): boolean {
    return ((value & this.mask) >>> 0) === this.network;
  }

  inRange(ip: string): boolean {
    const value = ipToInt(ip);
    return value >= this.rangeStart && value <= this.rangeEnd;
  }

  /** A usable host address of this subnet (not network, not broadcast). */
  isHost(ip: string): boolean {
    const value = ipToInt(ip);
    return this.containsInt(value) && value !== this.network && value !== this.broadcastInt;
  }
}
