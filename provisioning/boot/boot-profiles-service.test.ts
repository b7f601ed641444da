import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStation } from '../../api/stations/stations-service.ts';
import { createBrokenDb, failingWhen, insertInto } from '../../api/testing/broken-db.ts';
import { createGroup } from './boot-groups-service.ts';
import { createProfile, deleteProfile, getProfile, listProfiles, updateProfile } from './boot-profiles-service.ts';
import { setStationBoot } from './boot-station-choice.ts';
import { admin, bootAudit, bootTestKit, type BootTestKit } from './boot-test-kit.ts';
import { setDefaultProfile } from './boot-version-switch.ts';

let kit: BootTestKit;
beforeEach(async () => {
  kit = await bootTestKit();
  await kit.image('debian-kiosk', '2026.03.1');
});
afterEach(async () => {
  await kit.close();
});

const create = (input: Partial<Parameters<typeof createProfile>[3]> = {}) =>
  createProfile(kit.ctx, kit.catalogue, admin, { name: 'Kiosque', imageName: 'debian-kiosk', imageVersion: '2026.03.1', ...input });

describe('createProfile', () => {
  it('creates a profile with the default files and kernel arguments, audited', async () => {
    const profile = await create({ description: '  Postes publics  ' });
    expect(profile).toEqual({
      id: profile.id,
      name: 'Kiosque',
      description: 'Postes publics',
      imageName: 'debian-kiosk',
      imageVersion: '2026.03.1',
      previousVersion: null,
      kernel: 'vmlinuz',
      initrd: 'initrd.img',
      squashfs: 'filesystem.squashfs',
      kernelArgs: 'boot=live components quiet',
      isDefault: false,
      stationCount: 0,
      groupCount: 0,
      createdAt: kit.ctx.clock.now(),
      updatedAt: kit.ctx.clock.now(),
    });
    expect(await bootAudit(kit.ctx.db)).toEqual([
      {
        action: 'boot.profile_created',
        target_type: 'boot_profile',
        target_id: profile.id,
        metadata: { name: 'Kiosque', image: 'debian-kiosk', version: '2026.03.1', kernel: 'vmlinuz', initrd: 'initrd.img', squashfs: 'filesystem.squashfs', kernelArgs: 'boot=live components quiet' },
      },
    ]);
  });

  it('normalises kernel arguments to one line', async () => {
    const profile = await create({ kernelArgs: '  boot=live\n  components   locales=fr_FR.UTF-8 keyboard-layouts=fr console=ttyS0,115200n8 ' });
    expect(profile.kernelArgs).toBe('boot=live components locales=fr_FR.UTF-8 keyboard-layouts=fr console=ttyS0,115200n8');
  });

  it.each([
    ['boot=live $(reboot)', 'forbidden character'],
    ['boot=live || chain', 'forbidden character'],
    ['boot=live "quoted"', 'forbidden character'],
    ['boot=live #comment', 'forbidden character'],
    ['boot=live initrd=other.img', 'added by epnbox'],
    ['boot=live fetch=http://elsewhere/x', 'added by epnbox'],
    ['epnbox.enroll=forged', 'added by epnbox'],
    [`boot=live ${'x'.repeat(1100)}`, 'at most 1024'],
  ])('refuses kernel arguments %j', async (kernelArgs, reason) => {
    const error = await create({ kernelArgs }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BOOT_KERNEL_ARGS_INVALID', category: 'invalid', fields: [{ field: 'kernelArgs' }] });
    expect((error as Error).message).toContain(reason);
    expect(await listProfiles(kit.ctx, {})).toMatchObject({ total: 0 });
  });

  it('refuses an image that is missing, unsealed or lacks one of the files', async () => {
    await expect(create({ imageVersion: '2026.04.1' })).rejects.toMatchObject({ code: 'BOOT_IMAGE_NOT_FOUND' });
    await kit.image('debian-kiosk', '2026.04.1', { seal: false });
    await expect(create({ imageVersion: '2026.04.1' })).rejects.toMatchObject({ code: 'BOOT_IMAGE_NOT_SEALED' });
    await expect(create({ kernel: 'vmlinuz-6.12' })).rejects.toMatchObject({ code: 'BOOT_IMAGE_FILE_MISSING', details: { missing: ['vmlinuz-6.12'] } });
    await expect(create({ squashfs: '../etc/passwd' })).rejects.toMatchObject({ code: 'BOOT_NAME_INVALID' });
  });

  it('refuses a name already taken, whatever its case, and an empty name', async () => {
    await create();
    await expect(create({ name: 'KIOSQUE' })).rejects.toMatchObject({ code: 'BOOT_PROFILE_NAME_TAKEN', category: 'conflict' });
    await expect(create({ name: '   ' })).rejects.toMatchObject({ code: 'BOOT_PROFILE_NAME_INVALID' });
  });

  it('writes nothing when the audit cannot be written, and fails clearly on a broken database', async () => {
    await expect(createProfile({ ...kit.ctx, db: failingWhen(kit.ctx.db, insertInto('audit_events')) }, kit.catalogue, admin, { name: 'K', imageName: 'debian-kiosk', imageVersion: '2026.03.1' })).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect(await listProfiles(kit.ctx, {})).toMatchObject({ total: 0 });
    await expect(listProfiles({ ...kit.ctx, db: createBrokenDb() }, {})).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
  });
});

describe('updateProfile', () => {
  it('records only what changed, and a patch that changes nothing writes nothing', async () => {
    const profile = await create();
    kit.ctx.clock.advance(1000);
    const updated = await updateProfile(kit.ctx, kit.catalogue, admin, profile.id, { name: 'Kiosque public', kernelArgs: 'boot=live components', description: null });
    expect(updated).toMatchObject({ name: 'Kiosque public', kernelArgs: 'boot=live components', updatedAt: kit.ctx.clock.now() });
    await updateProfile(kit.ctx, kit.catalogue, admin, profile.id, { name: 'Kiosque public' });
    const audit = await bootAudit(kit.ctx.db);
    expect(audit.map((e) => e.action)).toEqual(['boot.profile_created', 'boot.profile_updated']);
    expect(audit[1]!.metadata).toEqual({
      changes: { name: { from: 'Kiosque', to: 'Kiosque public' }, kernel_args: { from: 'boot=live components quiet', to: 'boot=live components' } },
    });
  });

  it('checks new file names against the current version, and refuses a taken name', async () => {
    const profile = await create();
    await create({ name: 'Autre' });
    await expect(updateProfile(kit.ctx, kit.catalogue, admin, profile.id, { initrd: 'initrd-absent.img' })).rejects.toMatchObject({ code: 'BOOT_IMAGE_FILE_MISSING' });
    await expect(updateProfile(kit.ctx, kit.catalogue, admin, profile.id, { name: 'autre' })).rejects.toMatchObject({ code: 'BOOT_PROFILE_NAME_TAKEN' });
    await expect(updateProfile(kit.ctx, kit.catalogue, admin, 999, { name: 'x' })).rejects.toMatchObject({ code: 'BOOT_PROFILE_NOT_FOUND', category: 'not_found' });
    expect((await getProfile(kit.ctx, profile.id)).name).toBe('Kiosque');
  });
});

describe('deleteProfile', () => {
  it('is refused while the profile is the default, or used by a group or a station', async () => {
    const profile = await create();
    await setDefaultProfile(kit.ctx, admin, profile.id);
    await expect(deleteProfile(kit.ctx, admin, profile.id)).rejects.toMatchObject({ code: 'BOOT_PROFILE_IN_USE', details: { isDefault: true, groups: 0, stations: 0 } });
    await setDefaultProfile(kit.ctx, admin, null);
    const group = await createGroup(kit.ctx, admin, { name: 'Salle 1', profileId: profile.id });
    const station = await createStation(kit.ctx, admin, { name: 'Poste 1', mac: '52:54:00:00:00:01' });
    await setStationBoot(kit.ctx, admin, station.id, { profileId: profile.id });
    await expect(deleteProfile(kit.ctx, admin, profile.id)).rejects.toMatchObject({ code: 'BOOT_PROFILE_IN_USE', details: { isDefault: false, groups: 1, stations: 1 } });
    expect((await getProfile(kit.ctx, profile.id))).toMatchObject({ stationCount: 1, groupCount: 1 });
    void group;
  });

  it('deletes an unused profile, audited', async () => {
    const profile = await create();
    await deleteProfile(kit.ctx, admin, profile.id);
    await expect(getProfile(kit.ctx, profile.id)).rejects.toMatchObject({ code: 'BOOT_PROFILE_NOT_FOUND' });
    expect((await bootAudit(kit.ctx.db)).at(-1)).toMatchObject({ action: 'boot.profile_deleted', target_id: profile.id, metadata: { name: 'Kiosque' } });
    await expect(deleteProfile(kit.ctx, admin, profile.id)).rejects.toMatchObject({ code: 'BOOT_PROFILE_NOT_FOUND' });
  });
});

describe('listProfiles', () => {
  it('pages and sorts', async () => {
    for (const name of ['Bravo', 'alpha', 'Charlie']) await create({ name });
    const page = await listProfiles(kit.ctx, { pageSize: 2, sort: 'name', order: 'desc' });
    expect(page).toMatchObject({ total: 3, page: 1, pageSize: 2 });
    expect(page.items.map((p) => p.name)).toEqual(['Charlie', 'Bravo']);
    await expect(listProfiles(kit.ctx, { sort: 'size' as 'name' })).rejects.toMatchObject({ code: 'BOOT_SORT_INVALID' });
  });
});
