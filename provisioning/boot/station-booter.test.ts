import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enrollStation } from '../../api/enrollment/enroll-station.ts';
import { createBrokenDb } from '../../api/testing/broken-db.ts';
import { approveStation } from '../../api/stations/station-state-service.ts';
import { createStation } from '../../api/stations/stations-service.ts';
import { createProfile } from './boot-profiles-service.ts';
import { setStationBoot } from './boot-station-choice.ts';
import { admin, bootTestKit, type BootTestKit } from './boot-test-kit.ts';
import { setDefaultProfile } from './boot-version-switch.ts';
import { createStationBooter, type StationBooter } from './station-booter.ts';
import { WindowBudget } from './window-budget.ts';

const BASE = 'http://10.0.0.1:8080';
const MAC = '52:54:00:12:ab:cd';
const timing = { retries: 3, retryDelaySeconds: 5, pendingRetrySeconds: 30, failedWaitSeconds: 60 };

let kit: BootTestKit;
let autoApprove: boolean;
let booter: StationBooter;
beforeEach(async () => {
  kit = await bootTestKit();
  autoApprove = false;
  booter = makeBooter(kit.ctx);
});
afterEach(async () => {
  await kit.close();
});

function makeBooter(ctx: BootTestKit['ctx'], newStationsPerWindow = 100) {
  return createStationBooter({
    ctx,
    catalogue: kit.catalogue,
    autoApprove: async () => autoApprove,
    nonceTtlMs: 15 * 60_000,
    timing,
    newStations: new WindowBudget(kit.ctx.clock, { limit: newStationsPerWindow, windowMs: 600_000 }),
  });
}

const ask = (mac = MAC, arch: string | undefined = 'efi64') => booter.scriptFor({ mac, arch, ip: '10.0.0.21', baseUrl: `${BASE}/` });
const stations = () => kit.ctx.db.selectFrom('stations').select(['id', 'mac', 'state', 'ip']).execute();

async function withDefaultProfile(): Promise<void> {
  await kit.image('debian-kiosk', '1.0');
  const profile = await createProfile(kit.ctx, kit.catalogue, admin, { name: 'Kiosque', imageName: 'debian-kiosk', imageVersion: '1.0' });
  await setDefaultProfile(kit.ctx, admin, profile.id);
}

const nonceOf = (script: string) => /epnbox\.enroll=(\S+)/.exec(script)?.[1];

describe('station booter', () => {
  it('registers an unknown MAC as pending and tells the screen it awaits approval', async () => {
    const answer = await ask('52-54-00-12-AB-CD');
    expect(answer.outcome).toBe('pending');
    expect(answer.script).toContain("Poste en attente d'approbation : poste-12abcd (52:54:00:12:ab:cd)");
    expect(answer.script).toContain(`chain --replace --autofree ${BASE}/boot/ipxe?mac=52:54:00:12:ab:cd&arch=efi64`);
    expect(await stations()).toEqual([{ id: answer.log.stationId, mac: MAC, state: 'pending', ip: '10.0.0.21' }]);
    expect((await ask()).outcome).toBe('pending');
    expect(await stations()).toHaveLength(1);
  });

  it('boots an auto-approved new station at once, with a nonce that enrolls it', async () => {
    await withDefaultProfile();
    autoApprove = true;
    const answer = await ask();
    expect(answer.outcome).toBe('boot');
    expect(answer.log).toMatchObject({ mac: MAC, arch: 'efi64', profile: 'Kiosque', source: 'default', image: 'debian-kiosk 1.0' });
    expect(answer.script).toContain(`kernel ${BASE}/boot/images/debian-kiosk/1.0/vmlinuz initrd=initrd.img boot=live components quiet fetch=${BASE}/boot/images/debian-kiosk/1.0/filesystem.squashfs epnbox.server=${BASE} epnbox.enroll=`);
    const enrolled = await enrollStation(kit.ctx, { nonce: nonceOf(answer.script)!, mac: MAC, ip: '10.0.0.21' });
    expect(enrolled.stationId).toBe(answer.log.stationId);
  });

  it('boots a known station once approved, with a fresh nonce at each boot', async () => {
    await withDefaultProfile();
    const id = (await ask()).log.stationId!;
    await approveStation(kit.ctx, admin, id);
    const first = nonceOf((await ask()).script);
    const second = nonceOf((await ask()).script);
    expect(first).toMatch(/^en_/);
    expect(second).not.toBe(first);
  });

  it('follows the station\'s own profile over the default', async () => {
    await withDefaultProfile();
    await kit.image('debian-kiosk', '2.0');
    const own = await createProfile(kit.ctx, kit.catalogue, admin, { name: 'Atelier', imageName: 'debian-kiosk', imageVersion: '2.0', kernelArgs: 'boot=live toram' });
    const station = await createStation(kit.ctx, admin, { name: 'Atelier 1', mac: MAC });
    await setStationBoot(kit.ctx, admin, station.id, { profileId: own.id });
    const answer = await ask();
    expect(answer.log).toMatchObject({ profile: 'Atelier', source: 'station', image: 'debian-kiosk 2.0' });
    expect(answer.script).toContain('initrd=initrd.img boot=live toram fetch=');
  });

  it('waits with a clear message when no profile applies or the image is gone', async () => {
    await createStation(kit.ctx, admin, { name: 'Poste 1', mac: MAC });
    expect((await ask()).outcome).toBe('no_profile');
    await withDefaultProfile();
    await (await kit.catalogue.detach('debian-kiosk', '1.0')).purge();
    const answer = await ask();
    expect(answer).toMatchObject({ outcome: 'image_unavailable', log: { error: 'BOOT_IMAGE_NOT_FOUND' } });
    expect(answer.script).toContain("L'image debian-kiosk 1.0 de Poste 1 (52:54:00:12:ab:cd) est absente ou incomplete sur le serveur.");
  });

  it('caps new registrations per window; known stations still boot', async () => {
    booter = makeBooter(kit.ctx, 2);
    expect((await ask('52:54:00:00:00:01')).outcome).toBe('pending');
    expect((await ask('52:54:00:00:00:02')).outcome).toBe('pending');
    expect((await ask('52:54:00:00:00:03')).outcome).toBe('busy');
    expect((await ask('52:54:00:00:00:01')).outcome).toBe('pending');
    expect(await stations()).toHaveLength(2);
    kit.ctx.clock.advance(600_000);
    expect((await ask('52:54:00:00:00:03')).outcome).toBe('pending');
  });

  it('hands ARM firmware back without registering it; a missing arch is treated as x86', async () => {
    expect((await ask(MAC, 'arm64-efi')).outcome).toBe('unsupported_arch');
    expect(await stations()).toEqual([]);
    expect((await booter.scriptFor({ mac: MAC, arch: undefined, ip: null, baseUrl: BASE })).log.arch).toBe('unknown');
  });

  it('answers a wait script when the database fails, and a client error for an unreadable MAC', async () => {
    booter = makeBooter({ ...kit.ctx, db: createBrokenDb() });
    const answer = await ask();
    expect(answer).toMatchObject({ outcome: 'unavailable', log: { stationId: null, error: 'STORAGE_FAILURE' } });
    expect(answer.script).toContain('ne peut pas repondre');
    await expect(ask('ff:ff:ff:ff:ff:ff')).rejects.toMatchObject({ code: 'STATION_MAC_NOT_UNICAST' });
  });
});

describe('WindowBudget', () => {
  it('counts per key and window, says when to come back, and forgets the oldest keys', async () => {
    const { FakeClock } = await import('../../api/shared/clock.ts');
    const clock = new FakeClock(0);
    const budget = new WindowBudget(clock, { limit: 2, windowMs: 1000, maxKeys: 2 });
    expect([budget.take('a'), budget.take('a'), budget.take('a')]).toEqual([{ allowed: true }, { allowed: true }, { allowed: false, retryAfterMs: 1000 }]);
    clock.advance(400);
    expect(budget.take('a')).toEqual({ allowed: false, retryAfterMs: 600 });
    budget.take('b');
    budget.take('c'); // forgets a
    expect(budget.take('a')).toEqual({ allowed: true });
  });
});
