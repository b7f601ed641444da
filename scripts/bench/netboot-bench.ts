// npm run bench -- netboot: our DHCP, TFTP and HTTP boot servers side by side with
// dnsmasq, tftpd-hpa and nginx, in a namespace lab this script creates and removes.
// Prints markdown for docs/performance.md (stdout) and progress (stderr).
//
// Debian packages (apt-get install --no-install-recommends):
//   kea-admin dnsmasq-base tftpd-hpa nginx-light curl ipxe iproute2 nftables
//
// Environment: BENCH_NETBOOT_PARTS=dhcp,tftp,http  BENCH_REPS=3  BENCH_DHCP_SECONDS=3
//   BENCH_LARGE_MIB=100  BENCH_IPXE_DIR=/usr/lib/ipxe  BENCH_NETBOOT_JSON=<file>
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { findTool, requireRoot } from '../../test/support/require-tool.ts';
import { benchDhcp, maxSustained, perfdhcpArgs, type DhcpRow } from './netboot-dhcp.ts';
import { benchHttp, type HttpRow } from './netboot-http.ts';
import { BenchLab } from './netboot-lab.ts';
import { fmt, median } from './netboot-proc.ts';
import { benchTftp, type TftpRow } from './netboot-tftp.ts';

const PACKAGES = 'kea-admin dnsmasq-base tftpd-hpa nginx-light curl ipxe iproute2 nftables';
const TOOLS: Record<string, string> = { perfdhcp: 'kea-admin', dnsmasq: 'dnsmasq-base', 'in.tftpd': 'tftpd-hpa', nginx: 'nginx-light', curl: 'curl', ip: 'iproute2', nft: 'nftables', ss: 'iproute2', sha256sum: 'coreutils' };

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const parts = new Set((process.env.BENCH_NETBOOT_PARTS ?? 'dhcp,tftp,http').split(','));
const reps = env('BENCH_REPS', 3);
const largeMiB = env('BENCH_LARGE_MIB', 100);
const dhcpSeconds = env('BENCH_DHCP_SECONDS', 3);
const dhcpTries = env('BENCH_DHCP_TRIES', 2);
const ipxeDir = process.env.BENCH_IPXE_DIR ?? '/usr/lib/ipxe';
const ipxeFiles = ['undionly.kpxe', 'snponly.efi', 'ipxe.efi'];

function checkTools(): void {
  requireRoot();
  const missing = Object.entries(TOOLS).filter(([tool]) => !findTool(tool)).map(([tool, pkg]) => `${tool} (${pkg})`);
  if (missing.length > 0) throw new Error(`missing: ${missing.join(', ')}\ninstall: apt-get install --no-install-recommends ${PACKAGES}`);
}

function firstLine(cmd: string, args: string[]): string {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.split('\n')[0]!.trim();
  } catch (err) {
    // nginx -v writes to stderr.
    return String((err as { stderr?: string }).stderr ?? '').split('\n')[0]!.trim();
  }
}

function versions(): string[] {
  const nginx = execFileSync('sh', ['-c', 'nginx -v 2>&1'], { encoding: 'utf8' }).trim();
  const pkgs = execFileSync('dpkg-query', ['-W', '-f', '${Package} ${Version}\n', 'kea-admin', 'dnsmasq-base', 'tftpd-hpa', 'nginx-light', 'curl', 'ipxe'], { encoding: 'utf8' }).trim().split('\n');
  return [
    `- Machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Linux ${firstLine('uname', ['-r'])}, Node ${process.version}; load average at start ${loadavg().map((l) => l.toFixed(1)).join(' / ')}`,
    `- ${firstLine('dnsmasq', ['--version'])}; ${firstLine('in.tftpd', ['-V'])}; ${nginx}; perfdhcp (Kea) ${firstLine('perfdhcp', ['-v'])}; ${firstLine('curl', ['--version'])}`,
    `- Debian packages: ${pkgs.join(', ')}`,
  ];
}

const pct = (v: number): string => (Number.isFinite(v) ? `${fmt(v, 1)}` : '—');
const ratio = (a: number, b: number): string => (b > 0 && Number.isFinite(a) ? `${(a / b).toFixed(2)}×` : '—');

function dhcpMarkdown(rows: DhcpRow[], seconds: number): string {
  const out = [
    `#### DHCP (perfdhcp as a relay, ${seconds} s per rate, a fresh server and lease file per run)`,
    '',
    '| server | leases | target DORA/s | achieved DORA/s | drops D-O / R-A % | D-O p50 / p99 ms | R-A p50 / p99 ms | server CPU % | CPU ms per DORA | RSS MiB | attempts |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const order = (r: DhcpRow): number => (r.storage === 'disk' ? 0 : 1e6) + r.target * 2 + (r.server === 'ours' ? 0 : 1);
  for (const r of [...rows].sort((a, b) => order(a) - order(b))) {
    out.push(`| ${r.server} | ${r.storage} | ${fmt(r.target, 0)} | ${fmt(r.achieved, 0)} | ${pct(r.doDrops)} / ${pct(r.raDrops)} | ${fmt(r.doP50, 2)} / ${fmt(r.doP99, 2)} | ${fmt(r.raP50, 2)} / ${fmt(r.raP99, 2)} | ${fmt(r.cpuPercent, 0)} | ${fmt(r.cpuMsPerDora, 3)} | ${fmt(r.rssMiB, 0)} | ${r.attempts} |`);
  }
  out.push('', '| leases | ours: max sustained DORA/s | dnsmasq: max sustained DORA/s | ours ÷ dnsmasq |', '|---|---|---|---|');
  for (const storage of ['disk', 'memory'] as const) {
    const ours = maxSustained(rows, 'ours', storage);
    const dnsmasq = maxSustained(rows, 'dnsmasq', storage);
    out.push(`| ${storage} | ${fmt(ours, 0)} | ${fmt(dnsmasq, 0)} | ${ratio(ours, dnsmasq)} |`);
  }
  out.push('', `Sustained = at least 97 % of the target rate with at most 1 % of either exchange dropped (perfdhcp drop time 1 s); up to ${dhcpTries} attempts per rate (another only when one falls short), the best kept.`);
  return out.join('\n');
}

const best = (runs: number[]): number => Math.max(...runs);
const bm = (runs: number[], decimals?: number): string => `${fmt(best(runs), decimals)} (${fmt(median(runs), decimals)})`;

function tftpMarkdown(rows: TftpRow[], concurrency: number): string {
  const out = [
    `#### TFTP (curl, lock-step; MB/s = 10^6 bytes/s, best of ${reps} runs, median in brackets)`,
    '',
    '| files | clients | blksize asked | granted ours / hpa / dnsmasq | ours MB/s | tftpd-hpa MB/s | dnsmasq MB/s | ours ÷ hpa best (median) | ours ÷ dnsmasq best (median) | CPU s per 100 MB ours / hpa / dnsmasq | ours RSS MiB |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const keys = [...new Set(rows.map((r) => `${r.files}|${r.clients}|${r.blockSize}`))];
  for (const key of keys) {
    const [files, clients, blockSize] = key.split('|');
    const of = (s: string) => rows.find((r) => `${r.files}|${r.clients}|${r.blockSize}` === key && r.server === s)!;
    const [o, h, d] = [of('ours'), of('tftpd-hpa'), of('dnsmasq')];
    const label = files === 'ipxe' ? 'iPXE binaries' : `${o.fileMiB} MiB file`;
    out.push(
      `| ${label} | ${clients} | ${blockSize} | ${o.negotiated} / ${h.negotiated} / ${d.negotiated} | ${bm(o.runs)} | ${bm(h.runs)} | ${bm(d.runs)} | ${ratio(best(o.runs), best(h.runs))} (${ratio(o.mbps, h.mbps)}) | ${ratio(best(o.runs), best(d.runs))} (${ratio(o.mbps, d.mbps)}) | ${fmt(o.cpuPer100MB, 2)} / ≥${fmt(h.cpuPer100MB, 2)} / ${fmt(d.cpuPer100MB, 2)} | ${fmt(o.rssMiB, 0)} |`,
    );
  }
  out.push('', `One client: bytes over curl's own transfer times; ${concurrency} clients: all bytes over the wall time of the set. CPU: median over the runs; tftpd-hpa's is a lower bound (its per-transfer children are sampled every 20 ms).`);
  return out.join('\n');
}

function httpMarkdown(rows: HttpRow[]): string {
  const out = [
    `#### HTTP (${largeMiB} MiB artifact, curl to /dev/null; MB/s best of ${reps} runs, median in brackets)`,
    '',
    '| clients | ours MB/s | nginx MB/s | ours ÷ nginx best (median) | CPU s per GB ours / nginx | RSS MiB ours / nginx (all workers) |',
    '|---|---|---|---|---|---|',
  ];
  for (const clients of [...new Set(rows.map((r) => r.clients))]) {
    const o = rows.find((r) => r.clients === clients && r.server === 'ours')!;
    const n = rows.find((r) => r.clients === clients && r.server === 'nginx')!;
    out.push(`| ${clients} | ${bm(o.runs, 0)} | ${bm(n.runs, 0)} | ${ratio(best(o.runs), best(n.runs))} (${ratio(o.mbps, n.mbps)}) | ${fmt(o.cpuPerGB, 2)} / ${fmt(n.cpuPerGB, 2)} | ${fmt(o.rssMiB, 0)} / ${fmt(n.rssMiB, 0)} |`);
  }
  return out.join('\n');
}

checkTools();
const concurrency = 20;
const started = Date.now();
const header = versions();
const lab = await BenchLab.create();
const stopOnSignal = (): void => {
  lab.destroyNow();
  process.exit(130);
};
process.once('SIGINT', stopOnSignal);
process.once('SIGTERM', stopOnSignal);
const sections: string[] = [];
const results: Record<string, unknown> = {};
try {
  console.error(`lab ${lab.lab.id} up; packages: ${PACKAGES}`);
  // A part that fails is reported and the others still run.
  const part = async (name: string, work: () => Promise<string>): Promise<void> => {
    if (!parts.has(name)) return;
    try {
      sections.push(await work());
    } catch (err) {
      console.error(`${name} failed:`, err);
      sections.push(`#### ${name}: failed\n\n${(err as Error).message.split('\n')[0]}`);
    }
  };
  await part('dhcp', async () => {
    const rows = await benchDhcp(lab, { seconds: dhcpSeconds, tries: dhcpTries, fixedRates: [1000, 3000, 5000], ladder: [100, 250, 500, 750, 1500, 2000, 2500, 4000, 7000, 10000] });
    results.dhcp = rows;
    return dhcpMarkdown(rows, dhcpSeconds);
  });
  await part('tftp', async () => {
    const rows = await benchTftp(lab, { ipxeDir, ipxeFiles, largeMiB, blockSizes: [512, 1468, 8192], concurrentLargeMiB: env('BENCH_CONCURRENT_MIB', 5), concurrency, ipxeRounds: { single: 5, concurrent: 2 }, repetitions: reps });
    results.tftp = rows;
    return tftpMarkdown(rows, concurrency);
  });
  await part('http', async () => {
    const rows = await benchHttp(lab, { largeMiB, concurrency, repetitions: reps });
    results.http = rows;
    return httpMarkdown(rows);
  });
} finally {
  await lab.destroy();
}
const footer = [
  `- Load average at end ${loadavg().map((l) => l.toFixed(1)).join(' / ')}; whole run ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  `- perfdhcp: \`perfdhcp ${perfdhcpArgs(0, dhcpSeconds).join(' ').replace('-r 0', '-r <rate>')}\``,
];
console.log(['### Netboot bench run', '', `Install: \`apt-get install --no-install-recommends ${PACKAGES}\``, '', ...header, ...footer, '', ...sections.flatMap((s) => [s, ''])].join('\n'));
if (process.env.BENCH_NETBOOT_JSON) writeFileSync(process.env.BENCH_NETBOOT_JSON, JSON.stringify({ header, results }, null, 2));
