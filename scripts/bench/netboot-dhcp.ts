// DHCP part of the netboot bench: DORA/s and latency from Kea's perfdhcp (as a relay,
// giaddr = the client namespace's address) against our server in full mode and dnsmasq.
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { BenchLab } from './netboot-lab.ts';
import { NET } from './netboot-lab.ts';
import { percentile, watchProcess } from './netboot-proc.ts';

export type DhcpServerName = 'ours' | 'dnsmasq';
/** disk: leases written to a file (fsync) before the ACK; memory: no lease file. */
export type LeaseStorage = 'disk' | 'memory';

export interface DhcpRow {
  server: DhcpServerName;
  storage: LeaseStorage;
  target: number;
  /** perfdhcp's 4-way exchanges per second. */
  achieved: number;
  doDrops: number;
  raDrops: number;
  doP50: number;
  doP99: number;
  raP50: number;
  raP99: number;
  cpuPercent: number;
  /** Server CPU per completed 4-way exchange. */
  cpuMsPerDora: number;
  rssMiB: number;
  sustained: boolean;
  /** Attempts made at this rate (another is made when one falls short). */
  attempts: number;
}

export interface DhcpOptions {
  seconds: number;
  /** Attempts per rate at most: the machine is shared, and a slow neighbour only ever lowers a figure. */
  tries: number;
  fixedRates: number[];
  /** Rates tried beside the fixed ones to find the highest sustained rate. */
  ladder: number[];
}

const POOL = { cidr: `10.77.0.0/${NET.prefix}`, rangeStart: '10.77.1.0', rangeEnd: '10.77.255.254' };

export function perfdhcpArgs(rate: number, seconds: number): string[] {
  // -R: random client MACs among 10 M; -s: the same sequence for every server;
  // -p bounds the run in time, -r in rate (no -W: perfdhcp would count its
  // exit wait in the rate).
  return ['-4', '-l', NET.clientIp, '-r', String(rate), '-R', '10000000', '-s', '7', '-p', String(seconds), '-x', 't', NET.boxIp];
}

async function startServer(lab: BenchLab, server: DhcpServerName, storage: LeaseStorage, run: number): Promise<ChildProcess> {
  const leaseFile = join(lab.dir, `dhcp-${server}-${run}.leases`);
  if (server === 'ours') {
    return lab.startOurs({ kind: 'dhcp', interfaceName: NET.bridge, full: { subnets: [POOL], leaseSeconds: 3600, ...(storage === 'disk' ? { leaseFile } : {}) } });
  }
  const child = lab.spawnInBox('dnsmasq', dnsmasqDhcpArgs(lab.dir, storage, leaseFile));
  await lab.waitForListener('udp', '0.0.0.0', 67);
  return child;
}

/** The same service as our full mode: pool, 1 h leases, router and DNS = the box, no ping, quiet. */
export function dnsmasqDhcpArgs(dir: string, storage: LeaseStorage, leaseFile: string): string[] {
  return [
    '--keep-in-foreground', '--conf-file=/dev/null', '--port=0', '--no-resolv', '--no-hosts',
    `--pid-file=${join(dir, 'dnsmasq-dhcp.pid')}`, `--log-facility=${join(dir, 'dnsmasq-dhcp.log')}`,
    `--interface=${NET.bridge}`, '--bind-interfaces',
    `--dhcp-range=${POOL.rangeStart},${POOL.rangeEnd},255.255.0.0,1h`, '--dhcp-lease-max=200000',
    '--dhcp-authoritative', '--no-ping', '--quiet-dhcp', `--dhcp-option=option:dns-server,${NET.boxIp}`,
    storage === 'disk' ? `--dhcp-leasefile=${leaseFile}` : '--leasefile-ro',
  ];
}

interface Perf {
  achieved: number;
  doDrops: number;
  raDrops: number;
  doDelays: number[];
  raDelays: number[];
}

/** Reads perfdhcp's final report and its `-x t` timestamps (seconds, 6 decimals). */
export function parsePerfdhcp(out: string): Perf {
  const achieved = Number(/Rate: ([\d.]+) 4-way/.exec(out)?.[1] ?? NaN);
  const section = (name: string): string => out.split(`***Statistics for: ${name}***`)[1]?.split('***')[0] ?? '';
  const drops = (text: string): number => Number(/drops ratio: ([\d.]+) ?%/.exec(text)?.[1] ?? NaN);
  const delays = (name: string): number[] => {
    const text = out.split(`***Timestamps for packets: ${name}***`)[1]?.split('***')[0] ?? '';
    return [...text.matchAll(/sent \/ received: ([\d.]+) \/ ([\d.]+)/g)].map((m) => (Number(m[2]) - Number(m[1])) * 1000);
  };
  return { achieved, doDrops: drops(section('DISCOVER-OFFER')), raDrops: drops(section('REQUEST-ACK')), doDelays: delays('DISCOVER-OFFER'), raDelays: delays('REQUEST-ACK') };
}

let runs = 0;

async function measure(lab: BenchLab, server: DhcpServerName, storage: LeaseStorage, rate: number, seconds: number): Promise<DhcpRow> {
  runs += 1;
  // A fresh server (empty lease file) per run: every run starts from the same state.
  const child = await startServer(lab, server, storage, runs);
  try {
    await new Promise((r) => setTimeout(r, 300));
    const watch = watchProcess(child.pid!);
    const started = Date.now();
    const result = await lab.run(lab.cli, 'perfdhcp', perfdhcpArgs(rate, seconds), (seconds + 20) * 1000);
    const wall = (Date.now() - started) / 1000;
    const usage = watch.stop();
    // Exit 3: some exchanges were not completed, which the drop figures report.
    if (result.code !== 0 && result.code !== 3) throw new Error(`perfdhcp exited with ${result.code}: ${result.stderr.slice(-500)}`);
    const p = parsePerfdhcp(result.stdout);
    const sustained = p.achieved >= 0.97 * rate && p.doDrops <= 1 && p.raDrops <= 1;
    const row: DhcpRow = {
      server, storage, target: rate, achieved: p.achieved, doDrops: p.doDrops, raDrops: p.raDrops,
      doP50: percentile(p.doDelays, 50), doP99: percentile(p.doDelays, 99), raP50: percentile(p.raDelays, 50), raP99: percentile(p.raDelays, 99),
      cpuPercent: (100 * usage.cpuSeconds) / wall, cpuMsPerDora: (1000 * usage.cpuSeconds) / Math.max(1, p.achieved * seconds),
      rssMiB: usage.peakRssMiB, sustained, attempts: 1,
    };
    console.error(`dhcp ${server}/${storage} @${rate}/s: ${p.achieved.toFixed(0)} DORA/s, drops ${p.doDrops}%/${p.raDrops}%, p99 ${row.doP99.toFixed(1)}/${row.raP99.toFixed(1)} ms`);
    return row;
  } finally {
    await lab.stop(child);
  }
}

/** Up to `tries` runs at one rate, stopping at the first that holds it; keeps the best. */
async function measureBest(lab: BenchLab, server: DhcpServerName, storage: LeaseStorage, rate: number, options: DhcpOptions): Promise<DhcpRow> {
  let best: DhcpRow | undefined;
  for (let attempt = 1; attempt <= options.tries; attempt += 1) {
    const row = await measure(lab, server, storage, rate, options.seconds);
    if (!best || row.sustained || row.achieved * (1 - row.doDrops / 100) > best.achieved * (1 - best.doDrops / 100)) best = row;
    best.attempts = attempt;
    if (row.sustained) break;
  }
  return best!;
}

/** Fixed rates for both servers in turn, then each server's own ladder to its highest sustained rate. */
export async function benchDhcp(lab: BenchLab, options: DhcpOptions): Promise<DhcpRow[]> {
  const rows: DhcpRow[] = [];
  const servers: DhcpServerName[] = ['ours', 'dnsmasq'];
  for (const storage of ['disk', 'memory'] as const) {
    for (const rate of options.fixedRates) for (const server of servers) rows.push(await measureBest(lab, server, storage, rate, options));
    for (const server of servers) {
      const mine = rows.filter((r) => r.server === server && r.storage === storage);
      const lo = Math.max(0, ...mine.filter((r) => r.sustained).map((r) => r.target));
      const hi = Math.min(Infinity, ...mine.filter((r) => !r.sustained && r.target > lo).map((r) => r.target));
      const ladder = [...options.ladder].sort((x, y) => x - y);
      // Held some rate: climb between it and the first it did not hold. Held none: come down.
      const steps = lo > 0 ? ladder.filter((r) => r > lo && r < hi) : ladder.filter((r) => r < hi).reverse();
      for (const rate of steps) {
        const row = await measureBest(lab, server, storage, rate, options);
        rows.push(row);
        if (row.sustained !== lo > 0) break;
      }
    }
  }
  return rows;
}

/** The highest target a server sustained (≥ 97 % of it, ≤ 1 % drops), or 0. */
export function maxSustained(rows: DhcpRow[], server: DhcpServerName, storage: LeaseStorage): number {
  return Math.max(0, ...rows.filter((r) => r.server === server && r.storage === storage && r.sustained).map((r) => r.target));
}
