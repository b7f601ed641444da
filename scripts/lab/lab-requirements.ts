import { existsSync } from 'node:fs';
import { requireRoot, requireTools } from '../../test/support/require-tool.ts';
import { OVMF_CODE, OVMF_VARS } from './qemu-station.ts';

/** Files the QEMU boots need besides the tools (Debian package in brackets). */
const FILES: Array<[string, string]> = [
  [OVMF_CODE, 'ovmf'],
  [OVMF_VARS, 'ovmf'],
  ['/usr/lib/ipxe/snponly.efi', 'ipxe'],
  ['/usr/lib/ipxe/qemu/efi-virtio.rom', 'ipxe-qemu'],
];

/** Throws (a test fails, never skips) when root, a tool or a firmware file is missing, naming the Debian package. */
export function requireQemuLab(): void {
  requireRoot();
  requireTools('ip', 'nft', 'dnsmasq', 'qemu-system-x86_64', 'apt-get', 'apt-cache', 'dpkg-deb', 'tar');
  const missing = FILES.filter(([file]) => !existsSync(file)).map(([file, pkg]) => `${file} (Debian package ${pkg})`);
  if (missing.length > 0) throw new Error(`missing files: ${missing.join(', ')}; install with apt-get install --no-install-recommends (see .ci/apt/netboot-qemu.list)`);
}
