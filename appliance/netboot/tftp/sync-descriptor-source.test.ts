import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SyncDescriptorSource } from './sync-descriptor-source.ts';

const dir = fs.mkdtempSync(path.join(tmpdir(), 'epnbox-sync-source-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function pattern(size: number): Buffer {
  const buf = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i += 1) buf[i] = (i * 131 + (i >> 9) * 7) & 255;
  return buf;
}

/** Reads block after block as a transfer does: read() into a packet at offset 4, then readAhead(). */
function readAll(source: SyncDescriptorSource, blockSize: number, aheadEvery = 1): Buffer {
  const parts: Buffer[] = [];
  const packet = Buffer.alloc(4 + blockSize);
  for (let block = 0; ; block += 1) {
    const n = source.read(packet, 4, block * blockSize, blockSize);
    if (typeof n !== 'number') throw new Error('a synchronous source answered with a promise');
    parts.push(Buffer.from(packet.subarray(4, 4 + n)));
    if (block % aheadEvery === 0) source.readAhead();
    if (n < blockSize) return Buffer.concat(parts);
  }
}

function openSource(file: string, blockSize: number, readAheadBytes?: number): { source: SyncDescriptorSource; closed: number[] } {
  const fd = fs.openSync(file, 'r');
  const closed: number[] = [];
  const source = new SyncDescriptorSource(fd, fs.fstatSync(fd).size, blockSize, (f) => {
    closed.push(f);
    fs.closeSync(f);
  }, readAheadBytes);
  return { source, closed };
}

describe('SyncDescriptorSource', () => {
  it('gives every block byte for byte, with and without read-ahead, at odd block and chunk sizes', () => {
    const file = path.join(dir, 'large.bin');
    const data = pattern(300_001);
    fs.writeFileSync(file, data);
    for (const [blockSize, chunk, aheadEvery] of [[8, undefined, 1], [512, undefined, 1], [1468, 5000, 3], [8192, undefined, 1_000_000], [65464, undefined, 1]] as const) {
      const { source, closed } = openSource(file, blockSize, chunk);
      expect(readAll(source, blockSize, aheadEvery).equals(data), `blksize ${blockSize}`).toBe(true);
      source.close();
      source.close();
      expect(closed).toHaveLength(1);
    }
  });

  it('an exact multiple of the block size ends with an empty block; an empty file is one empty block', () => {
    for (const size of [0, 1024]) {
      const file = path.join(dir, `f${size}`);
      fs.writeFileSync(file, pattern(size));
      const { source } = openSource(file, 512);
      expect(readAll(source, 512).equals(pattern(size))).toBe(true);
      source.close();
    }
  });

  it('a file that shrinks meanwhile is served as far as it still goes (a short block), never past it', () => {
    const file = path.join(dir, 'shrinks.bin');
    fs.writeFileSync(file, pattern(200_000));
    const { source } = openSource(file, 512, 64 * 1024);
    const packet = Buffer.alloc(516);
    expect(source.read(packet, 4, 0, 512)).toBe(512);
    fs.truncateSync(file, 100_000);
    expect(source.read(packet, 4, 99_840, 512)).toBe(160);
    expect(source.read(packet, 4, 150_016, 512)).toBe(0);
    source.close();
  });

  it('a failed read becomes a rejected promise (the transfer ends with read-error), a failed read-ahead waits for that read', async () => {
    const fd = fs.openSync(dir, 'r'); // a directory: every read fails with EISDIR
    const source = new SyncDescriptorSource(fd, 10_000, 512, (f) => fs.closeSync(f), 2048);
    expect(() => source.readAhead()).not.toThrow();
    const read = source.read(Buffer.alloc(516), 4, 0, 512);
    expect(read).toBeInstanceOf(Promise);
    await expect(read).rejects.toMatchObject({ code: 'EISDIR' });
    source.close();
  });

  it('reads nothing once closed', () => {
    const file = path.join(dir, 'closed.bin');
    fs.writeFileSync(file, pattern(4096));
    const { source } = openSource(file, 512);
    source.close();
    expect(source.read(Buffer.alloc(516), 4, 0, 512)).toBe(0);
    expect(() => source.readAhead()).not.toThrow();
  });
});
