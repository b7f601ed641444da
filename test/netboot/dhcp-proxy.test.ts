import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DescribedPacket } from '../../appliance/netboot/dhcp/dhcp-describe.ts';
import { DhcpLab, LAB, type RunningBox } from './dhcp-support/dhcp-lab.ts';
import type { HeardReply } from './dhcp-support/pxe-client.ts';

/*
 * proxyDHCP in the two-interface lab: PXE-like clients on the station bridge get boot
 * answers; a client on the uplink never hears anything, and no station answer leaks
 * to the uplink.
 */

vi.setConfig({ testTimeout: 60_000 });

let lab: DhcpLab;
let box: RunningBox;

beforeAll(async () => {
  lab = await DhcpLab.create('epdp');
  box = await lab.startBox({ service: { mode: 'proxy', interfaceName: 'stations' }, policy: { httpBaseUrl: `http://${LAB.boxIp}` } });
  expect(box.status).toEqual({ ready: true, serverIp: LAB.boxIp });
}, 60_000);

afterAll(async () => {
  await lab?.destroy();
});

const opt = (p: DescribedPacket, code: number) => p.options.find((o) => o.code === code)?.value;

/** Waits up to 5 s for the answer, or 1.5 s of silence when none is expected. */
async function discover(packet: Parameters<DhcpLab['pxeClient']>[1]['packet'], expected = 1): Promise<HeardReply[]> {
  return lab.pxeClient(lab.sta, { type: 'DISCOVER', packet, ...(expected ? { listenMs: 5000, stopAfter: expected } : { listenMs: 1500 }) });
}

describe('proxyDHCP answers PXE clients on the station LAN', () => {
  it.each([
    [0, 'undionly.kpxe', { 6: '08' }],
    [7, 'snponly.efi', undefined],
    [9, 'snponly.efi', undefined],
  ])('arch %i: OFFER with %s, no address, broadcast to 255.255.255.255', async (arch, file, option43) => {
    const [reply, ...more] = await discover({ mac: LAB.stationMac, arch });
    expect(more).toEqual([]);
    const p = reply!.described;
    expect(reply!.from).toBe(`${LAB.boxIp}:67`);
    expect(reply!.bytes).toBeGreaterThanOrEqual(300);
    expect(opt(p, 53)).toBe('OFFER');
    expect(p.yiaddr).toBe('0.0.0.0');
    expect(p.siaddr).toBe(LAB.boxIp);
    expect(p.file).toBe(file);
    expect(opt(p, 60)).toBe('PXEClient');
    expect(opt(p, 43)).toEqual(option43);
  });

  it('gives iPXE (user class iPXE, option 175) the HTTP URL', async () => {
    const [reply] = await discover({ mac: LAB.stationMac, arch: 7, ipxe: true });
    expect(reply!.described.file).toBe(`http://${LAB.boxIp}/boot/ipxe?mac=${LAB.stationMac}&arch=efi64`);
  });

  it('ACKs a REQUEST on port 4011 by unicast to the client', async () => {
    await lab.lab.ip(lab.sta, 'addr', 'add', '10.77.0.57/24', 'dev', 'eth0');
    try {
      const replies = await lab.pxeClient(lab.sta, {
        type: 'REQUEST',
        packet: { mac: LAB.stationMac, arch: 7, ciaddr: '10.77.0.57' },
        to: { address: LAB.boxIp, port: 4011 },
        listenMs: 5000,
        stopAfter: 1,
      });
      expect(replies).toHaveLength(1);
      expect(replies[0]!.from).toBe(`${LAB.boxIp}:4011`);
      expect(opt(replies[0]!.described, 53)).toBe('ACK');
      expect(replies[0]!.described.file).toBe('snponly.efi');
    } finally {
      // Removing the last address flushes the device's routes: put the station's back.
      await lab.lab.ip(lab.sta, 'addr', 'del', '10.77.0.57/24', 'dev', 'eth0');
      await lab.lab.ip(lab.sta, 'route', 'replace', 'default', 'dev', 'eth0');
    }
  });

  it('ignores a client that is not PXE', async () => {
    expect(await discover({ mac: LAB.stationMac, vendorClass: 'udhcp 1.35.0' }, 0)).toEqual([]);
  });

  it('logs each step per MAC and reports the client for enrollment', () => {
    const forStation = box.logs.filter((l) => l.mac === LAB.stationMac).map((l) => l.msg);
    expect(forStation).toEqual(expect.arrayContaining(['DISCOVER received', 'client seen', 'OFFER sent', 'REQUEST received', 'ACK sent']));
    const offer = box.logs.find((l) => l.msg === 'OFFER sent' && l.bootFile === 'undionly.kpxe');
    expect(offer).toMatchObject({ mac: LAB.stationMac, to: '255.255.255.255:68', nextServer: LAB.boxIp });
  });
});

describe('the uplink never gets an answer (two-interface test)', () => {
  it('drops a PXE DISCOVER from the uplink before the server sees it, and no station answer leaks there', async () => {
    // Listen on the uplink while a station boots: a broadcast reply routed by the
    // default route would show up here.
    const uplinkListener = lab.startPxeClient(lab.up, { type: 'LISTEN', packet: { mac: LAB.uplinkMac }, listenMs: 6000, anyXid: true });
    await uplinkListener.listening;
    const fromUplink = lab.pxeClient(lab.up, { type: 'DISCOVER', packet: { mac: LAB.uplinkMac, arch: 7 }, listenMs: 2000 });
    const station = await discover({ mac: LAB.stationMac, arch: 7 });
    expect(station).toHaveLength(1);
    expect(await fromUplink).toEqual([]);
    expect(await uplinkListener.result).toEqual([]);
    expect(box.logs.filter((l) => l.mac === LAB.uplinkMac)).toEqual([]);
  });

  it('is the guard that does it: without the nftables guard the server would see the uplink', async () => {
    await lab.stopBox(box);
    const unguarded = await lab.startBox({
      service: { mode: 'proxy', interfaceName: 'stations', interfaceGuard: 'none' },
      policy: { httpBaseUrl: `http://${LAB.boxIp}` },
    });
    try {
      await lab.pxeClient(lab.up, { type: 'DISCOVER', packet: { mac: LAB.uplinkMac, arch: 7 }, listenMs: 1000 });
      expect(unguarded.logs.some((l) => l.mac === LAB.uplinkMac && l.msg === 'DISCOVER received')).toBe(true);
    } finally {
      await lab.stopBox(unguarded);
    }
  });
});
