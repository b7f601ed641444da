import type { PhotoStore, StoredPhotoEntry } from './photo-store.ts';

/** The error every operation of UnconfiguredPhotoStore throws. */
export class PhotoStoreNotConfiguredError extends Error {
  readonly code = 'PHOTO_STORE_NOT_CONFIGURED';
  constructor() {
    super('no photo store was configured for this process');
  }
}

/**
 * Stands in when no photo store was handed to the API: every operation fails,
 * so the services answer USER_PHOTO_STORAGE_FAILURE (503) instead of keeping
 * photos in memory, where they would vanish at the next restart.
 */
export class UnconfiguredPhotoStore implements PhotoStore {
  async put(): Promise<void> {
    throw new PhotoStoreNotConfiguredError();
  }

  async get(): Promise<Uint8Array | undefined> {
    throw new PhotoStoreNotConfiguredError();
  }

  async delete(): Promise<void> {
    throw new PhotoStoreNotConfiguredError();
  }

  async list(): Promise<StoredPhotoEntry[]> {
    throw new PhotoStoreNotConfiguredError();
  }
}
