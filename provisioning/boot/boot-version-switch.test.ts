import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStation } from '../../api/stations/stations-service.ts';
import { failingWhen, insertInto } from '../../api/testing/broken-db.ts';
import { createProfile, getProfile } from './boot-profiles-service.ts';
import { resolveStationProfile } from './boot-resolution.ts';
import { bootDb } from './boot-tables.ts';
import { admin, bootAudit, bootTestKit, type BootTestKit } from './boot-test-kit.ts';
import { getDefaultProfile, rollback, setDefaultProfile, switchVersion } from './boot-version-switch.ts';

let kit: BootTestKit;
let profileId: number;
beforeEach(async () => {
  kit = await bootTestKit();
  await kit.image('debian-kiosk', '1.0');
  await kit.image('debian-kiosk', '1.1');
  profileId = (await createProfile(kit.ctx, kit.catalogue, admin, { name: 'Kiosque', imageName: 'debian-kiosk', imageVersion: '1.0' })).id;
});
afterEach(async () => {
  await kit.close();
});

const versionRow = () => bootDb(kit.ctx.db).selectFrom('boot_profiles').select(['image_version', 'previous_version']).where('id', '=', profileId).executeTakeFirstOrThrow();

describe('switchVersion', () => {
  it('moves every station of the profile to the new version in one update, keeping the old one for rollback', async () => {
    await setDefaultProfile(kit.ctx, admin, profileId);
    const ids = [];
    for (let i = 1; i <= 3; i++) ids.push((await createStation(kit.ctx, admin, { name: `Poste ${i}`, mac: `52:54:00:00:00:0${i}` })).id);
    const view = await switchVersion(kit.ctx, kit.catalogue, admin, profileId, '1.1');
    expect(view).toMatchObject({ imageVersion: '1.1', previousVersion: '1.0' });
    expect(await versionRow()).toEqual({ image_version: '1.1', previous_version: '1.0' });
    for (const id of ids) expect((await resolveStationProfile(bootDb(kit.ctx.db), id))?.profile.image_version).toBe('1.1');
    expect((await bootAudit(kit.ctx.db)).at(-1)).toEqual({
      action: 'boot.profile_switched',
      target_type: 'boot_profile',
      target_id: profileId,
      metadata: { name: 'Kiosque', image: 'debian-kiosk', from: '1.0', to: '1.1' },
    });
  });

  it('refuses the version in use, a version without the profile files, and an unsealed or unknown one', async () => {
    await expect(switchVersion(kit.ctx, kit.catalogue, admin, profileId, '1.0')).rejects.toMatchObject({ code: 'BOOT_SAME_VERSION', category: 'conflict' });
    await kit.image('debian-kiosk', '2.0', { seal: false });
    await expect(switchVersion(kit.ctx, kit.catalogue, admin, profileId, '2.0')).rejects.toMatchObject({ code: 'BOOT_IMAGE_NOT_SEALED' });
    await expect(switchVersion(kit.ctx, kit.catalogue, admin, profileId, '3.0')).rejects.toMatchObject({ code: 'BOOT_IMAGE_NOT_FOUND' });
    await expect(switchVersion(kit.ctx, kit.catalogue, admin, profileId, '../1.1')).rejects.toMatchObject({ code: 'BOOT_NAME_INVALID' });
    await expect(switchVersion(kit.ctx, kit.catalogue, admin, 999, '1.1')).rejects.toMatchObject({ code: 'BOOT_PROFILE_NOT_FOUND' });
    expect(await versionRow()).toEqual({ image_version: '1.0', previous_version: null });
  });

  it('keeps the old version when the audit cannot be written', async () => {
    const failing = { ...kit.ctx, db: failingWhen(kit.ctx.db, insertInto('audit_events')) };
    await expect(switchVersion(failing, kit.catalogue, admin, profileId, '1.1')).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect(await versionRow()).toEqual({ image_version: '1.0', previous_version: null });
  });
});

describe('rollback', () => {
  it('returns to the previous version in one call, and a second call re-applies the newer one', async () => {
    await switchVersion(kit.ctx, kit.catalogue, admin, profileId, '1.1');
    expect(await rollback(kit.ctx, kit.catalogue, admin, profileId)).toMatchObject({ imageVersion: '1.0', previousVersion: '1.1' });
    expect(await rollback(kit.ctx, kit.catalogue, admin, profileId)).toMatchObject({ imageVersion: '1.1', previousVersion: '1.0' });
    expect((await bootAudit(kit.ctx.db)).filter((e) => e.action === 'boot.profile_rolled_back').map((e) => e.metadata)).toEqual([
      { name: 'Kiosque', image: 'debian-kiosk', from: '1.1', to: '1.0' },
      { name: 'Kiosque', image: 'debian-kiosk', from: '1.0', to: '1.1' },
    ]);
  });

  it('is refused before any switch, and when the previous version is gone from the catalogue', async () => {
    await expect(rollback(kit.ctx, kit.catalogue, admin, profileId)).rejects.toMatchObject({ code: 'BOOT_NO_PREVIOUS_VERSION' });
    await switchVersion(kit.ctx, kit.catalogue, admin, profileId, '1.1');
    await (await kit.catalogue.detach('debian-kiosk', '1.0')).purge();
    await expect(rollback(kit.ctx, kit.catalogue, admin, profileId)).rejects.toMatchObject({ code: 'BOOT_IMAGE_NOT_FOUND' });
    expect((await getProfile(kit.ctx, profileId)).imageVersion).toBe('1.1');
  });
});

describe('default profile', () => {
  it('has at most one default; setting another moves it; null clears it; all audited', async () => {
    const other = await createProfile(kit.ctx, kit.catalogue, admin, { name: 'Autre', imageName: 'debian-kiosk', imageVersion: '1.1' });
    expect(await getDefaultProfile(kit.ctx)).toBeNull();
    await setDefaultProfile(kit.ctx, admin, profileId);
    expect(await setDefaultProfile(kit.ctx, admin, other.id)).toMatchObject({ id: other.id, isDefault: true });
    expect((await getProfile(kit.ctx, profileId)).isDefault).toBe(false);
    await setDefaultProfile(kit.ctx, admin, other.id); // no change, no event
    expect(await setDefaultProfile(kit.ctx, admin, null)).toBeNull();
    expect((await bootAudit(kit.ctx.db)).filter((e) => e.action === 'boot.default_changed').map((e) => e.metadata)).toEqual([
      { from: null, to: { id: profileId, name: 'Kiosque' } },
      { from: { id: profileId, name: 'Kiosque' }, to: { id: other.id, name: 'Autre' } },
      { from: { id: other.id, name: 'Autre' }, to: null },
    ]);
    await expect(setDefaultProfile(kit.ctx, admin, 999)).rejects.toMatchObject({ code: 'BOOT_PROFILE_NOT_FOUND' });
  });
});
