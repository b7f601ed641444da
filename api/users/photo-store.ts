import { randomBytes } from 'node:crypto';

/** One stored photo, as a sweep of orphans sees it. */
export interface StoredPhotoEntry {
  key: string;
  /** Epoch ms when the bytes were written. */
  storedAt: number;
}

/**
 * Where ID photos live: outside the database, addressed by opaque random
 * keys (never derived from a name or an upload's file name).
 */
export interface PhotoStore {
  /** Writes all the bytes or nothing (a reader never sees a partial photo). */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /** The bytes, or undefined when no photo has this key. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Removes the photo; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Every stored key (for the orphan sweep). */
  list(): Promise<StoredPhotoEntry[]>;
}

const KEY_RE = /^[0-9a-f]{32}$/;

/** 128 random bits in hex: unguessable, and safe as a file name. */
export function newPhotoKey(): string {
  return randomBytes(16).toString('hex');
}

export function isValidPhotoKey(key: string): boolean {
  return KEY_RE.test(key);
}

export class PhotoKeyError extends Error {
  constructor(key: string) {
    super(`refused photo key ${JSON.stringify(key.slice(0, 80))}`);
    this.name = 'PhotoKeyError';
  }
}

/** Stores call this first: a key that is not ours could name a path outside the store. */
export function assertPhotoKey(key: string): void {
  if (!isValidPhotoKey(key)) throw new PhotoKeyError(key);
}
