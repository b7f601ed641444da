import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DhcpLab, LAB, type RunningBox } from './dhcp-support/dhcp-lab.ts';
import type { FuzzRun } from './dhcp-support/fuzz-sender.ts';

/*
 * 100,000 random and mutated datagrams at the running server (ports 67 and 4011,
 * broadcast and unicast), bounded in time: it must stay up and answer afterwards.
 */

const COUNT = 100_000;
const FUZZER_IP = '10.77.0.60';
const STATIC_IP = '10.77.0.42';
let lab: DhcpLab;
let box: RunningBox;
let fuzzer: string;

beforeAll(async () => {
  lab = await DhcpLab.create('epdz');
  fuzzer = await lab.lab.addNamespace('fz');
  await lab.plugIntoBridge(fuzzer, 'fz0', '02:77:00:00:00:60');
  await lab.lab.ip(fuzzer, 'addr', 'add', `${FUZZER_IP}/24`, 'dev', 'eth0');
  await lab.lab.ip(fuzzer, 'route', 'add', 'default', 'dev', 'eth0');
  box = await lab.startBox({
    logLevel: 'warn',
    service: {
      mode: 'full',
      interfaceName: 'stations',
      probeTimeoutMs: 1500,
      full: {
        subnets: [{ cidr: LAB.stationsCidr, rangeStart: '10.77.0.100', rangeEnd: '10.77.0.199' }],
        // The check after the flood uses a static lease: mutated DISCOVERs may fill the pool.
        staticLeases: [{ mac: LAB.stationMac, ip: STATIC_IP }],
        leaseFile: join(lab.dir, 'leases.json'),
      },
    },
    policy: { httpBaseUrl: `http://${LAB.boxIp}` },
  });
  expect(box.status.ready).toBe(true);
}, 60_000);

afterAll(async () => {
  await lab?.destroy();
});

describe('the server under hostile input', () => {
  it(`stays up and answering after ${COUNT.toLocaleString('en')} random and mutated datagrams`, async () => {
    const run: FuzzRun = { count: COUNT, seed: 0xdecaf, boxIp: LAB.boxIp, deadlineMs: 120_000 };
    const { stdout } = await lab.lab.exec(fuzzer, process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'dhcp-support/fuzz-sender.ts'), JSON.stringify(run)]);
    const result = JSON.parse(stdout) as { sent: number; failed: number; ms: number };
    expect(result).toMatchObject({ sent: COUNT, failed: 0 });
    expect(box.child.exitCode).toBeNull();

    const replies = await lab.pxeClient(lab.sta, { type: 'DISCOVER', packet: { mac: LAB.stationMac, arch: 7 }, listenMs: 5000, stopAfter: 1 });
    expect(replies.map((r) => r.described)).toEqual([expect.objectContaining({ yiaddr: STATIC_IP, file: 'snponly.efi' })]);
    expect(box.logs.some((l) => l.msg === 'malformed datagram dropped')).toBe(true);
    expect(box.logs.filter((l) => l.level === 'error')).toEqual([]);

    await lab.stopBox(box);
    const stopped = box.stdout.find((l) => 'stopped' in l)?.stopped as { received: number; malformed: number; replies: number };
    // Figures for the report; the kernel may drop some datagrams under the flood.
    console.warn(`dhcp fuzz: sent ${result.sent} in ${result.ms} ms; server received ${stopped.received}, malformed ${stopped.malformed}, replies ${stopped.replies}; ${box.logs.length} log lines at warn and above`);
    expect(stopped.received).toBeGreaterThan(COUNT / 2);
  }, 180_000);
});
