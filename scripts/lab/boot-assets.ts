import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { cpioNewc } from './cpio-newc.ts';

const exec = promisify(execFile);

/** Repository root; the cache lives in `.lab/cache` (gitignored), so reruns do not download again. */
export const REPO = resolve(import.meta.dirname, '../..');
export const CACHE_DIR = join(REPO, '.lab', 'cache');

async function sh(cmd: string, args: string[], cwd?: string): Promise<string> {
  try {
    const { stdout } = await exec(cmd, args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${(e.stderr || e.message).trim()}`);
  }
}

/** The versioned kernel package behind `linux-image-amd64` (the metapackage holds no vmlinuz). */
export async function kernelPackage(): Promise<string> {
  const out = await sh('apt-cache', ['depends', 'linux-image-amd64']);
  const name = /Depends:\s*(linux-image-[0-9][^\s]*-amd64)/.exec(out)?.[1];
  if (name === undefined) throw new Error('apt-cache knows no linux-image-*-amd64 behind linux-image-amd64: run apt-get update');
  return name;
}

/**
 * Downloads a Debian package (`apt-get download`, no install) and takes one file out of
 * it (`member`, a tar pattern) into `<cache>/<package>/<name>`; a second call finds it there. Written aside and
 * renamed, so a concurrent run never sees half a file.
 */
async function fileFromPackage(pkg: string, member: string, name: string): Promise<string> {
  const target = join(CACHE_DIR, pkg, name);
  if (existsSync(target)) return target;
  await mkdir(join(CACHE_DIR, pkg), { recursive: true });
  const work = await mkdtemp(join(CACHE_DIR, `.${pkg}-`));
  try {
    await sh('apt-get', ['download', '-q', pkg], work);
    const deb = (await readdir(work)).find((f) => f.endsWith('.deb'));
    if (deb === undefined) throw new Error(`apt-get download ${pkg} produced no .deb`);
    // One pass over the archive: only the wanted member is written.
    const listed = await sh('sh', ['-c', `dpkg-deb --fsys-tarfile "${deb}" | tar -x -v --wildcards -C . "${member}"`], work);
    const extracted = listed.split('\n').find((line) => line.trim() !== '')?.trim();
    if (extracted === undefined) throw new Error(`${pkg}: no ${member} in the package`);
    await rename(join(work, extracted), target);
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Debian's current amd64 kernel image (vmlinuz), cached. */
export async function debianKernel(): Promise<string> {
  const pkg = await kernelPackage();
  return fileFromPackage(pkg, './boot/vmlinuz-*', 'vmlinuz');
}

/** A static busybox from Debian's busybox-static (not the host's /bin/busybox), cached. */
export async function staticBusybox(): Promise<string> {
  return fileFromPackage('busybox-static', './bin/busybox', 'busybox');
}

/** The serial console line /init prints before the marker: the kernel command line. */
export const CMDLINE_PREFIX = 'EPNBOX-CMDLINE:';

/**
 * A tiny initramfs: busybox, /dev/console, and an /init that prints the kernel command
 * line and `marker` on the console (ttyS0 with `console=ttyS0`), then powers off —
 * after a shell on the console when `shell` is set (the lab for a person).
 */
export async function markerInitrd(busybox: string, marker: string, options: { shell?: boolean } = {}): Promise<Buffer> {
  const init = [
    '#!/bin/busybox sh',
    '/bin/busybox mount -t proc proc /proc',
    `echo "${CMDLINE_PREFIX} $(/bin/busybox cat /proc/cmdline)"`,
    `echo "${marker}"`,
    ...(options.shell
      ? [
          '/bin/busybox --install -s /bin',
          // devtmpfs gives /dev/ttyS0, which cttyhack opens for the shell.
          '/bin/busybox mount -t devtmpfs dev /dev',
          'echo "epnbox lab: busybox shell on the station; exit (or Ctrl-D) powers it off"',
          // cttyhack makes the console the shell's controlling terminal (job control, Ctrl-C).
          '/bin/busybox setsid /bin/busybox cttyhack /bin/busybox sh',
        ]
      : []),
    '/bin/busybox sync',
    '/bin/busybox poweroff -f',
    '',
  ].join('\n');
  return cpioNewc([
    { kind: 'dir', path: 'bin' },
    { kind: 'dir', path: 'dev' },
    { kind: 'dir', path: 'proc' },
    { kind: 'char', path: 'dev/console', major: 5, minor: 1 },
    { kind: 'file', path: 'bin/busybox', data: await readFile(busybox), mode: 0o755 },
    { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    { kind: 'file', path: 'init', data: Buffer.from(init), mode: 0o755 },
  ]);
}
