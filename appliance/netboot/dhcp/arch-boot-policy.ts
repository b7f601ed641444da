import type { BootClient, BootPolicy, BootSpec } from './boot-policy.ts';
import { archName, isUefiX64 } from './client-info.ts';
import { Arch } from './dhcp-constants.ts';
import { normalizeMac } from './dhcp-packet.ts';

export interface ArchBootPolicyOptions {
  /** Base of the box's HTTP boot service, e.g. `http://10.0.0.1` (no trailing slash). */
  httpBaseUrl: string;
  /** TFTP path for BIOS PXE (arch 0). Debian's ipxe package ships `undionly.kpxe`. */
  biosBootFile?: string;
  /** TFTP path for x86-64 UEFI (arch 7 and 9): `snponly.efi` (small, uses the firmware's NIC driver) or `ipxe.efi`. */
  uefiBootFile?: string;
  /**
   * Firmware quirks: a boot file per MAC that replaces the per-arch choice for firmware
   * PXE (not for iPXE, which always gets the HTTP URL so it cannot loop).
   */
  bootFileByMac?: Record<string, string>;
  /** Enrollment hook, passed through (see BootPolicy.onClientSeen). */
  onClientSeen?: BootPolicy['onClientSeen'];
}

/**
 * The standard chain: firmware PXE gets an iPXE binary over TFTP; iPXE (which DHCPs
 * again) gets the HTTP script URL instead, so it never chain-loads itself forever.
 */
export function createArchBootPolicy(options: ArchBootPolicyOptions): BootPolicy {
  const bios = options.biosBootFile ?? 'undionly.kpxe';
  const uefi = options.uefiBootFile ?? 'snponly.efi';
  const overrides = new Map(Object.entries(options.bootFileByMac ?? {}).map(([mac, file]) => [normalizeMac(mac), file]));
  const base = options.httpBaseUrl.replace(/\/+$/, '');
  const policy: BootPolicy = {
    bootFor(client: BootClient): BootSpec | null {
      if (client.isIpxe) {
        // A normalised MAC is hex and colons, both legal in a query (RFC 3986 §3.4).
        const query = `mac=${client.mac}&arch=${archName(client.arch)}`;
        return { bootUrl: `${base}/boot/ipxe?${query}` };
      }
      const override = overrides.get(client.mac);
      if (override) return { bootFile: override };
      if (client.arch === Arch.BIOS) return { bootFile: bios };
      if (isUefiX64(client.arch)) return { bootFile: uefi };
      return null;
    },
  };
  if (options.onClientSeen) policy.onClientSeen = options.onClientSeen;
  return policy;
}
