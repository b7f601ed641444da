import { describe, expect, it } from 'vitest';
import { buildPng } from './image-fixtures.ts';
import { PhotoStoreNotConfiguredError, UnconfiguredPhotoStore } from './unconfigured-photo-store.ts';
import { getPhoto, setPhoto } from './user-photo-service.ts';
import { createUser } from './users-service.ts';
import { errorOf, usersKit, visitorInput } from './users-test-kit.ts';

describe('UnconfiguredPhotoStore', () => {
  it('fails every operation', async () => {
    const store = new UnconfiguredPhotoStore();
    await expect(store.put()).rejects.toBeInstanceOf(PhotoStoreNotConfiguredError);
    await expect(store.get()).rejects.toBeInstanceOf(PhotoStoreNotConfiguredError);
    await expect(store.delete()).rejects.toBeInstanceOf(PhotoStoreNotConfiguredError);
    await expect(store.list()).rejects.toBeInstanceOf(PhotoStoreNotConfiguredError);
  });

  it('makes photo services answer a storage failure and store nothing', async () => {
    const k = await usersKit({ photos: new UnconfiguredPhotoStore() });
    const user = await createUser(k.ctx, k.actor, visitorInput());
    expect(await errorOf(() => setPhoto(k.ctx, k.actor, user.id, buildPng()))).toMatchObject({ code: 'USER_PHOTO_STORAGE_FAILURE', category: 'unavailable' });
    expect(await errorOf(() => getPhoto(k.ctx, user.id))).toMatchObject({ code: 'PHOTO_NOT_FOUND' });
    const row = await k.db.selectFrom('users').select('photo_key').where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(row.photo_key).toBeNull();
  });
});
