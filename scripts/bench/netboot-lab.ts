// The netboot bench's namespace lab: a box namespace with a bridge, a client namespace
// on it. Every address lives inside these namespaces; destroy() removes them and ends
// every process started here (by PID, checked against /proc).
import { execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { NetnsLab } from '../../test/support/netns.ts';
import { processTree } from './netboot-proc.ts';
import type { BenchServerConfig } from './netboot-server.ts';
import { benchServerArgs } from './netboot-server-entry.ts';

export const REPO = resolve(import.meta.dirname, '../..');

export const NET = {
  /** The box on the station bridge; a /16 so the DHCP pool outlasts a 15,000/s run. */
  boxIp: '10.77.0.1',
  prefix: 16,
  clientIp: '10.77.0.2',
  /** One address per TFTP server, so all three listen on port 69 at once. */
  tftp: { ours: '10.77.0.11', 'tftpd-hpa': '10.77.0.12', dnsmasq: '10.77.0.13' },
  bridge: 'stations',
} as const;

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class BenchLab {
  readonly lab = new NetnsLab('nbb');
  readonly dir = mkdtempSync(join(tmpdir(), 'epnbox-bench-netboot-'));
  /** Where clients write what they receive (tmpfs: the disk stays out of the figures). */
  readonly shm = mkdtempSync('/dev/shm/epnbox-bench-netboot-');
  box = '';
  cli = '';
  private readonly started = new Set<ChildProcess>();

  private track(child: ChildProcess): ChildProcess {
    this.started.add(child);
    child.once('exit', () => this.started.delete(child));
    return child;
  }

  static async create(): Promise<BenchLab> {
    const lab = new BenchLab();
    try {
      await lab.build();
    } catch (err) {
      await lab.destroy();
      throw err;
    }
    return lab;
  }

  private async build(): Promise<void> {
    const l = this.lab;
    this.box = await l.addNamespace('box');
    this.cli = await l.addNamespace('cli');
    await l.ip(this.box, 'link', 'add', NET.bridge, 'type', 'bridge', 'stp_state', '0');
    await l.ip(this.box, 'addr', 'add', `${NET.boxIp}/${NET.prefix}`, 'dev', NET.bridge);
    for (const ip of Object.values(NET.tftp)) await l.ip(this.box, 'addr', 'add', `${ip}/${NET.prefix}`, 'dev', NET.bridge);
    await l.ip(this.box, 'link', 'set', NET.bridge, 'up');
    await l.ip(this.box, 'link', 'add', 'cli0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.cli);
    await l.ip(this.box, 'link', 'set', 'cli0', 'master', NET.bridge, 'up');
    await l.ip(this.cli, 'link', 'set', 'eth0', 'up');
    await l.ip(this.cli, 'addr', 'add', `${NET.clientIp}/${NET.prefix}`, 'dev', 'eth0');
  }

  /** Starts a reference server in the box namespace (its own config, foreground). */
  spawnInBox(cmd: string, args: string[]): ChildProcess {
    const child = this.track(this.lab.spawn(this.box, cmd, args));
    child.stdout?.resume();
    child.stderr?.resume();
    return child;
  }

  /** Starts one of our servers in the box namespace and waits for its ready line. */
  async startOurs(config: BenchServerConfig): Promise<ChildProcess> {
    // BENCH_CPU_PROF=<dir>: a V8 CPU profile of each of our servers, written when it stops.
    const profDir = process.env.BENCH_CPU_PROF;
    const nodeArgs = profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [];
    const child = this.track(this.lab.spawn(this.box, process.execPath, [...nodeArgs, ...benchServerArgs(REPO), JSON.stringify(config)], { cwd: REPO }));
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const line = await new Promise<string>((res, rej) => {
      createInterface({ input: child.stdout! }).once('line', res);
      child.once('exit', (code) => rej(new Error(`bench server exited with ${code}: ${stderr}`)));
    });
    const status = JSON.parse(line) as { ready?: boolean; error?: string };
    if (!status.ready) {
      await this.stop(child);
      throw new Error(`bench server refused to start: ${status.error}`);
    }
    return child;
  }

  /**
   * SIGTERM, then SIGKILL after 5 s, by PID, only while /proc shows the command line we
   * started (nginx rewrites its own to "nginx: master process …", so the check is on
   * this lab's directory or our entry script rather than on the program name).
   */
  async stop(child: ChildProcess): Promise<void> {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    // tftpd-hpa's per-transfer children outlive their parent: end them too.
    const tree = processTree(child.pid);
    const exited = new Promise<void>((res) => child.once('exit', () => res()));
    const signal = (sig: NodeJS.Signals): void => {
      if (this.isOurs(child.pid!)) child.kill(sig);
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 5000);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
    clearTimeout(timer);
    for (const pid of tree.slice(1)) this.kill(pid, 'SIGKILL');
  }

  /** On SIGINT/SIGTERM: no time for a graceful stop; kill what we started and remove the namespaces. */
  destroyNow(): void {
    for (const child of this.started) for (const pid of child.pid === undefined ? [] : processTree(child.pid)) this.kill(pid, 'SIGKILL');
    for (const ns of [this.cli, this.box]) {
      try {
        if (ns) execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.shm, { recursive: true, force: true });
  }

  private kill(pid: number, sig: NodeJS.Signals): void {
    try {
      if (this.isOurs(pid)) process.kill(pid, sig);
    } catch {
      // exited meanwhile
    }
  }

  private isOurs(pid: number): boolean {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      return cmdline.includes(this.dir) || /netboot-server\.(ts|js)/.test(cmdline) || cmdline.startsWith('ip netns exec');
    } catch {
      return false;
    }
  }

  /** Runs a command in a namespace to completion, killed (by its PID) after `timeoutMs`. */
  run(ns: string, cmd: string, args: string[], timeoutMs: number): Promise<CommandResult> {
    return new Promise((res) => {
      execFile('ip', ['netns', 'exec', ns, cmd, ...args], { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : null;
        res({ code, stdout, stderr });
      });
    });
  }

  /** Waits until something listens on `proto` `address:port` in the box namespace. */
  async waitForListener(proto: 'udp' | 'tcp', address: string, port: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { stdout } = await this.run(this.box, 'ss', ['-Hln', proto === 'udp' ? '-u' : '-t'], 5000);
      // dnsmasq binds 0.0.0.0 to its device: ss shows `0.0.0.0%stations:67`.
      const local = new RegExp(`^(${address.replaceAll('.', '\\.')}|0\\.0\\.0\\.0|\\*)(%\\S+)?:${port}$`);
      if (stdout.split('\n').some((l) => l.split(/\s+/).some((f) => local.test(f)))) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`nothing listens on ${proto} ${address}:${port} in the box namespace after ${timeoutMs} ms`);
  }

  /** Ends what is still running (each by its PID), then removes the namespaces. */
  async destroy(): Promise<void> {
    await Promise.all([...this.started].map((c) => this.stop(c)));
    await this.lab.destroy();
    rmSync(this.dir, { recursive: true, force: true });
    rmSync(this.shm, { recursive: true, force: true });
  }
}
