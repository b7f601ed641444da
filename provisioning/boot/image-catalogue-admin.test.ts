import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failingWhen, insertInto } from '../../api/testing/broken-db.ts';
import { createProfile } from './boot-profiles-service.ts';
import { admin, bootAudit, bootTestKit, type BootTestKit } from './boot-test-kit.ts';
import { switchVersion } from './boot-version-switch.ts';
import { deleteImage, getImage, listImages, sealImage, verifyImage } from './image-catalogue-admin.ts';

let kit: BootTestKit;
beforeEach(async () => {
  kit = await bootTestKit();
  await kit.image('img', '1');
  await kit.image('img', '2');
  await kit.image('img', '3', { seal: false });
});
afterEach(async () => {
  await kit.close();
});

describe('catalogue administration', () => {
  it('lists versions with their state, files and the profiles using them', async () => {
    const profile = await createProfile(kit.ctx, kit.catalogue, admin, { name: 'Kiosque', imageName: 'img', imageVersion: '1' });
    await switchVersion(kit.ctx, kit.catalogue, admin, profile.id, '2');
    const page = await listImages(kit.ctx, kit.catalogue, {});
    expect(page).toMatchObject({ total: 3, page: 1, pageSize: 50 });
    expect(page.items.map((i) => [i.version, i.state, i.usedBy])).toEqual([
      ['1', 'sealed', [{ profileId: profile.id, profileName: 'Kiosque', as: 'previous' }]],
      ['2', 'sealed', [{ profileId: profile.id, profileName: 'Kiosque', as: 'current' }]],
      ['3', 'unsealed', []],
    ]);
    const one = await getImage(kit.ctx, kit.catalogue, 'img', '1');
    expect(one).toMatchObject({ state: 'sealed', invalidReason: null, sealedAt: kit.ctx.clock.now() });
    expect(one.files.map((f) => f.name)).toEqual(['filesystem.squashfs', 'initrd.img', 'vmlinuz']);
    expect(one.totalBytes).toBe(one.files.reduce((s, f) => s + f.size, 0));
    await expect(getImage(kit.ctx, kit.catalogue, 'img', '9')).rejects.toMatchObject({ code: 'BOOT_IMAGE_NOT_FOUND' });
  });

  it('seals a version, audited; the manifest is withdrawn if the audit cannot be written', async () => {
    const failing = { ...kit.ctx, db: failingWhen(kit.ctx.db, insertInto('audit_events')) };
    await expect(sealImage(failing, kit.catalogue, admin, 'img', '3')).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect(existsSync(join(kit.root, 'img', '3', 'manifest.json'))).toBe(false);
    expect(await sealImage(kit.ctx, kit.catalogue, admin, 'img', '3')).toMatchObject({ state: 'sealed' });
    expect((await bootAudit(kit.ctx.db)).at(-1)).toMatchObject({ action: 'boot.image_sealed', target_type: 'boot_image', metadata: { name: 'img', version: '3' } });
  });

  it('verifies a version against its manifest', async () => {
    expect(await verifyImage(kit.catalogue, 'img', '1')).toMatchObject({ name: 'img', version: '1', ok: true, unlisted: [] });
    await expect(verifyImage(kit.catalogue, 'img', '3')).rejects.toMatchObject({ code: 'BOOT_IMAGE_NOT_SEALED' });
  });

  it('refuses to delete a version a profile uses as current or rollback version', async () => {
    const profile = await createProfile(kit.ctx, kit.catalogue, admin, { name: 'Kiosque', imageName: 'img', imageVersion: '1' });
    await switchVersion(kit.ctx, kit.catalogue, admin, profile.id, '2');
    for (const version of ['1', '2']) {
      await expect(deleteImage(kit.ctx, kit.catalogue, admin, 'img', version)).rejects.toMatchObject({ code: 'BOOT_IMAGE_IN_USE', details: { profiles: ['Kiosque'] } });
      expect(existsSync(join(kit.root, 'img', version))).toBe(true);
    }
  });

  it('deletes an unused version, audited; restores it if the audit cannot be written', async () => {
    const failing = { ...kit.ctx, db: failingWhen(kit.ctx.db, insertInto('audit_events')) };
    await expect(deleteImage(failing, kit.catalogue, admin, 'img', '3')).rejects.toMatchObject({ code: 'STORAGE_FAILURE' });
    expect(existsSync(join(kit.root, 'img', '3', 'vmlinuz'))).toBe(true);
    await deleteImage(kit.ctx, kit.catalogue, admin, 'img', '3');
    expect(existsSync(join(kit.root, 'img', '3'))).toBe(false);
    expect((await bootAudit(kit.ctx.db)).at(-1)).toMatchObject({ action: 'boot.image_deleted', metadata: { name: 'img', version: '3', state: 'unsealed' } });
    await expect(deleteImage(kit.ctx, kit.catalogue, admin, 'img', '3')).rejects.toMatchObject({ code: 'BOOT_IMAGE_NOT_FOUND' });
  });
});
