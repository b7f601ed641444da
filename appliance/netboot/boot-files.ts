import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { NetbootLogger } from './dhcp/logger.ts';
import { NetbootConfigError } from './netboot-settings.ts';

/** A boot file name as DHCP hands it out: relative, plain segments, no `..`. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*(\/[A-Za-z0-9][A-Za-z0-9._+-]*)*$/;

export interface StagedBootFiles {
  /** The directory TFTP serves: only the files below. */
  dir: string;
  staged: string[];
  /** Configured but absent from the source (stations asking for them get "file not found"). */
  missing: string[];
}

/**
 * Copies the boot files the DHCP policy can name (BIOS, UEFI, per-MAC) from the source
 * directory (Debian's /usr/lib/ipxe by default) into a directory the box owns, which is
 * what TFTP serves. Two reasons: Debian ships `ipxe.efi` there as a symlink to
 * /boot/ipxe.efi, which the TFTP server rightly refuses to follow out of its root; and
 * stations can then fetch nothing but the files the policy hands out. The source is the
 * admin's choice, so its symlinks are followed here. Each copy lands under a temporary
 * name and is renamed into place; files no longer configured are removed.
 */
export async function stageBootFiles(sourceRoot: string, names: Iterable<string>, dir: string, logger: NetbootLogger): Promise<StagedBootFiles> {
  const wanted = [...new Set(names)];
  const bad = wanted.find((name) => !NAME.test(name) || name.split('/').includes('..'));
  if (bad !== undefined) throw new NetbootConfigError(`config: netboot boot file "${bad}" must be a relative path without ".."`);
  const root = await stat(sourceRoot).catch(() => undefined);
  if (!root?.isDirectory()) throw new NetbootConfigError(`config: netboot.tftp.root ${sourceRoot} is not a directory (apt-get install ipxe, or set the key)`);
  await mkdir(dir, { recursive: true });
  const staged: string[] = [];
  const missing: string[] = [];
  for (const name of wanted) {
    const source = join(resolve(sourceRoot), name);
    const info = await stat(source).catch(() => undefined);
    if (info === undefined || !info.isFile()) {
      missing.push(name);
      logger.warn({ file: name, root: sourceRoot }, 'netboot: boot file missing (apt-get install ipxe, or set netboot.tftp.root)');
      continue;
    }
    const target = join(dir, name);
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}.staging-${process.pid}`;
    await copyFile(source, temp);
    await rename(temp, target);
    staged.push(name);
  }
  await removeUnlisted(dir, new Set(staged.map((name) => name.split('/')[0]!)));
  logger.info({ dir, files: staged }, 'netboot: boot files staged for TFTP');
  return { dir, staged, missing };
}

/** Top-level entries of the staging directory that no configured file lives under. */
async function removeUnlisted(dir: string, keep: Set<string>): Promise<void> {
  for (const entry of await readdir(dir)) {
    if (!keep.has(entry)) await rm(join(dir, entry), { recursive: true, force: true });
  }
}
