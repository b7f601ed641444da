import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NONCE_PATTERN } from '../../api/enrollment/enrollment-nonces.ts';
import { CMDLINE_PREFIX } from '../../scripts/lab/boot-assets.ts';
import { bootStation, randomStationMac, type BootResult } from './qemu-support/boot-station.ts';
import { startQemuLab, type QemuLab } from './qemu-support/qemu-lab-fixture.ts';

// Typical times from QEMU's start to the marker under TCG (docs/netboot.md, "Tested
// firmware and the lab"); the tests wait three times as long.
const TYPICAL_BIOS_MS = 11_000;
const TYPICAL_UEFI_MS = 19_000;
/** OVMF with ipxe.efi (850 KB over TFTP instead of snponly.efi's 174 KB). */
const TYPICAL_UEFI_IPXE_EFI_MS = 22_000;

let lab: QemuLab;
const started = Date.now();

function say(text: string): void {
  process.stdout.write(`qemu-pxe: ${text}\n`);
}

/** Starts the lab for one describe block, printing how long each setup phase took. */
async function labFor(dhcpMode: 'full' | 'proxy', env: Record<string, string> = {}): Promise<QemuLab> {
  let last = Date.now();
  return startQemuLab(dhcpMode === 'full' ? 'epqf' : 'epqp', {
    dhcpMode,
    env,
    phase: (name) => {
      say(`${dhcpMode}: ${name} in ${((Date.now() - last) / 1000).toFixed(1)} s`);
      last = Date.now();
    },
  });
}

afterAll(() => say(`whole file ${((Date.now() - started) / 1000).toFixed(1)} s`));

function linesOf(mac: string): Array<Record<string, unknown>> {
  return lab.appliance.lines.filter((l) => l.mac === mac || (l.boot as { mac?: string } | undefined)?.mac === mac);
}

function kernelCommandLine(boot: BootResult): string {
  // SeaBIOS's serial mirror may leave escape sequences in front of it on the same line.
  const line = boot.serial.split(/\r?\n/).find((l) => l.includes(CMDLINE_PREFIX));
  expect(line, 'the /init printed the kernel command line').toBeDefined();
  return line!.slice(line!.indexOf(CMDLINE_PREFIX) + CMDLINE_PREFIX.length).trim();
}

/** What every boot must leave behind: the marker, a station, a nonce bound to its MAC on the command line. */
function expectBootedAndEnrolled(boot: BootResult, mac: string): void {
  expect(boot.serial).toContain(lab.marker);
  const cmdline = kernelCommandLine(boot);
  expect(cmdline).toContain('initrd=initrd.img');
  expect(cmdline).toContain('console=ttyS0');
  const nonce = /epnbox\.enroll=(\S+)/.exec(cmdline)?.[1];
  expect(nonce).toMatch(NONCE_PATTERN);
  const stations = lab.query<{ id: number; mac: string; state: string }>('select id, mac, state from stations where mac = ?', mac);
  expect(stations).toEqual([{ id: expect.any(Number), mac, state: 'available' }]);
  const nonces = lab.query<{ station_id: number; mac: string; used_at: number | null }>(
    'select station_id, mac, used_at from enrollment_nonces where nonce_hash = ?',
    createHash('sha256').update(nonce!).digest('hex'),
  );
  expect(nonces).toEqual([{ station_id: stations[0]!.id, mac, used_at: null }]);
  const enrolled = lab.query<{ metadata: string }>("select metadata from audit_events where action = 'station.enrolled'").map((r) => JSON.parse(r.metadata) as { mac: string });
  expect(enrolled.filter((m) => m.mac === mac)).toHaveLength(1);
}

describe('QEMU stations PXE-boot from the appliance in full DHCP mode (TCG, namespace lab)', () => {
  beforeAll(async () => {
    lab = await labFor('full');
  }, 240_000);
  afterAll(async () => lab?.destroy(), 60_000);

  it('BIOS: SeaBIOS + iPXE NIC ROM → our DHCP → HTTP script → kernel and initrd → marker', async () => {
    const mac = randomStationMac();
    const boot = await bootStation(lab.network, { firmware: 'bios', mac, marker: lab.marker, timeoutMs: 3 * TYPICAL_BIOS_MS });
    say(`full: BIOS boot ${boot.seconds.toFixed(1)} s to the marker`);
    expectBootedAndEnrolled(boot, mac);
    expect(boot.poweredOff).toBe(true);
    const steps = linesOf(mac).map((l) => l.msg);
    // QEMU's NIC ROM is already iPXE: it gets the HTTP URL at once, never a TFTP binary.
    expect(steps).toEqual(expect.arrayContaining(['DISCOVER received', 'OFFER sent', 'REQUEST received', 'ACK sent', 'boot script: boot']));
    const ack = linesOf(mac).find((l) => l.msg === 'ACK sent');
    expect(ack?.bootFile).toBe(`http://10.66.0.1:8080/boot/ipxe?mac=${mac}&arch=bios`);
    expect(linesOf(mac).some((l) => typeof l.msg === 'string' && l.msg.startsWith('TFTP'))).toBe(false);
    // SeaBIOS mirrors iPXE's screen on the serial console: iPXE fetched the URL our DHCP gave.
    expect(boot.serial).toContain(`Filename: http://10.66.0.1:8080/boot/ipxe?mac=${mac}&arch=bios`);
  }, 3 * TYPICAL_BIOS_MS + 30_000);

  it('UEFI: OVMF own PXE → our DHCP and port 4011 → TFTP snponly.efi → iPXE → HTTP → kernel and initrd → marker', async () => {
    const mac = randomStationMac();
    const boot = await bootStation(lab.network, { firmware: 'uefi', mac, marker: lab.marker, timeoutMs: 3 * TYPICAL_UEFI_MS });
    say(`full: UEFI boot ${boot.seconds.toFixed(1)} s to the marker`);
    expectBootedAndEnrolled(boot, mac);
    expect(boot.poweredOff).toBe(true);
    const lines = linesOf(mac);
    const firmwareAck = lines.find((l) => l.msg === 'ACK sent' && l.bootFile === 'snponly.efi');
    expect(firmwareAck, 'the firmware got the iPXE binary').toBeDefined();
    const tftp = lines.find((l) => l.msg === 'TFTP transfer complete');
    expect(tftp).toMatchObject({ file: 'snponly.efi', outcome: 'complete' });
    const ipxeAck = lines.find((l) => l.msg === 'ACK sent' && l.bootFile === `http://10.66.0.1:8080/boot/ipxe?mac=${mac}&arch=efi64`);
    expect(ipxeAck, 'iPXE got the HTTP URL, not the binary again').toBeDefined();
    expect(lines.indexOf(firmwareAck!)).toBeLessThan(lines.indexOf(tftp!));
    expect(lines.indexOf(tftp!)).toBeLessThan(lines.indexOf(ipxeAck!));
    expect(lines.some((l) => l.msg === 'boot script: boot')).toBe(true);
  }, 3 * TYPICAL_UEFI_MS + 30_000);
});

describe('QEMU station PXE-boots in proxy DHCP mode, beside the LAN router (dnsmasq) that hands out addresses', () => {
  beforeAll(async () => {
    // And with the other UEFI binary: ipxe.efi drives the NIC itself, snponly.efi uses the firmware's.
    lab = await labFor('proxy', { EPNBOX_NETBOOT_UEFI_BOOT_FILE: 'ipxe.efi' });
  }, 240_000);
  afterAll(async () => lab?.destroy(), 60_000);

  it('UEFI: address from the router, boot file from our proxy OFFER and port 4011 ACK → TFTP ipxe.efi → iPXE (proxy again) → HTTP → marker', async () => {
    const mac = randomStationMac();
    const boot = await bootStation(lab.network, { firmware: 'uefi', mac, marker: lab.marker, timeoutMs: 3 * TYPICAL_UEFI_IPXE_EFI_MS });
    say(`proxy: UEFI boot ${boot.seconds.toFixed(1)} s to the marker`);
    expectBootedAndEnrolled(boot, mac);
    const lines = linesOf(mac);
    // proxyDHCP answers carry the boot file and no address (yiaddr 0: no `ip` in the log line).
    const offers = lines.filter((l) => l.msg === 'OFFER sent');
    expect(offers.length).toBeGreaterThanOrEqual(2);
    expect(offers.every((l) => l.ip === undefined)).toBe(true);
    expect(lines.find((l) => l.msg === 'ACK sent' && l.bootFile === 'ipxe.efi' && String(l.to).endsWith(':4011'))).toBeDefined();
    const tftp = lines.find((l) => l.msg === 'TFTP transfer complete');
    expect(tftp).toMatchObject({ file: 'ipxe.efi' });
    // The station's address came from the router's pool, not from the box.
    const [, , , last] = String(tftp!.ip).split('.').map(Number);
    expect(last).toBeGreaterThanOrEqual(50);
    expect(last).toBeLessThanOrEqual(90);
    expect(offers.some((l) => l.bootFile === `http://10.66.0.1:8080/boot/ipxe?mac=${mac}&arch=efi64`)).toBe(true);
  }, 3 * TYPICAL_UEFI_IPXE_EFI_MS + 30_000);
});
