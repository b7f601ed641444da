import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../shared/clock.ts';
import { FsPhotoStore } from './fs-photo-store.ts';
import { MemoryPhotoStore, SimulatedPhotoStoreError } from './memory-photo-store.ts';
import { newPhotoKey, PhotoKeyError, type PhotoStore } from './photo-store.ts';

const root = mkdtempSync(join(tmpdir(), 'epnbox-photos-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `store-${++n}`);

const stores: Array<[string, () => PhotoStore]> = [
  ['memory', () => new MemoryPhotoStore(new FakeClock())],
  ['filesystem', () => new FsPhotoStore(freshDir())],
];

describe.each(stores)('%s photo store contract', (_name, make) => {
  it('puts, gets, lists and deletes by key', async () => {
    const store = make();
    const key = newPhotoKey();
    await store.put(key, Uint8Array.of(1, 2, 3));
    expect(await store.get(key)).toEqual(Uint8Array.of(1, 2, 3));
    expect((await store.list()).map((e) => e.key)).toEqual([key]);
    await store.delete(key);
    expect(await store.get(key)).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });

  it('treats a missing key as absent, and deleting it as done', async () => {
    const store = make();
    expect(await store.get(newPhotoKey())).toBeUndefined();
    await expect(store.delete(newPhotoKey())).resolves.toBeUndefined();
  });

  it('replaces the bytes of a key on a second put', async () => {
    const store = make();
    const key = newPhotoKey();
    await store.put(key, Uint8Array.of(1));
    await store.put(key, Uint8Array.of(2, 2));
    expect(await store.get(key)).toEqual(Uint8Array.of(2, 2));
  });

  it.each(['../../etc/passwd', '/etc/passwd', 'a/b', '..', '', 'ABCDEF0123456789ABCDEF0123456789', 'photo.jpg', `${'0'.repeat(31)}/`])(
    'refuses the key %j',
    async (key) => {
      const store = make();
      await expect(store.put(key, Uint8Array.of(1))).rejects.toBeInstanceOf(PhotoKeyError);
      await expect(store.get(key)).rejects.toBeInstanceOf(PhotoKeyError);
      await expect(store.delete(key)).rejects.toBeInstanceOf(PhotoKeyError);
    },
  );

  it('makes random, distinct keys', () => {
    const keys = new Set(Array.from({ length: 200 }, newPhotoKey));
    expect(keys.size).toBe(200);
  });
});

describe('filesystem photo store', () => {
  it('writes private files through a temp file and leaves no temp behind', async () => {
    const dir = freshDir();
    const store = new FsPhotoStore(dir);
    const key = newPhotoKey();
    await store.put(key, Buffer.from('photo'));
    expect(readdirSync(dir)).toEqual([key]);
    expect(statSync(join(dir, key)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('does not list temp files of an interrupted write', async () => {
    const dir = freshDir();
    const store = new FsPhotoStore(dir);
    const key = newPhotoKey();
    await store.put(key, Buffer.from('x'));
    writeFileSync(join(dir, `.tmp-${newPhotoKey()}-abc`), 'partial');
    expect((await store.list()).map((e) => e.key)).toEqual([key]);
  });

  it('lists nothing before the directory exists', async () => {
    expect(await new FsPhotoStore(freshDir()).list()).toEqual([]);
  });

  it('fails a put when the directory cannot be made, leaving nothing', async () => {
    const blocker = join(freshDir());
    writeFileSync(blocker, 'not a directory');
    const store = new FsPhotoStore(join(blocker, 'photos'));
    await expect(store.put(newPhotoKey(), Buffer.from('x'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});

describe('memory photo store failures', () => {
  it('fails the chosen operations only', async () => {
    const store = new MemoryPhotoStore(new FakeClock());
    store.failOn.add('put');
    await expect(store.put(newPhotoKey(), Uint8Array.of(1))).rejects.toBeInstanceOf(SimulatedPhotoStoreError);
    expect(store.size).toBe(0);
    expect(await store.list()).toEqual([]);
  });
});
