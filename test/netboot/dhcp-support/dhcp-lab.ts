import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import { NetnsLab } from '../../support/netns.ts';
import { requireRoot, requireTools } from '../../support/require-tool.ts';
import type { DhcpBoxConfig } from './dhcp-box.ts';
import type { ClientRun, HeardReply } from './pxe-client.ts';

export const REPO = resolve(import.meta.dirname, '../../..');
const here = import.meta.dirname;

/** Addresses used only inside the lab's namespaces. */
export const LAB = {
  boxIp: '10.77.0.1',
  stationsCidr: '10.77.0.0/24',
  uplinkBoxIp: '10.88.0.1',
  uplinkPeerIp: '10.88.0.2',
  stationMac: '02:77:00:00:00:10',
  uplinkMac: '02:88:00:00:00:20',
  rogueIp: '10.77.0.254',
} as const;

export interface RunningBox {
  child: ChildProcess;
  /** The first stdout line: {ready, serverIp} or {error, refused}. */
  status: { ready?: boolean; serverIp?: string; error?: string; refused?: boolean };
  logs: Array<Record<string, unknown>>;
  /** Every stdout line (status first, `{stopped: stats}` last after a clean stop). */
  stdout: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/**
 * The two-interface lab: namespace `box` with a bridge `stations` (10.77.0.1/24, one
 * veth to namespace `sta`) and a veth `uplink` (10.88.0.1/24, default route) to namespace
 * `up`. Optional namespace `rogue` hangs on the bridge too.
 */
export class DhcpLab {
  readonly lab: NetnsLab;
  box = '';
  sta = '';
  up = '';
  dir = '';

  constructor(prefix: string) {
    this.lab = new NetnsLab(prefix);
  }

  static async create(prefix: string, tools: string[] = []): Promise<DhcpLab> {
    requireRoot();
    requireTools('ip', 'nft', ...tools);
    const lab = new DhcpLab(prefix);
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
    this.dir = await mkdtemp(join(tmpdir(), `${l.id}-`));
    this.box = await l.addNamespace('box');
    this.sta = await l.addNamespace('sta');
    this.up = await l.addNamespace('up');
    await l.ip(this.box, 'link', 'add', 'stations', 'type', 'bridge', 'stp_state', '0');
    await l.ip(this.box, 'addr', 'add', `${LAB.boxIp}/24`, 'dev', 'stations');
    await l.ip(this.box, 'link', 'set', 'stations', 'up');
    await this.plugIntoBridge(this.sta, 'sta0', LAB.stationMac);
    // Like firmware, the station has no address: its DISCOVERs leave from 0.0.0.0.
    await l.ip(this.sta, 'route', 'add', 'default', 'dev', 'eth0');
    await l.ip(this.box, 'link', 'add', 'uplink', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.up);
    await l.ip(this.box, 'addr', 'add', `${LAB.uplinkBoxIp}/24`, 'dev', 'uplink');
    await l.ip(this.box, 'link', 'set', 'uplink', 'up');
    // Without the source-bound socket, 255.255.255.255 would follow this default route.
    await l.ip(this.box, 'route', 'add', 'default', 'via', LAB.uplinkPeerIp);
    await l.ip(this.up, 'link', 'set', 'eth0', 'address', LAB.uplinkMac, 'up');
    await l.ip(this.up, 'addr', 'add', `${LAB.uplinkPeerIp}/24`, 'dev', 'eth0');
    await l.ip(this.up, 'route', 'add', 'default', 'dev', 'eth0');
  }

  /** A veth from `ns` (eth0, given MAC) into the box's bridge. */
  async plugIntoBridge(ns: string, boxSide: string, mac: string): Promise<void> {
    const l = this.lab;
    await l.ip(this.box, 'link', 'add', boxSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
    await l.ip(this.box, 'link', 'set', boxSide, 'master', 'stations', 'up');
    await l.ip(ns, 'link', 'set', 'eth0', 'address', mac, 'up');
  }

  /** Starts the DHCP server in the box namespace and waits for its status line. */
  async startBox(config: DhcpBoxConfig): Promise<RunningBox> {
    const configPath = join(this.dir, `box-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
    await writeFile(configPath, JSON.stringify(config));
    const child = this.lab.spawn(this.box, process.execPath, ['--import', 'tsx', join(here, 'dhcp-box.ts'), configPath], { cwd: REPO });
    const logs: Array<Record<string, unknown>> = [];
    createInterface({ input: child.stderr! }).on('line', (line) => {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ raw: line });
      }
    });
    const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
    const stdout: Array<Record<string, unknown>> = [];
    const firstLine = new Promise<string>((res) =>
      createInterface({ input: child.stdout! }).on('line', (line) => {
        stdout.push(JSON.parse(line) as Record<string, unknown>);
        if (stdout.length === 1) res(line);
      }),
    );
    const status = await Promise.race([firstLine.then((l) => JSON.parse(l) as RunningBox['status']), exited.then((code) => ({ error: `exited with ${code}: ${JSON.stringify(logs.slice(-5))}` }))]);
    return { child, status, logs, stdout, exited };
  }

  async stopBox(box: RunningBox): Promise<void> {
    await this.lab.stop(box.child);
  }

  /** Runs the PXE-like client in a namespace and returns the replies it heard. */
  async pxeClient(ns: string, run: ClientRun): Promise<HeardReply[]> {
    return this.startPxeClient(ns, run).result;
  }

  /** Starts the client; `listening` resolves once its port 68 is bound. */
  startPxeClient(ns: string, run: ClientRun): { listening: Promise<void>; result: Promise<HeardReply[]> } {
    const child = this.lab.spawn(ns, process.execPath, ['--import', 'tsx', join(here, 'pxe-client.ts'), JSON.stringify(run)], { cwd: REPO });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const listening = new Promise<void>((res, rej) => {
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('listening\n')) res();
      });
      child.once('exit', () => rej(new Error(`pxe-client exited before listening: ${stderr}`)));
    });
    listening.catch(() => undefined);
    const result = new Promise<HeardReply[]>((res, rej) =>
      child.once('exit', (code) => (code === 0 ? res(JSON.parse(stdout) as HeardReply[]) : rej(new Error(`pxe-client exited with ${code}: ${stderr}`)))),
    );
    return { listening, result };
  }

  async destroy(): Promise<void> {
    await this.lab.destroy();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
