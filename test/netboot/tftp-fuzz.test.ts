import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAck, encodeData, encodeError, encodeOack, encodeRequest } from '../../appliance/netboot/tftp/packet-encode.ts';
import { Opcode } from '../../appliance/netboot/tftp/packets.ts';
import { requireTools } from '../support/require-tool.ts';
import { RawPeer, rawFetch, type RawFetch } from './tftp-support/raw-peer.ts';
import { curlFetch } from './tftp-support/real-clients.ts';
import { pattern, startTftpFixture, type TftpFixture } from './tftp-support/tftp-fixture.ts';

/*
 * 100,000 random and mutated datagrams at the request port and at live transfer
 * ports, from eight other loopback addresses. Afterwards the server still serves,
 * and the transfers that were running meanwhile complete intact: nothing from
 * another transfer ID disturbed them.
 */

const DATAGRAMS = 100_000;
const MB = pattern(1048576, 1048576);
let fx: TftpFixture;
let fuzzers: RawPeer[] = [];
let victims: RawPeer[] = [];

beforeAll(async () => {
  requireTools('curl');
  // Patient transfers (1 s x 60) outlive the campaign; the default per-address limits
  // (burst 20, 10/s, 8 transfers) keep the fuzzers' own requests bounded.
  fx = await startTftpFixture({ timeoutMs: 1000, maxRetries: 60, requestRate: { burst: 20, perSecond: 10, maxClients: 4096 }, maxTransfersPerClient: 8, cache: { maxFileBytes: 0, maxTotalBytes: 0 } });
  fuzzers = await Promise.all(Array.from({ length: 8 }, (_, i) => RawPeer.open(`127.0.0.${i + 2}`)));
  victims = await Promise.all(Array.from({ length: 3 }, () => RawPeer.open()));
});

afterAll(async () => {
  for (const p of [...fuzzers, ...victims]) p.close();
  await fx?.close();
});

/** A deterministic generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
}

function seeds(): Buffer[] {
  const dir = path.join(import.meta.dirname, '../../appliance/netboot/tftp/testdata');
  const captured = readdirSync(dir).filter((f) => f.endsWith('.bin') && !f.endsWith('.oack.bin')).map((f) => readFileSync(path.join(dir, f)));
  return [
    ...captured,
    encodeRequest(Opcode.RRQ, 'f1048576', 'octet', new Map([['blksize', '65464'], ['windowsize', '65535'], ['tsize', '0'], ['timeout', '1']])),
    encodeRequest(Opcode.RRQ, 'escape', 'netascii'),
    encodeRequest(Opcode.RRQ, 'x'.repeat(1400), 'octet'),
    encodeAck(0),
    encodeAck(65535),
    encodeData(1, Buffer.alloc(512)),
    encodeError(8, 'abort'),
    encodeOack(new Map([['blksize', '8']])),
  ];
}

function datagram(rand: () => number, base: Buffer[]): Buffer {
  const kind = rand();
  if (kind < 0.15) return Buffer.from([Math.floor(rand() * 256)]); // the 1-byte datagram
  if (kind < 0.4) {
    const out = Buffer.allocUnsafe(Math.floor(rand() * 600));
    for (let i = 0; i < out.length; i += 1) out[i] = Math.floor(rand() * 256);
    return out;
  }
  const out = Buffer.from(base[Math.floor(rand() * base.length)] as Buffer);
  for (let flips = Math.floor(rand() * 5); flips > 0 && out.length > 0; flips -= 1) out[Math.floor(rand() * out.length)] = Math.floor(rand() * 256);
  if (rand() < 0.2 && out.length > 0) return out.subarray(0, Math.floor(rand() * out.length));
  if (rand() < 0.1) return Buffer.concat([out, Buffer.alloc(Math.floor(rand() * 64))]);
  return out;
}

describe('100,000 random and mutated datagrams', () => {
  it('leave the server up, running transfers intact, and a new fetch correct', { timeout: 90_000 }, async () => {
    const tids: number[] = [];
    let release: () => void = () => {};
    const campaignDone = new Promise<void>((resolve) => (release = resolve));
    // Three transfers pause after block 1 (their TIDs become fuzz targets) and resume afterwards.
    const running: Promise<RawFetch>[] = victims.map((victim, i) =>
      rawFetch(victim, fx.port, 'f1048576', i === 0 ? [] : [['blksize', '1468'], ['windowsize', String(i * 4)]], {
        afterData: async (block, tid) => {
          if (block !== 1) return;
          tids.push(tid);
          await campaignDone;
        },
      }),
    );
    while (tids.length < victims.length) await new Promise((resolve) => setTimeout(resolve, 5));

    const rand = rng(0x7f7f);
    const base = seeds();
    for (let sent = 0; sent < DATAGRAMS; sent += 1) {
      const target = rand() < 0.5 ? fx.port : (tids[Math.floor(rand() * tids.length)] as number);
      (fuzzers[sent % fuzzers.length] as RawPeer).send(datagram(rand, base), target);
      if (sent % 25 === 24) {
        // Let the server (same process) read: libuv takes at most 32 datagrams per socket per turn.
        await new Promise((resolve) => setImmediate(resolve));
        for (const f of fuzzers) f.drain();
      }
    }
    release();

    const results = await Promise.all(running);
    for (const result of results) expect(result.data.equals(MB)).toBe(true);
    // Most of the request-port half was read and judged: garbage dropped, mutated requests served or refused.
    const { malformed, ignored, rateLimited, requests } = fx.server.stats;
    expect(malformed + ignored + rateLimited + requests).toBeGreaterThan(DATAGRAMS / 4);
    expect(requests).toBeGreaterThan(3);
    const after = await curlFetch(fx.port, 'f1048576', { blockSize: 1468 });
    expect(after.code, after.output).toBe(0);
    expect(after.data?.equals(MB)).toBe(true);
  });
});
