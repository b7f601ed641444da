import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stationsTestContext } from '../../api/stations/station-fixtures.ts';
import { resolveConfig } from '../config/load-config.ts';
import { startAppliance } from '../start-appliance.ts';
import { memoryLogger } from './dhcp/testing/memory-logger.ts';
import { NetbootConfigError, startConfiguredNetboot, startNetbootService } from './netboot-service.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tftpRoot(files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'epnbox-netboot-'));
  dirs.push(dir);
  for (const file of files) writeFileSync(join(dir, file), `${file}\n`);
  return dir;
}

function config(env: Record<string, string>) {
  return resolveConfig({ env: { EPNBOX_NETBOOT_ENABLED: 'true', EPNBOX_NETBOOT_INTERFACE: 'lo', EPNBOX_NETBOOT_DHCP_MODE: 'off', ...env } });
}

// DHCP is never started here (it would listen on the host): the QEMU tests run it in namespaces.
describe('NetbootService', () => {
  it('does nothing at all when netboot is off', async () => {
    const ctx = await stationsTestContext();
    const app = { server: { address: () => null }, log: { child: () => { throw new Error('no logger wanted'); } } };
    expect(await startConfiguredNetboot(resolveConfig({ env: {} }), ctx, app)).toBeUndefined();
    await ctx.db.destroy();
  });

  it('serves TFTP from its root on the LAN address, says which boot files are missing, and stops', async () => {
    const ctx = await stationsTestContext();
    const logger = memoryLogger();
    const root = tftpRoot(['undionly.kpxe']);
    const c = config({ EPNBOX_NETBOOT_TFTP_ROOT: root, EPNBOX_NETBOOT_HTTP_BASE_URL: 'http://127.0.0.1:8080' });
    const dataDir = tftpRoot([]);
    const service = await startNetbootService({ config: c.netboot, dataDir, http: { host: '127.0.0.1', port: 8080 }, ctx, autoApprove: async () => false, logger, tftpPort: 0 });
    try {
      expect(service.status).toMatchObject({
        interface: 'lo',
        serverIp: '127.0.0.1',
        dhcp: 'off',
        httpBaseUrl: 'http://127.0.0.1:8080',
        tftp: { address: '127.0.0.1', root: join(dataDir, 'tftp'), source: root, files: ['undionly.kpxe'] },
      });
      expect(logger.lines.some((l) => l.level === 'warn' && l.fields.file === 'snponly.efi')).toBe(true);
      expect(await service.policy.bootFor({ mac: '52:54:00:00:00:01', arch: 0, isIpxe: false, userClass: [], vendorClass: undefined, machineId: undefined })).toEqual({ bootFile: 'undionly.kpxe' });
      expect(await service.policy.bootFor({ mac: '52:54:00:00:00:01', arch: 7, isIpxe: true, userClass: ['iPXE'], vendorClass: undefined, machineId: undefined })).toEqual({
        bootUrl: 'http://127.0.0.1:8080/boot/ipxe?mac=52:54:00:00:00:01&arch=efi64',
      });
    } finally {
      await service.close();
      await ctx.db.destroy();
    }
  });

  it.each([
    [{ EPNBOX_NETBOOT_INTERFACE: '' }, /netboot.interface is empty/],
    [{ EPNBOX_NETBOOT_INTERFACE: 'nosuchif0' }, /interface "nosuchif0" does not exist/],
    [{ EPNBOX_NETBOOT_SERVER_ADDRESS: '10.9.9.9' }, /netboot.serverAddress 10.9.9.9 is not an address of lo/],
    [{}, /http.host is 127.0.0.1, which stations cannot reach/],
  ])('refuses to start with %o, binding nothing', async (env, message) => {
    const ctx = await stationsTestContext();
    const c = config({ EPNBOX_NETBOOT_TFTP_ROOT: tftpRoot([]), ...env });
    await expect(startNetbootService({ config: c.netboot, dataDir: '/nonexistent', http: { host: c.http.host, port: 8080 }, ctx, autoApprove: async () => false, logger: memoryLogger(), tftpPort: 0 })).rejects.toThrow(
      NetbootConfigError,
    );
    await expect(startNetbootService({ config: c.netboot, dataDir: '/nonexistent', http: { host: c.http.host, port: 8080 }, ctx, autoApprove: async () => false, logger: memoryLogger(), tftpPort: 0 })).rejects.toThrow(message);
    await ctx.db.destroy();
  });

  it('refuses a TFTP root that does not exist', async () => {
    const ctx = await stationsTestContext();
    const c = config({ EPNBOX_NETBOOT_TFTP_ROOT: '/nonexistent/ipxe', EPNBOX_NETBOOT_HTTP_BASE_URL: 'http://127.0.0.1:8080' });
    await expect(startNetbootService({ config: c.netboot, dataDir: '/nonexistent', http: { host: '127.0.0.1', port: 8080 }, ctx, autoApprove: async () => false, logger: memoryLogger(), tftpPort: 0 })).rejects.toThrow(
      /netboot.tftp.root \/nonexistent\/ipxe is not a directory/,
    );
    await ctx.db.destroy();
  });

  it('stops the whole appliance start when netboot cannot start, leaving nothing open or locked', async () => {
    const dataDir = tftpRoot([]);
    const c = resolveConfig({
      env: { EPNBOX_DATA_DIR: dataDir, EPNBOX_HTTP_PORT: '0', EPNBOX_NETBOOT_ENABLED: 'true', EPNBOX_NETBOOT_INTERFACE: 'nosuchif0', EPNBOX_NETBOOT_DHCP_MODE: 'off' },
    });
    await expect(startAppliance(c)).rejects.toThrow(/interface "nosuchif0" does not exist/);
    // A second start on the same data directory works: nothing was left open or locked.
    const again = await startAppliance({ ...c, netboot: { ...c.netboot, enabled: false } });
    const health = await (await fetch(`${again.url}/api/health`)).json();
    expect(health).toMatchObject({ status: 'ok', netboot: 'off' });
    await again.close();
  });
});
