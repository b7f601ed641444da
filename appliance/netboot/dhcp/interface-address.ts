import { networkInterfaces } from 'node:os';

export interface InterfaceAddress {
  address: string;
  netmask: string;
  /** e.g. `10.0.0.1/24`. */
  cidr: string;
}

/**
 * The first IPv4 address of an interface, as seen from this process's network namespace.
 * Throws when the interface is missing or has no IPv4 address: the server must not
 * start on a guess.
 */
export function interfaceIpv4(name: string, list = networkInterfaces()): InterfaceAddress {
  const entries = list[name];
  if (!entries) throw new Error(`dhcp: interface "${name}" does not exist (known: ${Object.keys(list).join(', ') || 'none'})`);
  const v4 = entries.find((e) => e.family === 'IPv4' && !e.internal) ?? entries.find((e) => e.family === 'IPv4');
  if (!v4 || !v4.cidr) throw new Error(`dhcp: interface "${name}" has no IPv4 address`);
  return { address: v4.address, netmask: v4.netmask, cidr: v4.cidr };
}
