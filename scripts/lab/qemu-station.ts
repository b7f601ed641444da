import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Firmware = 'bios' | 'uefi';

export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

export interface StationOptions {
  firmware: Firmware;
  tap: string;
  mac: string;
  /** Guest RAM in MiB. Default 512. */
  memoryMb?: number;
}

export interface StationMachine {
  args: string[];
  /** Removes the per-run files (UEFI variables, serial console settings). */
  cleanup(): Promise<void>;
}

/**
 * QEMU arguments for a diskless station under TCG (no KVM on these hosts): no default
 * NIC (`-nic none`: QEMU's user-mode network would reach outside the lab), one
 * virtio-net on the lab's tap, the serial console on stdout, power-off ends QEMU.
 * BIOS: SeaBIOS and QEMU's own iPXE NIC ROM. UEFI: OVMF with its own PXE — the NIC ROM
 * is emptied (`romfile=`), so the firmware loads iPXE from our TFTP server.
 */
export async function stationMachine(options: StationOptions): Promise<StationMachine> {
  const args = [
    '-accel', 'tcg',
    '-machine', 'q35',
    '-m', String(options.memoryMb ?? 512),
    '-smp', '1',
    '-nodefaults',
    '-nic', 'none',
    '-display', 'none',
    '-vga', 'none',
    '-serial', 'stdio',
    '-monitor', 'none',
    '-no-reboot',
    '-object', 'rng-random,filename=/dev/urandom,id=rng0',
    '-device', 'virtio-rng-pci,rng=rng0',
    '-netdev', `tap,id=net0,ifname=${options.tap},script=no,downscript=no`,
  ];
  const dir = await mkdtemp(join(tmpdir(), 'epnbox-station-'));
  if (options.firmware === 'bios') {
    // SeaBIOS mirrors the text screen (its own and the iPXE ROM's) on this serial port
    // (fw_cfg file etc/sercon-port, a little-endian I/O port: COM1 = 0x3f8). QEMU warns
    // that the name lacks "opt/"; SeaBIOS reads exactly this one.
    const port = join(dir, 'sercon-port');
    await writeFile(port, Buffer.from([0xf8, 0x03]));
    args.push('-fw_cfg', `name=etc/sercon-port,file=${port}`, '-device', `virtio-net-pci,netdev=net0,mac=${options.mac},bootindex=1`);
  } else {
    const vars = join(dir, 'OVMF_VARS_4M.fd');
    await copyFile(OVMF_VARS, vars);
    args.push(
      '-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`,
      '-drive', `if=pflash,format=raw,unit=1,file=${vars}`,
      '-device', `virtio-net-pci,netdev=net0,mac=${options.mac},romfile=,bootindex=1`,
    );
  }
  return { args, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
