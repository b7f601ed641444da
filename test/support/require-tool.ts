import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Debian package providing each tool, for the error message (and .ci/apt/*.list). */
const packageOf: Record<string, string> = {
  ip: 'iproute2',
  nft: 'nftables',
  busybox: 'busybox-static',
  dhclient: 'isc-dhcp-client',
  dnsmasq: 'dnsmasq-base',
  tcpdump: 'tcpdump',
  tftp: 'tftp-hpa',
  'in.tftpd': 'tftpd-hpa',
  atftp: 'atftp',
  curl: 'curl',
  'qemu-system-x86_64': 'qemu-system-x86',
};

const systemDirs = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Absolute path of an executable on PATH (or the sbin dirs), or undefined. */
export function findTool(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...systemDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Fails (throws) when a tool is missing, naming the Debian package to install. Tests
 * call it in beforeAll: a missing tool is a failure, never a skip (under CI=true and
 * outside it alike), so a machine without the tools cannot pass silently.
 */
export function requireTools(...names: string[]): Record<string, string> {
  const found: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    const path = findTool(name);
    if (path) found[name] = path;
    else missing.push(`${name} (Debian package ${packageOf[name] ?? 'unknown'})`);
  }
  if (missing.length > 0) {
    const ci = process.env.CI === 'true' ? ' [CI=true: list it in .ci/apt/<feature>.list]' : '';
    throw new Error(`missing tools: ${missing.join(', ')}; install with apt-get install --no-install-recommends${ci}`);
  }
  return found;
}

/** Network namespaces need root (CAP_NET_ADMIN); fail clearly otherwise. */
export function requireRoot(): void {
  if (process.getuid?.() !== 0) throw new Error('this test creates network namespaces and must run as root');
}
