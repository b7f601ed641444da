import { bootErrors } from './boot-errors.ts';
import type { ImageCatalogue } from './image-catalogue.ts';
import type { ImageManifest } from './image-manifest.ts';
import { checkImageFileName, checkImageName, checkImageVersion } from './image-names.ts';

export interface ProfileFiles {
  kernel: string;
  initrd: string;
  squashfs: string;
}

/**
 * The manifest of a sealed version that holds the profile's three files, or a
 * clear error: a profile never points at a version it could not boot.
 */
export async function requireBootableImage(catalogue: ImageCatalogue, name: string, version: string, files: ProfileFiles): Promise<ImageManifest> {
  checkImageName(name);
  checkImageVersion(version);
  checkImageFileName(files.kernel, 'kernel');
  checkImageFileName(files.initrd, 'initrd');
  checkImageFileName(files.squashfs, 'squashfs');
  const manifest = await catalogue.readManifest(name, version);
  const missing = [files.kernel, files.initrd, files.squashfs].filter((file) => !Object.hasOwn(manifest.files, file));
  if (missing.length > 0) throw bootErrors.fileNotInImage(name, version, missing);
  return manifest;
}
