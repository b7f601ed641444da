import { readFile } from 'node:fs/promises';

/**
 * The MAC the kernel's neighbour (ARP) table holds for an IPv4 address, or undefined.
 * TFTP and HTTP only see a station's address; the box has just exchanged packets with
 * it, so its entry is there, and the boot log can name the station by MAC in proxy mode
 * too, where the box hands out no addresses.
 */
export async function macForIp(ip: string, read: () => Promise<string> = () => readFile('/proc/net/arp', 'utf8')): Promise<string | undefined> {
  try {
    return macFromArpTable(await read(), ip);
  } catch {
    return undefined;
  }
}

/** Reads `/proc/net/arp` text: `IP address  HW type  Flags  HW address  Mask  Device`. */
export function macFromArpTable(table: string, ip: string): string | undefined {
  for (const line of table.split('\n').slice(1)) {
    const [address, , flags, mac] = line.trim().split(/\s+/);
    // Flags 0x0: an incomplete entry, whose MAC is 00:00:00:00:00:00.
    if (address === ip && mac !== undefined && flags !== '0x0') return mac.toLowerCase();
  }
  return undefined;
}
