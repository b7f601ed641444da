import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../support/require-tool.ts';
import { npmFetch } from './tftp-support/npm-client.ts';
import { RawPeer, rawFetch } from './tftp-support/raw-peer.ts';
import { atftpFetch, curlFetch, tftpHpaFetch } from './tftp-support/real-clients.ts';
import { sha256, startTftpFixture, type TftpFixture } from './tftp-support/tftp-fixture.ts';

/*
 * Files past 65535 blocks: the 16-bit block number wraps (to 0 by default, to 1
 * with `rollover 1`). A 32 MB + 100 KB file at 512-byte blocks is 65,732 blocks;
 * each block starts with its own index, so a block served twice or out of
 * place changes the hash.
 */

const SIZE = 32 * 1024 * 1024 + 100_000;
let fx: TftpFixture;
let expected: string;
let peer: RawPeer;

function blockNumbered(size: number, blockSize: number): Buffer {
  const buf = Buffer.alloc(size, 0x5a);
  for (let at = 0, index = 0; at + 4 <= size; at += blockSize, index += 1) buf.writeUInt32BE(index, at);
  return buf;
}

beforeAll(async () => {
  requireTools('curl', 'tftp', 'atftp');
  fx = await startTftpFixture({ maxWindowSize: 16 });
  const data = blockNumbered(SIZE, 512);
  expected = sha256(data);
  writeFileSync(path.join(fx.root, 'big.img'), data);
  writeFileSync(path.join(fx.root, 'small-blocks.img'), blockNumbered(65_540 * 8 + 3, 8));
  peer = await RawPeer.open();
});

afterAll(async () => {
  peer?.close();
  await fx?.close();
});

describe('block number rollover beyond 65535 blocks', () => {
  it('curl, lock-step 512', { timeout: 120_000 }, async () => {
    const run = await curlFetch(fx.port, 'big.img');
    expect(run.code, run.output).toBe(0);
    expect(sha256(run.data ?? Buffer.alloc(0))).toBe(expected);
  });

  it('tftp-hpa, lock-step 512 without options', { timeout: 120_000 }, async () => {
    const run = await tftpHpaFetch(fx.port, 'big.img');
    expect(sha256(run.data ?? Buffer.alloc(0)), run.output).toBe(expected);
  });

  it('atftp, window 8 at 512', { timeout: 120_000 }, async () => {
    const run = await atftpFetch(fx.port, 'big.img', { blockSize: 512, windowSize: 8, tsize: true });
    expect(run.code, run.output).toBe(0);
    expect(sha256(run.data ?? Buffer.alloc(0))).toBe(expected);
  });

  it('npm tftp client, window 4 at 512 (it asks rollover 0)', { timeout: 120_000 }, async () => {
    const got = await npmFetch(fx.port, 'big.img', { blockSize: 512, windowSize: 4 });
    expect(sha256(got.data)).toBe(expected);
  });

  it('raw client with rollover 1 at blksize 8, window 16', { timeout: 120_000 }, async () => {
    const got = await rawFetch(peer, fx.port, 'small-blocks.img', [['blksize', '8'], ['windowsize', '16'], ['rollover', '1']]);
    expect(got.oack).toEqual(new Map([['blksize', '8'], ['windowsize', '16'], ['rollover', '1']]));
    expect(got.data.equals(blockNumbered(65_540 * 8 + 3, 8))).toBe(true);
    expect(got.blocks.slice(65533, 65538)).toEqual([65534, 65535, 1, 2, 3]);
  });
});
