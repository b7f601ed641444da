import { describe, expect, it } from 'vitest';
import { cpioNewc } from './cpio-newc.ts';

/** Reads a newc archive back: name, mode, size, rdev and data of each entry. */
function entries(archive: Buffer) {
  const out: Array<{ name: string; mode: number; data: string; rdev: [number, number] }> = [];
  let at = 0;
  for (;;) {
    expect(archive.toString('latin1', at, at + 6)).toBe('070701');
    const field = (i: number) => parseInt(archive.toString('latin1', at + 6 + i * 8, at + 14 + i * 8), 16);
    const [mode, size, namesize] = [field(1), field(6), field(11)];
    const name = archive.toString('utf8', at + 110, at + 110 + namesize - 1);
    expect(archive[at + 110 + namesize - 1]).toBe(0);
    const dataAt = Math.ceil((at + 110 + namesize) / 4) * 4;
    if (name === 'TRAILER!!!') return { out, end: dataAt };
    out.push({ name, mode, data: archive.toString('utf8', dataAt, dataAt + size), rdev: [field(9), field(10)] });
    at = Math.ceil((dataAt + size) / 4) * 4;
  }
}

describe('newc cpio writer (the initramfs format)', () => {
  it('writes directories, files, symlinks and device nodes, each 4-byte aligned, then the trailer', () => {
    const archive = cpioNewc([
      { kind: 'dir', path: '/dev' },
      { kind: 'char', path: 'dev/console', major: 5, minor: 1 },
      { kind: 'file', path: 'init', data: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
      { kind: 'symlink', path: 'bin/sh', target: 'busybox' },
    ]);
    const { out, end } = entries(archive);
    expect(out).toEqual([
      { name: 'dev', mode: 0o040755, data: '', rdev: [0, 0] },
      { name: 'dev/console', mode: 0o020600, data: '', rdev: [5, 1] },
      { name: 'init', mode: 0o100755, data: '#!/bin/sh\n', rdev: [0, 0] },
      { name: 'bin/sh', mode: 0o120777, data: 'busybox', rdev: [0, 0] },
    ]);
    expect(end).toBe(archive.length);
    expect(archive.length % 4).toBe(0);
  });
});
