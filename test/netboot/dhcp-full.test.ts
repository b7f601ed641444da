import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DhcpBoxConfig } from './dhcp-support/dhcp-box.ts';
import { DhcpLab, LAB, type RunningBox } from './dhcp-support/dhcp-lab.ts';
import { dhclientLease, udhcpcLease } from './dhcp-support/dhcp-clients.ts';

/*
 * Full DHCP in the two-interface lab, with the real clients: busybox udhcpc and ISC
 * dhclient on the station bridge get leases with the right options and boot files;
 * udhcpc on the uplink gets nothing.
 */

vi.setConfig({ testTimeout: 60_000 });

let lab: DhcpLab;
let box: RunningBox;
let config: DhcpBoxConfig;
let relay: string;
const RELAY_IP = '10.77.0.2';
const GIADDR = '10.20.0.1';

beforeAll(async () => {
  lab = await DhcpLab.create('epdf', ['busybox', 'dhclient']);
  config = {
    service: {
      mode: 'full',
      interfaceName: 'stations',
      probeTimeoutMs: 1500,
      full: {
        subnets: [
          { cidr: LAB.stationsCidr, rangeStart: '10.77.0.100', rangeEnd: '10.77.0.150', domainName: 'epn.lan' },
          { cidr: '10.20.0.0/24', rangeStart: '10.20.0.50', rangeEnd: '10.20.0.60' },
        ],
        leaseFile: join(lab.dir, 'leases.json'),
        leaseSeconds: 600,
      },
    },
    policy: { httpBaseUrl: `http://${LAB.boxIp}` },
  };
  // A relay agent on the bridge (10.77.0.2) serving a station subnet 10.20.0.0/24 behind it.
  relay = await lab.lab.addNamespace('relay');
  await lab.plugIntoBridge(relay, 'relay0', '02:77:00:00:00:02');
  await lab.lab.ip(relay, 'addr', 'add', `${RELAY_IP}/24`, 'dev', 'eth0');
  await lab.lab.ip(relay, 'link', 'add', 'downlink', 'type', 'veth', 'peer', 'name', 'downpeer');
  await lab.lab.ip(relay, 'link', 'set', 'downpeer', 'up');
  await lab.lab.ip(relay, 'addr', 'add', `${GIADDR}/24`, 'dev', 'downlink');
  await lab.lab.ip(relay, 'link', 'set', 'downlink', 'up');
  await lab.lab.ip(lab.box, 'route', 'add', '10.20.0.0/24', 'via', RELAY_IP);
  box = await lab.startBox(config);
  expect(box.status).toEqual({ ready: true, serverIp: LAB.boxIp });
}, 60_000);

afterAll(async () => {
  await lab?.destroy();
});

describe('busybox udhcpc', () => {
  it('gets a lease with mask, router, DNS, domain and lease time pointing at the box', async () => {
    const env = await udhcpcLease(lab, lab.sta, []);
    expect(env.ip).toMatch(/^10\.77\.0\.1([0-4]\d|50)$/);
    expect(env).toMatchObject({ subnet: '255.255.255.0', router: LAB.boxIp, dns: LAB.boxIp, domain: 'epn.lan', serverid: LAB.boxIp, lease: '600' });
  });

  it.each([
    ['BIOS PXE (arch 0)', ['-V', 'PXEClient:Arch:00000:UNDI:002001', '-x', '0x5d:0000'], 'undionly.kpxe'],
    ['UEFI PXE (arch 7)', ['-V', 'PXEClient:Arch:00007:UNDI:003000', '-x', '0x5d:0007'], 'snponly.efi'],
    ['UEFI PXE (arch 9)', ['-V', 'PXEClient:Arch:00009:UNDI:003000', '-x', '0x5d:0009'], 'snponly.efi'],
    ['iPXE', ['-V', 'PXEClient:Arch:00007:UNDI:003010', '-x', '0x5d:0007', '-x', '0x4d:69505845'], `http://${LAB.boxIp}/boot/ipxe?mac=${LAB.stationMac}&arch=efi64`],
  ])('as %s gets its boot file from the box', async (_name, args, file) => {
    const env = await udhcpcLease(lab, lab.sta, args);
    expect(env).toMatchObject({ boot_file: file, siaddr: LAB.boxIp });
  });

  it('on the uplink gets nothing, and hears nothing while a station leases', async () => {
    const listener = lab.startPxeClient(lab.up, { type: 'LISTEN', packet: { mac: LAB.uplinkMac }, listenMs: 6000, anyXid: true });
    await listener.listening;
    const [uplink, station] = await Promise.allSettled([udhcpcLease(lab, lab.up, [], { tries: 2 }), udhcpcLease(lab, lab.sta, [])]);
    expect(uplink.status === 'rejected' && String(uplink.reason)).toMatch(/no lease/);
    expect(station.status).toBe('fulfilled');
    expect(await listener.result).toEqual([]);
    expect(box.logs.filter((l) => l.mac === LAB.uplinkMac)).toEqual([]);
  });
});

describe('ISC dhclient', () => {
  it('gets a lease with the same options', async () => {
    const env = await dhclientLease(lab, lab.sta);
    expect(env.reason).toBe('BOUND');
    expect(env.new_ip_address).toMatch(/^10\.77\.0\.1([0-4]\d|50)$/);
    expect(env).toMatchObject({
      new_subnet_mask: '255.255.255.0',
      new_routers: LAB.boxIp,
      new_domain_name_servers: LAB.boxIp,
      new_domain_name: 'epn.lan',
      new_dhcp_server_identifier: LAB.boxIp,
      new_dhcp_lease_time: '600',
    });
  });
});

describe('relay agents (giaddr)', () => {
  it('answers a relayed DISCOVER on the relay port 67 with an address of the relay subnet', async () => {
    const relayInfo = Buffer.from([1, 8, ...Buffer.from('downlink')]);
    const [offer, ...more] = await lab.pxeClient(relay, {
      type: 'DISCOVER',
      packet: { mac: '02:20:00:00:00:31', giaddr: GIADDR, relayAgentInfo: relayInfo },
      to: { address: LAB.boxIp, port: 67 },
      bindPort: 67,
      listenMs: 5000,
      stopAfter: 1,
    });
    expect(more).toEqual([]);
    expect(offer!.from).toBe(`${LAB.boxIp}:67`);
    const p = offer!.described;
    expect(p.yiaddr).toMatch(/^10\.20\.0\.(5\d|60)$/);
    expect(p.giaddr).toBe(GIADDR);
    const opt = (code: number) => p.options.find((o) => o.code === code)?.value;
    expect(opt(3)).toEqual([GIADDR]);
    expect(opt(82)).toEqual({ 1: Buffer.from('downlink').toString('hex') });
  });
});

describe('lease file', () => {
  it('holds the station lease and is reloaded by a restarted server', async () => {
    const saved = JSON.parse(await readFile(join(lab.dir, 'leases.json'), 'utf8')) as { leases: Array<{ mac: string; ip: string }> };
    const mine = saved.leases.find((l) => l.mac === LAB.stationMac);
    expect(mine).toBeDefined();
    await lab.stopBox(box);
    box = await lab.startBox(config);
    expect(box.status).toMatchObject({ ready: true });
    expect(box.logs.find((l) => l.msg === 'leases loaded')).toMatchObject({ leases: saved.leases.length });
    const env = await udhcpcLease(lab, lab.sta, []);
    expect(env.ip).toBe(mine!.ip);
  });
});

