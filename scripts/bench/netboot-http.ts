// HTTP part of the netboot bench: a large image artifact (squashfs-like, random bytes)
// from our HTTP boot route and from nginx (own config, pid file and port), by curl.
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describeBodyPath } from '../../appliance/netboot/http-boot/zero-copy.ts';
import { ImageCatalogue } from '../../provisioning/boot/image-catalogue.ts';
import type { BenchLab } from './netboot-lab.ts';
import { NET } from './netboot-lab.ts';
import { median, watchProcess } from './netboot-proc.ts';

export type HttpServerName = 'ours' | 'nginx';
export const HTTP_SERVERS: HttpServerName[] = ['ours', 'nginx'];
const PORTS: Record<HttpServerName, number> = { ours: 8080, nginx: 8081 };
const ARTIFACT = '/boot/images/bench/1/filesystem.squashfs';

export interface HttpOptions {
  largeMiB: number;
  concurrency: number;
  repetitions: number;
}

export interface HttpRow {
  server: HttpServerName;
  clients: number;
  mbps: number;
  runs: number[];
  /** Server CPU seconds per GB sent (median). */
  cpuPerGB: number;
  rssMiB: number;
}

function prepareImages(lab: BenchLab, largeMiB: number): { imagesDir: string; sha256: string } {
  const imagesDir = join(lab.dir, 'images');
  const versionDir = join(imagesDir, 'bench', '1');
  mkdirSync(versionDir, { recursive: true });
  for (const d of [lab.dir, imagesDir, join(imagesDir, 'bench'), versionDir]) chmodSync(d, 0o755);
  const hash = createHash('sha256');
  const fd = openSync(join(versionDir, 'filesystem.squashfs'), 'w', 0o644);
  for (let left = largeMiB * 1024 * 1024; left > 0; left -= 1024 * 1024) {
    const chunk = randomBytes(Math.min(left, 1024 * 1024));
    hash.update(chunk);
    writeSync(fd, chunk);
  }
  closeSync(fd);
  return { imagesDir, sha256: hash.digest('hex') };
}

/** nginx as a distribution would run it for static files: sendfile, workers = cores, no access log. */
export function nginxConfig(dir: string, imagesDir: string): string {
  const temp = join(dir, 'nginx-temp');
  mkdirSync(temp, { recursive: true });
  return `daemon off;
master_process on;
worker_processes auto;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'nginx-error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  default_type application/octet-stream;
  client_body_temp_path ${temp}/body;
  proxy_temp_path ${temp}/proxy;
  fastcgi_temp_path ${temp}/fastcgi;
  uwsgi_temp_path ${temp}/uwsgi;
  scgi_temp_path ${temp}/scgi;
  server {
    listen ${NET.boxIp}:${PORTS.nginx};
    location /boot/images/ { alias ${imagesDir}/; }
  }
}
`;
}

async function startServers(lab: BenchLab, imagesDir: string): Promise<Record<HttpServerName, ChildProcess>> {
  const ours = await lab.startOurs({ kind: 'http', host: NET.boxIp, port: PORTS.ours, imagesDir });
  const conf = join(lab.dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(lab.dir, imagesDir));
  const nginx = lab.spawnInBox('nginx', ['-c', conf, '-p', lab.dir, '-e', join(lab.dir, 'nginx-error.log')]);
  await lab.waitForListener('tcp', NET.boxIp, PORTS.nginx);
  return { ours, nginx };
}

function url(server: HttpServerName): string {
  return `http://${NET.boxIp}:${PORTS[server]}${ARTIFACT}`;
}

/** One download per server through sha256sum, outside the timed runs. */
async function verify(lab: BenchLab, server: HttpServerName, sha256: string): Promise<void> {
  const r = await lab.run(lab.cli, 'sh', ['-c', `curl -sS --fail --max-time 120 '${url(server)}' | sha256sum`], 150_000);
  const got = r.stdout.split(' ')[0];
  if (got !== sha256) throw new Error(`http ${server}: artifact arrived corrupted (sha256 ${got}, expected ${sha256}): ${r.stderr}`);
}

async function runOnce(lab: BenchLab, server: HttpServerName, pid: number, clients: number, size: number): Promise<{ mbps: number; cpuSeconds: number; rss: number; bytes: number }> {
  const curl = `curl -sS --max-time 120 -o /dev/null -w '%{http_code} %{size_download}\\n' '${url(server)}'`;
  const script = `${Array.from({ length: clients }, () => `${curl} &`).join('\n')}\nwait`;
  const watch = watchProcess(pid);
  const started = process.hrtime.bigint();
  const r = await lab.run(lab.cli, 'sh', ['-c', script], 150_000);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const usage = watch.stop();
  const lines = r.stdout.trim().split('\n');
  const bad = lines.filter((l) => l !== `200 ${size}`);
  if (lines.length !== clients || bad.length > 0) throw new Error(`http ${server}: ${lines.length}/${clients} downloads, unexpected: ${bad.slice(0, 3).join(' | ')} ${r.stderr.slice(-300)}`);
  const bytes = clients * size;
  return { mbps: bytes / 1e6 / seconds, cpuSeconds: usage.cpuSeconds, rss: usage.peakRssMiB, bytes };
}

export async function benchHttp(lab: BenchLab, options: HttpOptions): Promise<HttpRow[]> {
  const { imagesDir, sha256 } = prepareImages(lab, options.largeMiB);
  const manifest = await new ImageCatalogue(imagesDir).seal('bench', '1', Date.now());
  const size = manifest.files['filesystem.squashfs']!.size;
  const servers = await startServers(lab, imagesDir);
  // Our server loads the same node_modules: a "buffers" here means its bodies are copied too (addon not built).
  console.error(`http ours: artifact bodies via ${describeBodyPath()}`);
  const rows: HttpRow[] = [];
  try {
    for (const server of HTTP_SERVERS) await verify(lab, server, sha256);
    for (const clients of [1, options.concurrency]) {
      const acc = new Map<HttpServerName, { runs: number[]; cpu: number[]; rss: number }>(HTTP_SERVERS.map((s) => [s, { runs: [], cpu: [], rss: 0 }]));
      for (let rep = 0; rep < options.repetitions; rep += 1) {
        const order = rep % 2 === 0 ? HTTP_SERVERS : [...HTTP_SERVERS].reverse();
        for (const server of order) {
          const r = await runOnce(lab, server, servers[server].pid!, clients, size);
          const a = acc.get(server)!;
          a.runs.push(r.mbps);
          a.cpu.push((r.cpuSeconds * 1e9) / r.bytes);
          a.rss = Math.max(a.rss, r.rss);
        }
      }
      for (const server of HTTP_SERVERS) {
        const a = acc.get(server)!;
        rows.push({ server, clients, mbps: median(a.runs), runs: a.runs, cpuPerGB: median(a.cpu), rssMiB: a.rss });
        console.error(`http ${clients}× ${server}: ${median(a.runs).toFixed(0)} MB/s (${a.runs.map((v) => v.toFixed(0)).join(', ')})`);
      }
    }
  } finally {
    for (const child of Object.values(servers)) await lab.stop(child);
  }
  return rows;
}
