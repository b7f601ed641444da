import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { assertPhotoKey, isValidPhotoKey, PhotoKeyError, type PhotoStore, type StoredPhotoEntry } from './photo-store.ts';

const TEMP_PREFIX = '.tmp-';

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT';
}

/**
 * Photos as files in one directory (e.g. `<dataDir>/photos`), mode 0600 in a
 * 0700 directory. A write goes to a temp file that is flushed, then renamed
 * over the final name (rename is atomic within a file system), then the
 * directory is flushed so the new name survives a power cut.
 */
export class FsPhotoStore implements PhotoStore {
  private readonly dir: string;
  private ready: Promise<void> | undefined;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  private ensureDir(): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true, mode: 0o700 }).then(() => undefined);
    return this.ready;
  }

  /** The file of a key; refuses anything that is not one of our keys or resolves elsewhere. */
  private pathOf(key: string): string {
    assertPhotoKey(key);
    const path = resolve(this.dir, key);
    if (!path.startsWith(this.dir + sep)) throw new PhotoKeyError(key);
    return path;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const final = this.pathOf(key);
    await this.ensureDir();
    const temp = join(this.dir, `${TEMP_PREFIX}${key}-${randomBytes(6).toString('hex')}`);
    try {
      const file = await open(temp, 'wx', 0o600);
      try {
        await file.writeFile(bytes);
        await file.datasync();
      } finally {
        await file.close();
      }
      await rename(temp, final);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await this.syncDir();
  }

  private async syncDir(): Promise<void> {
    const handle = await open(this.dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const path = this.pathOf(key);
    try {
      return new Uint8Array(await readFile(path));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await unlink(path);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  /** Stored keys; temp files of interrupted writes are not photos and are not listed. */
  async list(): Promise<StoredPhotoEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const entries: StoredPhotoEntry[] = [];
    for (const key of names.filter(isValidPhotoKey)) {
      const info = await stat(join(this.dir, key)).catch(() => undefined);
      if (info !== undefined) entries.push({ key, storedAt: info.mtimeMs });
    }
    return entries;
  }
}
