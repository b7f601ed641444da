import { randomBytes } from 'node:crypto';
import { type Dirent } from 'node:fs';
import { link, lstat, readFile, readdir, realpath, rename, rm, rmdir, unlink, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { bootErrors } from './boot-errors.ts';
import { digestFile } from './file-digest.ts';
import { type ImageManifest, manifestText, parseManifest } from './image-manifest.ts';
import { MANIFEST_FILE, checkImageName, checkImageVersion, isImageFileName, isImageName, isImageVersion } from './image-names.ts';

export type ManifestState = { state: 'sealed'; manifest: ImageManifest } | { state: 'unsealed' } | { state: 'invalid'; reason: string };

export interface CatalogueEntry {
  name: string;
  version: string;
  manifest: ManifestState;
}

export type FileCheckStatus = 'ok' | 'missing' | 'size_mismatch' | 'hash_mismatch';

export interface ImageCheck {
  ok: boolean;
  files: Array<{ name: string; expectedSize: number; expectedSha256: string; size: number | null; sha256: string | null; status: FileCheckStatus }>;
  /** Regular files in the folder that the manifest does not list (never served). */
  unlisted: string[];
}

const isMissing = (error: unknown) => ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

/** Runs a file-system step; anything but "absent" becomes BOOT_CATALOGUE_UNAVAILABLE. */
async function fsStep<T>(work: () => Promise<T>, whenMissing: () => T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isMissing(error)) return whenMissing();
    throw bootErrors.catalogueUnavailable(error);
  }
}

const byVersion = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/**
 * The image catalogue on disk: `<root>/<name>/<version>/{files…, manifest.json}`.
 * Every name is checked (image-names.ts) before a path is built, and files are
 * served only after realpath() shows them inside the root, so neither `../`
 * nor a symlink leads out of it.
 */
export class ImageCatalogue {
  constructor(readonly root: string) {}

  versionDir(name: string, version: string): string {
    return join(this.root, checkImageName(name, 'name'), checkImageVersion(version));
  }

  /** The manifest state of a version; null when the version folder does not exist. */
  async manifestState(name: string, version: string): Promise<ManifestState | null> {
    const dir = this.versionDir(name, version);
    const isDir = await fsStep(async () => (await lstat(dir)).isDirectory(), () => false);
    if (!isDir) return null;
    const text = await fsStep(() => readFile(join(dir, MANIFEST_FILE), 'utf8'), () => null);
    if (text === null) return { state: 'unsealed' };
    const parsed = parseManifest(text, { name, version });
    return 'manifest' in parsed ? { state: 'sealed', manifest: parsed.manifest } : { state: 'invalid', reason: parsed.invalid };
  }

  /** The manifest of a sealed version, or BOOT_IMAGE_NOT_FOUND / _NOT_SEALED / _MANIFEST_INVALID. */
  async readManifest(name: string, version: string): Promise<ImageManifest> {
    const state = await this.manifestState(name, version);
    if (state === null) throw bootErrors.imageNotFound(name, version);
    if (state.state === 'unsealed') throw bootErrors.notSealed(name, version);
    if (state.state === 'invalid') throw bootErrors.manifestInvalid(name, version, state.reason);
    return state.manifest;
  }

  async list(): Promise<CatalogueEntry[]> {
    const entries: CatalogueEntry[] = [];
    for (const name of (await this.subdirs(this.root)).filter(isImageName).sort()) {
      const versions = (await this.subdirs(join(this.root, name))).filter(isImageVersion).sort(byVersion);
      for (const version of versions) {
        const manifest = await this.manifestState(name, version);
        if (manifest !== null) entries.push({ name, version, manifest });
      }
    }
    return entries;
  }

  private async subdirs(dir: string): Promise<string[]> {
    const entries = await fsStep(() => readdir(dir, { withFileTypes: true }), () => [] as Dirent[]);
    return entries.filter((e) => e.isDirectory()).map((e) => e.name);
  }

  /** Regular files of a version folder that could be listed in a manifest (no hidden files, no symlinks). */
  private async payloadFiles(dir: string): Promise<string[]> {
    const entries = await fsStep(() => readdir(dir, { withFileTypes: true }), () => [] as Dirent[]);
    return entries.filter((e) => e.isFile() && e.name !== MANIFEST_FILE && isImageFileName(e.name)).map((e) => e.name).sort();
  }

  /**
   * Writes the manifest of a version from the files present (sizes, SHA-256).
   * The manifest appears atomically (written aside, then hard-linked into
   * place, which fails if another seal won the race).
   */
  async seal(name: string, version: string, sealedAt: number): Promise<ImageManifest> {
    const state = await this.manifestState(name, version);
    if (state === null) throw bootErrors.imageNotFound(name, version);
    if (state.state !== 'unsealed') throw bootErrors.alreadySealed(name, version);
    const dir = this.versionDir(name, version);
    const files = await this.payloadFiles(dir);
    if (files.length === 0) throw bootErrors.emptyImage(name, version);
    const manifest: ImageManifest = { format: 1, name, version, sealedAt: new Date(sealedAt).toISOString(), files: {} };
    for (const file of files) manifest.files[file] = await fsStep(() => digestFile(join(dir, file)), () => { throw bootErrors.fileNotFound(file); });
    const temp = join(dir, `.${MANIFEST_FILE}.${randomBytes(6).toString('hex')}`);
    try {
      await writeFile(temp, manifestText(manifest), { flag: 'wx', mode: 0o644 });
      await link(temp, join(dir, MANIFEST_FILE));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw bootErrors.alreadySealed(name, version);
      throw bootErrors.catalogueUnavailable(error);
    } finally {
      await unlink(temp).catch(() => undefined);
    }
    return manifest;
  }

  /** Recomputes sizes and SHA-256 of the listed files and compares them with the manifest. */
  async verify(name: string, version: string): Promise<ImageCheck> {
    const manifest = await this.readManifest(name, version);
    const dir = this.versionDir(name, version);
    const files: ImageCheck['files'] = [];
    for (const [file, expected] of Object.entries(manifest.files).sort(([a], [b]) => a.localeCompare(b))) {
      const actual = await fsStep(() => digestFile(join(dir, file)), () => null);
      const status: FileCheckStatus =
        actual === null ? 'missing' : actual.size !== expected.size ? 'size_mismatch' : actual.sha256 !== expected.sha256 ? 'hash_mismatch' : 'ok';
      files.push({ name: file, expectedSize: expected.size, expectedSha256: expected.sha256, size: actual?.size ?? null, sha256: actual?.sha256 ?? null, status });
    }
    const unlisted = (await this.payloadFiles(dir)).filter((file) => !(file in manifest.files));
    return { ok: files.every((f) => f.status === 'ok'), files, unlisted };
  }

  /**
   * First half of a deletion: the version folder is renamed aside (atomic, so
   * no request sees it half-deleted). The caller then records the deletion and
   * either purges the folder or restores it if recording failed.
   */
  async detach(name: string, version: string): Promise<{ purge(): Promise<void>; restore(): Promise<void> }> {
    const dir = this.versionDir(name, version);
    if ((await this.manifestState(name, version)) === null) throw bootErrors.imageNotFound(name, version);
    const aside = join(this.root, name, `.deleting-${version}-${randomBytes(4).toString('hex')}`);
    await fsStep(() => rename(dir, aside), () => { throw bootErrors.imageNotFound(name, version); });
    return {
      purge: async () => {
        await fsStep(() => rm(aside, { recursive: true, force: true }), () => undefined);
        await rmdir(join(this.root, name)).catch(() => undefined);
      },
      restore: () => fsStep(() => rename(aside, dir), () => undefined),
    };
  }

  /**
   * Absolute path of a file of a version, or null when it does not exist, is
   * not a regular file, or resolves (through symlinks) outside the catalogue.
   */
  async resolveFile(name: string, version: string, file: string): Promise<string | null> {
    if (!isImageName(name) || !isImageVersion(version) || !(isImageFileName(file) || file === MANIFEST_FILE)) return null;
    const real = await fsStep(() => realpath(join(this.root, name, version, file)), () => null);
    const rootReal = await fsStep(() => realpath(this.root), () => null);
    if (real === null || rootReal === null || !real.startsWith(rootReal + sep)) return null;
    const isFile = await fsStep(async () => (await lstat(real)).isFile(), () => false);
    return isFile ? real : null;
  }
}
