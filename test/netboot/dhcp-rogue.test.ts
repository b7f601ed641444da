import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DhcpLab, LAB } from './dhcp-support/dhcp-lab.ts';

/*
 * Another DHCP server (dnsmasq) on the station LAN: full mode must refuse to start;
 * proxy mode is the mode made for this and answers PXE clients beside it.
 */

vi.setConfig({ testTimeout: 60_000 });

let lab: DhcpLab;
let rogue: string;

beforeAll(async () => {
  lab = await DhcpLab.create('epdr', ['dnsmasq']);
  rogue = await lab.lab.addNamespace('rogue');
  await lab.plugIntoBridge(rogue, 'rogue0', '02:77:00:00:00:fe');
  await lab.lab.ip(rogue, 'addr', 'add', `${LAB.rogueIp}/24`, 'dev', 'eth0');
  const dnsmasq = lab.lab.spawn(rogue, 'dnsmasq', [
    '--no-daemon',
    '--conf-file=/dev/null',
    '--port=0',
    '--no-resolv',
    '--no-hosts',
    '--interface=eth0',
    '--bind-interfaces',
    '--dhcp-range=10.77.0.200,10.77.0.220,1h',
    `--dhcp-leasefile=${join(lab.dir, 'dnsmasq.leases')}`,
    '--log-facility=-',
    '--log-dhcp',
  ]);
  // dnsmasq is ready once it has announced its DHCP range.
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: dnsmasq.stderr! }).on('line', (line) => line.includes('DHCP, IP range') && resolve());
    dnsmasq.once('exit', (code) => reject(new Error(`dnsmasq exited with ${code}`)));
  });
}, 60_000);

afterAll(async () => {
  await lab?.destroy();
});

describe('another DHCP server on the station LAN', () => {
  it('makes full mode refuse to start, naming that server', async () => {
    const box = await lab.startBox({
      service: { mode: 'full', interfaceName: 'stations', full: { subnets: [{ cidr: LAB.stationsCidr, rangeStart: '10.77.0.100', rangeEnd: '10.77.0.150' }] } },
      policy: { httpBaseUrl: `http://${LAB.boxIp}` },
    });
    expect(box.status.refused).toBe(true);
    expect(box.status.error).toMatch(/another DHCP server \(10\.77\.0\.254\) answers on stations; full mode refused/);
    expect(await box.exited).toBe(3);
    expect(box.logs.some((l) => l.msg === 'DHCP server listening')).toBe(false);
  });

  it('lets proxy mode answer PXE clients beside it', async () => {
    const box = await lab.startBox({ service: { mode: 'proxy', interfaceName: 'stations' }, policy: { httpBaseUrl: `http://${LAB.boxIp}` } });
    try {
      expect(box.status.ready).toBe(true);
      const replies = await lab.pxeClient(lab.sta, { type: 'DISCOVER', packet: { mac: LAB.stationMac, arch: 7, broadcast: true }, listenMs: 10_000, stopAfter: 2 });
      const fromRouter = replies.find((r) => r.from.startsWith(LAB.rogueIp));
      const fromBox = replies.find((r) => r.from.startsWith(LAB.boxIp));
      expect(fromRouter?.described.yiaddr).toMatch(/^10\.77\.0\.2[0-2]\d$/);
      expect(fromBox?.described).toMatchObject({ yiaddr: '0.0.0.0', siaddr: LAB.boxIp, file: 'snponly.efi' });
    } finally {
      await lab.stopBox(box);
    }
  });
});
