// TFTP part of the netboot bench: curl (lock-step, RFC 2348 blksize) fetching the iPXE
// binaries and a large file from our server, tftpd-hpa and dnsmasq, one client and 20
// at once; every received file is checked against its SHA-256.
// For quick looks at one case (not for the published tables):
//   BENCH_TFTP_CASES=large:20:512,ipxe:1:8192   only these <files>:<clients>:<blksize>
//   BENCH_TFTP_WORKERS=<n>                      our server's transfer threads (default: the appliance's)
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, createReadStream, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { BenchLab } from './netboot-lab.ts';
import { NET } from './netboot-lab.ts';
import { median, watchProcess } from './netboot-proc.ts';

export type TftpServerName = keyof typeof NET.tftp;
export const TFTP_SERVERS: TftpServerName[] = ['ours', 'tftpd-hpa', 'dnsmasq'];

export interface TftpOptions {
  ipxeDir: string;
  ipxeFiles: string[];
  largeMiB: number;
  /** Each of the 20 clients fetches a file this size (20 × 100 MiB lock-step would not fit the run's time). */
  concurrentLargeMiB: number;
  blockSizes: number[];
  concurrency: number;
  /** Rounds over the iPXE binaries for one client and for each of the 20. */
  ipxeRounds: { single: number; concurrent: number };
  repetitions: number;
}

export interface TftpRow {
  server: TftpServerName;
  files: 'ipxe' | 'large';
  fileMiB: number;
  blockSize: number;
  /** What the server granted in its OACK. */
  negotiated: number;
  clients: number;
  /** Median over the repetitions, MB/s (10^6 bytes). */
  mbps: number;
  runs: number[];
  /** Server CPU seconds per 100 MB received (median). */
  cpuPer100MB: number;
  rssMiB: number;
}

interface Served {
  name: string;
  size: number;
  sha256: string;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The TFTP root: the iPXE binaries and a large random file, readable by tftpd-hpa's `nobody`. */
async function prepareRoot(lab: BenchLab, options: TftpOptions): Promise<{ root: string; ipxe: Served[]; large: Served; part: Served }> {
  const root = join(lab.dir, 'tftp-root');
  mkdirSync(root, { recursive: true });
  chmodSync(lab.dir, 0o755);
  chmodSync(root, 0o755);
  const ipxe: Served[] = [];
  for (const name of options.ipxeFiles) {
    copyFileSync(join(options.ipxeDir, name), join(root, name));
    ipxe.push({ name, size: statSync(join(root, name)).size, sha256: await sha256File(join(root, name)) });
  }
  const large = writeRandomFile(root, 'large.bin', options.largeMiB);
  const part = writeRandomFile(root, 'part.bin', options.concurrentLargeMiB);
  for (const f of ipxe) chmodSync(join(root, f.name), 0o644);
  return { root, ipxe, large, part };
}

function writeRandomFile(root: string, name: string, mib: number): Served {
  const path = join(root, name);
  const hash = createHash('sha256');
  const fd = openSync(path, 'w', 0o644);
  for (let left = mib * 1024 * 1024; left > 0; left -= 1024 * 1024) {
    const chunk = randomBytes(Math.min(left, 1024 * 1024));
    hash.update(chunk);
    writeSync(fd, chunk);
  }
  closeSync(fd);
  return { name, size: statSync(path).size, sha256: hash.digest('hex') };
}

async function startServers(lab: BenchLab, root: string): Promise<Record<TftpServerName, ChildProcess>> {
  const ours = await lab.startOurs({
    kind: 'tftp',
    // Bench settings: 8192-byte blocks allowed (the appliance's default cap is 1468),
    // and the per-address limits raised, since every client here shares one address.
    options: {
      root, host: NET.tftp.ours, port: 69, maxBlockSize: 8192, maxTransfers: 128, maxTransfersPerClient: 64, requestRate: { burst: 1000, perSecond: 1000, maxClients: 100 },
      ...(process.env.BENCH_TFTP_WORKERS === undefined ? {} : { workers: Number(process.env.BENCH_TFTP_WORKERS) }),
    },
  });
  const hpa = lab.spawnInBox('in.tftpd', ['-L', '-s', root, '-a', `${NET.tftp['tftpd-hpa']}:69`]);
  const dnsmasq = lab.spawnInBox('dnsmasq', [
    '--keep-in-foreground', '--conf-file=/dev/null', '--port=0', '--no-resolv', '--no-hosts',
    `--pid-file=${join(lab.dir, 'dnsmasq-tftp.pid')}`, `--log-facility=${join(lab.dir, 'dnsmasq-tftp.log')}`,
    `--listen-address=${NET.tftp.dnsmasq}`, '--bind-interfaces', '--enable-tftp', `--tftp-root=${root}`, '--tftp-max=100', '--quiet-tftp',
  ]);
  await lab.waitForListener('udp', NET.tftp['tftpd-hpa'], 69);
  await lab.waitForListener('udp', NET.tftp.dnsmasq, 69);
  return { ours, 'tftpd-hpa': hpa, dnsmasq };
}

/** The block size a server grants for a request (curl -v prints the OACK). */
async function negotiatedBlockSize(lab: BenchLab, server: TftpServerName, file: string, blockSize: number): Promise<number> {
  const r = await lab.run(lab.cli, 'curl', ['-v', '--max-time', '20', '--tftp-blksize', String(blockSize), `tftp://${NET.tftp[server]}/${file}`, '-o', '/dev/null'], 30_000);
  return Number(/blksize parsed from OACK \((\d+)\)/.exec(r.stderr)?.[1] ?? 512);
}

interface Transfer {
  url: string;
  out: string;
  expected: Served;
}

/**
 * One measurement: `clients` curl processes started together in the client namespace.
 * MB/s is the bytes received over the wall time of the whole set for 20 clients, and
 * over curl's own transfer times for one client (so its start-up does not count).
 */
async function runOnce(lab: BenchLab, outDir: string, server: TftpServerName, pid: number, plan: Transfer[][], blockSize: number): Promise<{ mbps: number; cpuSeconds: number; rss: number; bytes: number }> {
  const maxTime = 300;
  const lines = plan.map((transfers, i) => {
    const targets = transfers.map((t) => `'${t.url}' -o '${t.out}'`).join(' ');
    return `curl -sS --max-time ${maxTime} --tftp-blksize ${blockSize} -w '%{size_download} %{time_total}\\n' ${targets} > '${join(outDir, `client-${i}.txt`)}' 2>&1 &`;
  });
  const watch = watchProcess(pid);
  const started = process.hrtime.bigint();
  const result = await lab.run(lab.cli, 'sh', ['-c', `${lines.join('\n')}\nwait`], (maxTime + 30) * 1000);
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  // tftpd-hpa's per-transfer children are reaped a moment after the last ACK.
  await new Promise((r) => setTimeout(r, 150));
  const usage = watch.stop();
  if (result.code !== 0) throw new Error(`tftp clients failed (${server}): ${result.stderr.slice(-300)}`);
  let bytes = 0;
  let curlSeconds = 0;
  for (const [i, transfers] of plan.entries()) {
    const report = readFileSync(join(outDir, `client-${i}.txt`), 'utf8').trim().split('\n');
    if (report.length !== transfers.length) throw new Error(`${server}: client ${i} reported ${report.length} of ${transfers.length} transfers: ${report.join(' | ').slice(0, 300)}`);
    for (const [j, t] of transfers.entries()) {
      const [size, seconds] = report[j]!.split(' ').map(Number);
      if (size !== t.expected.size) throw new Error(`${server}: ${t.url} gave ${size} bytes, expected ${t.expected.size}`);
      const digest = await sha256File(t.out);
      if (digest !== t.expected.sha256) throw new Error(`${server}: ${t.url} arrived corrupted (sha256 ${digest})`);
      rmSync(t.out, { force: true });
      bytes += size!;
      curlSeconds += seconds!;
    }
  }
  const seconds = plan.length === 1 ? curlSeconds : wallSeconds;
  return { mbps: bytes / 1e6 / seconds, cpuSeconds: usage.cpuSeconds, rss: usage.peakRssMiB, bytes };
}

function planFor(server: TftpServerName, outDir: string, files: Served[], rounds: number, clients: number): Transfer[][] {
  return Array.from({ length: clients }, (_, c) =>
    Array.from({ length: rounds }, (_, r) => files.map((f, k) => ({ url: `tftp://${NET.tftp[server]}/${f.name}`, out: join(outDir, `c${c}-r${r}-${k}-${basename(f.name)}`), expected: f }))).flat(),
  );
}

function caseSelected(files: 'ipxe' | 'large', clients: number, blockSize: number): boolean {
  const only = process.env.BENCH_TFTP_CASES;
  return only === undefined || only.split(',').includes(`${files}:${clients}:${blockSize}`);
}

export async function benchTftp(lab: BenchLab, options: TftpOptions): Promise<TftpRow[]> {
  const { root, ipxe, large, part } = await prepareRoot(lab, options);
  const outDir = lab.shm;
  const servers = await startServers(lab, root);
  const rows: TftpRow[] = [];
  try {
    for (const files of ['ipxe', 'large'] as const) {
      for (const clients of [1, options.concurrency]) {
        const single = clients === 1;
        const set = files === 'ipxe' ? ipxe : [single ? large : part];
        const rounds = files === 'ipxe' ? (single ? options.ipxeRounds.single : options.ipxeRounds.concurrent) : 1;
        const fileMiB = files === 'ipxe' ? 0 : single ? options.largeMiB : options.concurrentLargeMiB;
        for (const blockSize of options.blockSizes) {
          if (!caseSelected(files, clients, blockSize)) continue;
          const acc = new Map<TftpServerName, { runs: number[]; cpu: number[]; rss: number }>(TFTP_SERVERS.map((s) => [s, { runs: [], cpu: [], rss: 0 }]));
          for (let rep = 0; rep < options.repetitions; rep += 1) {
            // Rotate the order each repetition so no server always runs first (or last).
            const order = TFTP_SERVERS.map((_, i) => TFTP_SERVERS[(i + rep) % TFTP_SERVERS.length]!);
            for (const server of order) {
              const plan = planFor(server, outDir, set, rounds, clients);
              const r = await runOnce(lab, outDir, server, servers[server].pid!, plan, blockSize);
              const a = acc.get(server)!;
              a.runs.push(r.mbps);
              a.cpu.push((r.cpuSeconds * 1e8) / r.bytes);
              a.rss = Math.max(a.rss, r.rss);
            }
          }
          for (const server of TFTP_SERVERS) {
            const a = acc.get(server)!;
            const negotiated = await negotiatedBlockSize(lab, server, ipxe[0]!.name, blockSize);
            rows.push({ server, files, fileMiB, blockSize, negotiated, clients, mbps: median(a.runs), runs: a.runs, cpuPer100MB: median(a.cpu), rssMiB: a.rss });
            console.error(`tftp ${files} ${clients}× bs ${blockSize} ${server}: ${median(a.runs).toFixed(1)} MB/s (${a.runs.map((v) => v.toFixed(1)).join(', ')})`);
          }
        }
      }
    }
  } finally {
    for (const child of Object.values(servers)) await lab.stop(child);
  }
  return rows;
}
