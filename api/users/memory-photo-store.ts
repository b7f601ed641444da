import { systemClock, type Clock } from '../shared/clock.ts';
import { assertPhotoKey, type PhotoStore, type StoredPhotoEntry } from './photo-store.ts';

export type PhotoStoreOperation = 'put' | 'get' | 'delete' | 'list';

/** A simulated failure of the photo storage, shaped like a file-system error. */
export class SimulatedPhotoStoreError extends Error {
  readonly code = 'EIO';
  constructor(operation: PhotoStoreOperation) {
    super(`simulated photo store failure: ${operation}`);
  }
}

/**
 * In-memory photo store for tests and demos. `failOn` turns chosen
 * operations into failures, so the service's error paths can be shown.
 */
export class MemoryPhotoStore implements PhotoStore {
  readonly failOn = new Set<PhotoStoreOperation>();
  private readonly photos = new Map<string, { bytes: Uint8Array; storedAt: number }>();

  constructor(private readonly clock: Clock = systemClock) {}

  private check(operation: PhotoStoreOperation): void {
    if (this.failOn.has(operation)) throw new SimulatedPhotoStoreError(operation);
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    assertPhotoKey(key);
    this.check('put');
    this.photos.set(key, { bytes: Uint8Array.from(bytes), storedAt: this.clock.now() });
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    assertPhotoKey(key);
    this.check('get');
    const entry = this.photos.get(key);
    return entry === undefined ? undefined : Uint8Array.from(entry.bytes);
  }

  async delete(key: string): Promise<void> {
    assertPhotoKey(key);
    this.check('delete');
    this.photos.delete(key);
  }

  async list(): Promise<StoredPhotoEntry[]> {
    this.check('list');
    return [...this.photos].map(([key, e]) => ({ key, storedAt: e.storedAt }));
  }

  /** Number of stored photos (tests check nothing is orphaned). */
  get size(): number {
    return this.photos.size;
  }
}
