import type { ChildProcess } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { systemActor } from '../../api/audit/audit-actions.ts';
import { migrateToLatest } from '../../api/db/migrator.ts';
import { openSqlite } from '../../api/db/open-sqlite.ts';
import { systemClock } from '../../api/shared/clock.ts';
import { createProfile } from '../../provisioning/boot/boot-profiles-service.ts';
import { setDefaultProfile } from '../../provisioning/boot/boot-version-switch.ts';
import { ImageCatalogue } from '../../provisioning/boot/image-catalogue.ts';
import { REPO } from './boot-assets.ts';
import { LAB_NET, type LabNetwork } from './lab-network.ts';

export const LAB_IMAGE = { name: 'lab-marker', version: '1', profile: 'lab-marker' } as const;

export interface LabImage {
  kernel: string;
  initrd: Buffer;
  /** The profile's own kernel arguments (epnbox adds initrd=, fetch=, epnbox.*). */
  kernelArgs: string;
}

/**
 * A fresh data directory whose database already holds the lab's boot profile (the
 * default) on a sealed image: the kernel, the marker initrd, and a placeholder squashfs
 * (the marker /init never mounts it, but a profile must name one).
 */
export async function prepareDataDir(dataDir: string, image: LabImage): Promise<void> {
  const imagesDir = join(dataDir, 'images');
  const dir = join(imagesDir, LAB_IMAGE.name, LAB_IMAGE.version);
  await mkdir(dir, { recursive: true });
  await copyFile(image.kernel, join(dir, 'vmlinuz'));
  await writeFile(join(dir, 'initrd.img'), image.initrd);
  await writeFile(join(dir, 'filesystem.squashfs'), 'placeholder: the lab initrd never mounts a root file system\n');
  const db = openSqlite({ path: join(dataDir, 'epnbox.sqlite'), busyTimeoutMs: 5000 });
  try {
    await migrateToLatest(db);
    const ctx = { db, clock: systemClock };
    const catalogue = new ImageCatalogue(imagesDir);
    await catalogue.seal(LAB_IMAGE.name, LAB_IMAGE.version, systemClock.now());
    const profile = await createProfile(ctx, catalogue, systemActor, {
      name: LAB_IMAGE.profile,
      imageName: LAB_IMAGE.name,
      imageVersion: LAB_IMAGE.version,
      kernelArgs: image.kernelArgs,
    });
    await setDefaultProfile(ctx, systemActor, profile.id);
  } finally {
    await db.destroy();
  }
}

/** The appliance's configuration for the lab, as EPNBOX_* variables (the real entry point reads them). */
export function labEnvironment(dataDir: string, options: { autoApprove: boolean; dhcpMode?: 'full' | 'proxy'; logLevel?: string }): Record<string, string> {
  return {
    EPNBOX_DATA_DIR: dataDir,
    EPNBOX_HTTP_HOST: '0.0.0.0',
    EPNBOX_HTTP_PORT: String(LAB_NET.httpPort),
    EPNBOX_STATIONS_AUTO_APPROVE: String(options.autoApprove),
    EPNBOX_LOG_LEVEL: options.logLevel ?? 'info',
    EPNBOX_NETBOOT_ENABLED: 'true',
    EPNBOX_NETBOOT_INTERFACE: LAB_NET.bridge,
    ...(options.dhcpMode === 'proxy'
      ? // Beside the lab's router (LabNetwork.addRouter), which hands out the addresses.
        { EPNBOX_NETBOOT_DHCP_MODE: 'proxy' }
      : {
          EPNBOX_NETBOOT_DHCP_MODE: 'full',
          EPNBOX_NETBOOT_DHCP_RANGE_START: LAB_NET.rangeStart,
          EPNBOX_NETBOOT_DHCP_RANGE_END: LAB_NET.rangeEnd,
          // Nothing else answers DHCP in the lab namespace; a short look is enough.
          EPNBOX_NETBOOT_DHCP_PROBE_TIMEOUT_MS: '1500',
        }),
  };
}

export interface LabAppliance {
  child: ChildProcess;
  url: string;
  /** Every stdout line parsed as JSON (pino); other lines as `{ text }`. */
  lines: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/**
 * Starts the real appliance (`appliance/main.ts`) inside the box's namespace and waits
 * for its "panel and API on" line. `onLine` sees every line of stdout and stderr.
 */
export async function startLabAppliance(network: LabNetwork, env: Record<string, string>, onLine: (line: string) => void = () => undefined, timeoutMs = 60_000): Promise<LabAppliance> {
  const child = network.lab.spawn(network.box, process.execPath, ['--import', 'tsx', join(REPO, 'appliance', 'main.ts')], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a Ctrl-C at the lab's terminal reaches the lab, which stops it in order.
    detached: true,
  });
  const lines: Array<Record<string, unknown>> = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let ready: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve) => (ready = resolve));
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      onLine(line);
      lines.push(parse(line));
      const match = /^epnbox: panel and API on (\S+)/.exec(line);
      if (match) ready(match[1]!);
    });
  }
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the appliance did not start within ${timeoutMs} ms`)), timeoutMs);
    void exited.then((code) => reject(new Error(`the appliance exited (${code}) before it was ready:\n${lastWords(lines)}`)));
  });
  try {
    return { child, url: await Promise.race([url, failed]), lines, exited };
  } catch (error) {
    await network.lab.stop(child);
    throw error;
  } finally {
    clearTimeout(timer);
    failed.catch(() => undefined);
  }
}

/** The end of the appliance's output without stack frames: the error itself. */
function lastWords(lines: Array<Record<string, unknown>>): string {
  const text = lines.map((l) => (typeof l.text === 'string' ? l.text : JSON.stringify(l)));
  return text.filter((t) => !/^\s+at /.test(t) && t.trim() !== '').slice(-8).join('\n');
}

function parse(line: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : { text: line };
  } catch {
    return { text: line };
  }
}
