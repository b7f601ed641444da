import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootTestKit, imageFiles, type BootTestKit } from './boot-test-kit.ts';

let kit: BootTestKit;
beforeEach(async () => {
  kit = await bootTestKit();
});
afterEach(async () => {
  await kit.close();
});

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('ImageCatalogue.seal', () => {
  it('writes manifest.json with the size and SHA-256 of every file', async () => {
    await kit.image('debian-kiosk', '2026.03.1', { seal: false });
    const manifest = await kit.catalogue.seal('debian-kiosk', '2026.03.1', kit.ctx.clock.now());
    const files = imageFiles('debian-kiosk', '2026.03.1');
    expect(manifest).toEqual({
      format: 1,
      name: 'debian-kiosk',
      version: '2026.03.1',
      sealedAt: new Date(kit.ctx.clock.now()).toISOString(),
      files: Object.fromEntries(Object.entries(files).map(([f, c]) => [f, { size: Buffer.byteLength(c), sha256: sha(c) }])),
    });
    expect(JSON.parse(readFileSync(join(kit.root, 'debian-kiosk', '2026.03.1', 'manifest.json'), 'utf8'))).toEqual(manifest);
    expect(await kit.catalogue.readManifest('debian-kiosk', '2026.03.1')).toEqual(manifest);
  });

  it('leaves out hidden files, sub-folders and symlinks', async () => {
    await kit.image('img', '1', { seal: false, extra: { '.partial': 'x' } });
    mkdirSync(join(kit.root, 'img', '1', 'sub'));
    symlinkSync('/etc/hostname', join(kit.root, 'img', '1', 'link'));
    const manifest = await kit.catalogue.seal('img', '1', 0);
    expect(Object.keys(manifest.files).sort()).toEqual(['filesystem.squashfs', 'initrd.img', 'vmlinuz']);
  });

  it('refuses to seal twice, an empty folder, and a version that does not exist', async () => {
    await kit.image('img', '1');
    await expect(kit.catalogue.seal('img', '1', 0)).rejects.toMatchObject({ code: 'BOOT_IMAGE_ALREADY_SEALED', category: 'conflict' });
    mkdirSync(join(kit.root, 'img', 'empty'));
    await expect(kit.catalogue.seal('img', 'empty', 0)).rejects.toMatchObject({ code: 'BOOT_IMAGE_EMPTY' });
    await expect(kit.catalogue.seal('img', '2', 0)).rejects.toMatchObject({ code: 'BOOT_IMAGE_NOT_FOUND', category: 'not_found' });
  });

  it('refuses names that are not one plain path segment', async () => {
    for (const [name, version] of [['..', '1'], ['img', '..'], ['a/b', '1'], ['img', '1/../../x'], ['.hidden', '1'], ['Upper', '1'], ['img', '']]) {
      await expect(kit.catalogue.seal(name!, version!, 0)).rejects.toMatchObject({ code: 'BOOT_NAME_INVALID', category: 'invalid' });
    }
  });
});

describe('ImageCatalogue.readManifest and list', () => {
  it('tells sealed, unsealed and unreadable versions apart, in version order', async () => {
    await kit.image('img', '10');
    await kit.image('img', '9', { seal: false });
    await kit.image('img', '2', { seal: false });
    writeFileSync(join(kit.root, 'img', '2', 'manifest.json'), '{"format":1}');
    mkdirSync(join(kit.root, 'not a name'));
    expect((await kit.catalogue.list()).map((e) => [e.version, e.manifest.state])).toEqual([
      ['2', 'invalid'],
      ['9', 'unsealed'],
      ['10', 'sealed'],
    ]);
    await expect(kit.catalogue.readManifest('img', '9')).rejects.toMatchObject({ code: 'BOOT_IMAGE_NOT_SEALED' });
    await expect(kit.catalogue.readManifest('img', '2')).rejects.toMatchObject({ code: 'BOOT_IMAGE_MANIFEST_INVALID' });
    await expect(kit.catalogue.readManifest('img', '11')).rejects.toMatchObject({ code: 'BOOT_IMAGE_NOT_FOUND' });
  });

  it('refuses a manifest copied from another version', async () => {
    await kit.image('img', '1');
    await kit.image('img', '2', { seal: false });
    writeFileSync(join(kit.root, 'img', '2', 'manifest.json'), readFileSync(join(kit.root, 'img', '1', 'manifest.json')));
    expect(await kit.catalogue.manifestState('img', '2')).toEqual({ state: 'invalid', reason: 'names img 1, folder img 2' });
  });

  it('lists nothing when the catalogue folder does not exist yet', async () => {
    const { ImageCatalogue } = await import('./image-catalogue.ts');
    expect(await new ImageCatalogue(join(kit.root, 'missing')).list()).toEqual([]);
  });
});

describe('ImageCatalogue.verify', () => {
  it('reports each file ok, changed, resized or missing, and files the manifest does not list', async () => {
    await kit.image('img', '1');
    expect((await kit.catalogue.verify('img', '1')).ok).toBe(true);
    const dir = join(kit.root, 'img', '1');
    writeFileSync(join(dir, 'vmlinuz'), 'kernel of img 2\n'); // same length, other bytes
    writeFileSync(join(dir, 'initrd.img'), 'short');
    writeFileSync(join(dir, 'extra.txt'), 'x');
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'filesystem.squashfs'));
    const check = await kit.catalogue.verify('img', '1');
    expect(check.ok).toBe(false);
    expect(check.files.map((f) => [f.name, f.status])).toEqual([
      ['filesystem.squashfs', 'missing'],
      ['initrd.img', 'size_mismatch'],
      ['vmlinuz', 'hash_mismatch'],
    ]);
    expect(check.unlisted).toEqual(['extra.txt']);
  });
});

describe('ImageCatalogue.resolveFile', () => {
  it('gives the real path of a file inside the catalogue', async () => {
    await kit.image('img', '1');
    expect(await kit.catalogue.resolveFile('img', '1', 'vmlinuz')).toMatch(/img\/1\/vmlinuz$/);
    expect(await kit.catalogue.resolveFile('img', '1', 'manifest.json')).toMatch(/manifest\.json$/);
  });

  it('refuses traversal, absolute names, folders, missing files and symlinks out of the catalogue', async () => {
    await kit.image('img', '1');
    symlinkSync('/etc/passwd', join(kit.root, 'img', '1', 'passwd'));
    symlinkSync('/etc', join(kit.root, 'img', '2'));
    mkdirSync(join(kit.root, 'img', '1', 'dir'));
    for (const [name, version, file] of [
      ['img', '1', '../../../etc/passwd'],
      ['img', '..', 'passwd'],
      ['..', '..', 'etc'],
      ['img', '1', '/etc/passwd'],
      ['img', '1', 'passwd'],
      ['img', '2', 'passwd'],
      ['img', '1', 'dir'],
      ['img', '1', 'nope'],
      ['img', '1', '.manifest.json.tmp'],
    ]) {
      expect(await kit.catalogue.resolveFile(name!, version!, file!), `${name}/${version}/${file}`).toBeNull();
    }
  });
});

describe('ImageCatalogue.detach', () => {
  it('moves a version aside, then restores or purges it', async () => {
    await kit.image('img', '1');
    const first = await kit.catalogue.detach('img', '1');
    expect(await kit.catalogue.manifestState('img', '1')).toBeNull();
    await first.restore();
    expect((await kit.catalogue.manifestState('img', '1'))?.state).toBe('sealed');
    const second = await kit.catalogue.detach('img', '1');
    await second.purge();
    expect(existsSync(join(kit.root, 'img'))).toBe(false);
    await expect(kit.catalogue.detach('img', '1')).rejects.toMatchObject({ code: 'BOOT_IMAGE_NOT_FOUND' });
  });
});
