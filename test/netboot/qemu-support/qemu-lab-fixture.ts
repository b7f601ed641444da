import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { debianKernel, markerInitrd, staticBusybox } from '../../../scripts/lab/boot-assets.ts';
import { labEnvironment, prepareDataDir, startLabAppliance, type LabAppliance } from '../../../scripts/lab/lab-appliance.ts';
import { createLabNetwork, type LabNetwork } from '../../../scripts/lab/lab-network.ts';
import { requireQemuLab } from '../../../scripts/lab/lab-requirements.ts';

export interface QemuLab {
  network: LabNetwork;
  appliance: LabAppliance;
  dataDir: string;
  /** Printed by the stations' /init; unique per run, so no old output can match. */
  marker: string;
  /** Reads the appliance's database (read-only, beside the running appliance). */
  query<T>(sql: string, ...params: unknown[]): T[];
  destroy(): Promise<void>;
}

/**
 * The QEMU lab for tests: namespace, bridge, router adverts, and the real appliance
 * (netboot on, full or proxy DHCP, auto-approve) on a fresh data directory whose default boot
 * profile is a Debian kernel with the marker initrd.
 */
export interface QemuLabOptions {
  /** full (default): the box hands out addresses; proxy: beside the lab's router (dnsmasq). */
  dhcpMode?: 'full' | 'proxy';
  /** More EPNBOX_* settings for the appliance. */
  env?: Record<string, string>;
  /** Each line the appliance writes. */
  log?: (line: string) => void;
  /** Called as each setup phase ends (for timings). */
  phase?: (name: string) => void;
}

export async function startQemuLab(prefix: string, options: QemuLabOptions = {}): Promise<QemuLab> {
  const phase = options.phase ?? (() => undefined);
  requireQemuLab();
  const marker = `EPNBOX-MARKER-${randomBytes(6).toString('hex')}`;
  const [kernel, busybox] = await Promise.all([debianKernel(), staticBusybox()]);
  phase('kernel and busybox');
  const dataDir = await mkdtemp(join(tmpdir(), `epnbox-${prefix}-`));
  let network: LabNetwork | undefined;
  try {
    await prepareDataDir(dataDir, { kernel, initrd: await markerInitrd(busybox, marker), kernelArgs: 'console=ttyS0 loglevel=3 panic=-1' });
    phase('data directory with the boot profile');
    network = await createLabNetwork(prefix);
    if (options.dhcpMode === 'proxy') await network.addRouter();
    phase('namespace and bridge');
    const appliance = await startLabAppliance(network, { ...labEnvironment(dataDir, { autoApprove: true, dhcpMode: options.dhcpMode ?? 'full' }), ...options.env }, options.log);
    phase('appliance started');
    const db = join(dataDir, 'epnbox.sqlite');
    const owned = network;
    return {
      network,
      appliance,
      dataDir,
      marker,
      query: <T>(sql: string, ...params: unknown[]) => {
        const raw = new BetterSqlite3(db, { readonly: true, fileMustExist: true });
        try {
          return raw.prepare(sql).all(...params) as T[];
        } finally {
          raw.close();
        }
      },
      destroy: async () => {
        await owned.lab.stop(appliance.child, 10_000);
        await owned.destroy();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await network?.destroy();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
