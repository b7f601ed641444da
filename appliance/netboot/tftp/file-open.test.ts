import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, realpathSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileCache } from './file-cache.ts';
import { openFile, type OpenOptions } from './file-open.ts';
import type { FileSource } from './file-source.ts';

const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'tftp-file-open-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function pattern(size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i += 1) buf[i] = (i * 31 + (i >> 8)) & 255;
  return buf;
}
const fdCount = () => readdirSync('/proc/self/fd').length;

/** Descriptors are closed by fs callbacks: poll (bounded) until the count is back. */
async function expectFdsBackTo(before: number): Promise<void> {
  for (let i = 0; i < 100 && fdCount() > before; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(fdCount()).toBeLessThanOrEqual(before);
}

async function readAll(source: FileSource, blockSize: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let position = 0; ; position += blockSize) {
    const buf = Buffer.alloc(blockSize);
    const n = await source.read(buf, 0, position, blockSize);
    parts.push(buf.subarray(0, n));
    if (n < blockSize) break;
  }
  source.close();
  return Buffer.concat(parts);
}

function options(cache: FileCache, mode: 'octet' | 'netascii' = 'octet'): OpenOptions {
  return { mode, cache, netasciiMaxBytes: 1024 };
}

describe('openFile', () => {
  it('serves a small file from memory and closes its descriptor at once', async () => {
    const file = path.join(dir, 'small.bin');
    writeFileSync(file, pattern(5000));
    const cache = new FileCache({ maxFileBytes: 10_000, maxTotalBytes: 100_000 });
    const before = fdCount();
    const opened = await openFile(file, options(cache));
    if (!opened.ok) throw new Error(opened.reason);
    await expectFdsBackTo(before);
    expect(await readAll(opened.file.createSource(512), 512)).toEqual(pattern(5000));
    expect(cache.size).toBe(1);
  });

  it('reloads a cached file when it changes (mtime, size or inode)', async () => {
    const file = path.join(dir, 'changing.bin');
    const cache = new FileCache({ maxFileBytes: 10_000, maxTotalBytes: 100_000 });
    writeFileSync(file, 'first');
    utimesSync(file, 1000, 1000);
    await openFile(file, options(cache));
    writeFileSync(file, 'other');
    utimesSync(file, 2000, 2000);
    const opened = await openFile(file, options(cache));
    if (!opened.ok) throw new Error(opened.reason);
    expect(await readAll(opened.file.createSource(8), 8)).toEqual(Buffer.from('other'));
  });

  it('streams a large file through read-ahead chunks, byte for byte, at odd block sizes', async () => {
    const file = path.join(dir, 'large.bin');
    const data = pattern(300_001);
    writeFileSync(file, data);
    const cache = new FileCache({ maxFileBytes: 0, maxTotalBytes: 0 });
    for (const blockSize of [8, 512, 1468, 65464]) {
      const before = fdCount();
      const opened = await openFile(file, options(cache));
      if (!opened.ok) throw new Error(opened.reason);
      // equals(), not toEqual(): a deep compare of 300 KB is slow.
      expect((await readAll(opened.file.createSource(blockSize), blockSize)).equals(data)).toBe(true);
      await expectFdsBackTo(before);
    }
  });

  it('converts netascii in memory and refuses it above its limit', async () => {
    const cache = new FileCache({ maxFileBytes: 0, maxTotalBytes: 0 });
    writeFileSync(path.join(dir, 'text.txt'), 'a\nb\n');
    const opened = await openFile(path.join(dir, 'text.txt'), options(cache, 'netascii'));
    if (!opened.ok) throw new Error(opened.reason);
    expect(opened.file.size).toBe(6);
    expect(await readAll(opened.file.createSource(512), 512)).toEqual(Buffer.from('a\r\nb\r\n'));
    writeFileSync(path.join(dir, 'big.txt'), Buffer.alloc(2000, 0x41));
    expect(await openFile(path.join(dir, 'big.txt'), options(cache, 'netascii'))).toMatchObject({ ok: false, reason: 'netascii-too-large' });
  });

  it('refuses directories, FIFOs (without hanging) and missing files, leaking no descriptor', async () => {
    const cache = new FileCache({ maxFileBytes: 0, maxTotalBytes: 0 });
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    const before = fdCount();
    expect(await openFile(dir, options(cache))).toMatchObject({ ok: false, reason: 'not-found' });
    expect(await openFile(path.join(dir, 'fifo'), options(cache))).toMatchObject({ ok: false, reason: 'not-found' });
    expect(await openFile(path.join(dir, 'missing'), options(cache))).toMatchObject({ ok: false, reason: 'not-found' });
    await expectFdsBackTo(before);
  });
});

describe('FileCache', () => {
  it('evicts the least recently served file to stay under its total', () => {
    const cache = new FileCache({ maxFileBytes: 100, maxTotalBytes: 250 });
    const stamp = (ino: number) => ({ dev: 1, ino, size: 100, mtimeMs: 0, ctimeMs: 0 });
    cache.set('/a', stamp(1), Buffer.alloc(100));
    cache.set('/b', stamp(2), Buffer.alloc(100));
    cache.get('/a', stamp(1));
    cache.set('/c', stamp(3), Buffer.alloc(100));
    expect([cache.get('/a', stamp(1)) !== undefined, cache.get('/b', stamp(2)) !== undefined, cache.get('/c', stamp(3)) !== undefined]).toEqual([true, false, true]);
    expect(cache.bytes).toBe(200);
    cache.set('/big', stamp(4), Buffer.alloc(101));
    expect(cache.size).toBe(2);
  });
});
