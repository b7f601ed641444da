import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, Opcode } from '../../appliance/netboot/tftp/packets.ts';
import type { TftpRequestEvent } from '../../appliance/netboot/tftp/tftp-server.ts';
import { RawPeer, rawFetch } from './tftp-support/raw-peer.ts';
import { openDescriptors, pattern, startTftpFixture, waitFor } from './tftp-support/tftp-fixture.ts';

/*
 * Resources stay bounded: abandoned requests release their socket and file
 * descriptor (the npm `tftp` server piled them up), concurrency and request rate
 * are capped, and the policy hooks cannot break serving.
 */

let peers: RawPeer[] = [];

beforeAll(async () => {
  peers = await Promise.all(Array.from({ length: 8 }, () => RawPeer.open()));
});

afterAll(() => {
  for (const p of peers) p.close();
});

describe('abandoned requests leave no descriptor behind', () => {
  it('400 requests never acknowledged (streamed, cached, after OACK, after ERROR): /proc/self/fd back to its count', async () => {
    // No cache: the 1 MiB file keeps a descriptor open for the whole transfer.
    const fx = await startTftpFixture({ timeoutMs: 50, maxRetries: 1, cache: { maxFileBytes: 4096, maxTotalBytes: 65536 }, maxTransfers: 1000, maxTransfersPerClient: 1000 });
    try {
      await rawFetch(peers[0] as RawPeer, fx.port, 'f513'); // warm up lazily opened handles
      const before = openDescriptors();
      const requests = 400;
      for (let i = 0; i < requests; i += 1) {
        const peer = peers[i % peers.length] as RawPeer;
        const file = ['f1048576', 'f513', 'missing', 'escape'][i % 4] as string;
        // A distinct blksize per request: the same bytes from the same port would be a retransmitted RRQ.
        peer.rrq(fx.port, file, i % 3 === 0 ? [['tsize', '0'], ['blksize', String(512 + i)]] : [['blksize', String(512 + i)]]);
        if (i % 50 === 49) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await waitFor(() => fx.events.length >= requests + 1 && fx.server.activeTransfers === 0, 'every request to end');
      await waitFor(() => openDescriptors() <= before, 'descriptors to be closed (fs.close callbacks)', 2000).catch(() => {});
      expect(openDescriptors()).toBeLessThanOrEqual(before);
      const outcomes = new Set(fx.events.map((e) => e.outcome));
      expect(outcomes).toEqual(new Set(['complete', 'timeout', 'refused']));
      for (const p of peers) p.drain();
    } finally {
      await fx.close();
    }
  });

  it('server close() ends running transfers with an ERROR and releases them', async () => {
    const fx = await startTftpFixture({ timeoutMs: 10_000, cache: { maxFileBytes: 0, maxTotalBytes: 0 } });
    const peer = peers[0] as RawPeer;
    peer.drain();
    const before = openDescriptors();
    peer.rrq(fx.port, 'f1048576');
    const first = await peer.next();
    expect(first.packet).toMatchObject({ opcode: Opcode.DATA, block: 1 });
    await fx.close();
    expect((await peer.next()).packet).toEqual({ opcode: Opcode.ERROR, code: ErrorCode.NOT_DEFINED, message: 'Server shutting down' });
    expect(fx.events.at(-1)).toMatchObject({ outcome: 'shutdown' });
    await waitFor(() => openDescriptors() < before, 'the transfer descriptors to be closed', 2000).catch(() => {});
    expect(openDescriptors()).toBeLessThan(before);
  });
});

describe('close() during a request', () => {
  it('a request still being opened when close() runs starts no transfer', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let mapped = false;
    const fx = await startTftpFixture({
      mapPath: async () => {
        mapped = true;
        await gate;
        return undefined;
      },
    });
    (peers[5] as RawPeer).rrq(fx.port, 'f1048576');
    await waitFor(() => mapped, 'the request to reach the mapper');
    await fx.server.close(); // the root stays until fx.close()
    release();
    try {
      await waitFor(() => fx.events.length === 1, 'the request to end');
      expect(fx.events[0]).toMatchObject({ outcome: 'refused', detail: 'closing' });
      expect(fx.server.activeTransfers).toBe(0);
    } finally {
      await fx.close();
    }
  });
});

describe('limits', () => {
  it('maxTransfers: one more request gets ERROR 0 "Server busy"', async () => {
    const fx = await startTftpFixture({ timeoutMs: 10_000, maxTransfers: 2 });
    try {
      const [a, b, c] = peers as [RawPeer, RawPeer, RawPeer];
      for (const p of [a, b, c]) p.drain();
      a.rrq(fx.port, 'f1048576');
      await a.next();
      b.rrq(fx.port, 'f1048576');
      await b.next();
      c.rrq(fx.port, 'f512');
      expect((await c.next()).packet).toEqual({ opcode: Opcode.ERROR, code: ErrorCode.NOT_DEFINED, message: 'Server busy, retry later' });
      expect(fx.server.stats.busy).toBe(1);
    } finally {
      await fx.close();
    }
  });

  it('maxTransfersPerClient applies per address', async () => {
    const fx = await startTftpFixture({ timeoutMs: 10_000, maxTransfersPerClient: 1 });
    try {
      const [a, b] = peers as [RawPeer, RawPeer];
      a.drain();
      b.drain();
      a.rrq(fx.port, 'f1048576');
      await a.next();
      b.rrq(fx.port, 'f512'); // same address 127.0.0.1, another port
      expect((await b.next()).packet).toMatchObject({ opcode: Opcode.ERROR, message: 'Server busy, retry later' });
    } finally {
      await fx.close();
    }
  });

  it('the request rate per address is bounded: excess requests are dropped unanswered', async () => {
    const fx = await startTftpFixture({ requestRate: { burst: 3, perSecond: 0.001, maxClients: 10 } });
    try {
      const peer = peers[3] as RawPeer;
      for (let i = 0; i < 10; i += 1) peer.rrq(fx.port, 'missing', [['blksize', String(600 + i)]]);
      await waitFor(() => fx.server.stats.rateLimited === 7, 'seven requests to be dropped');
      await waitFor(() => fx.events.length === 3, 'three refusals');
      expect(peer.drain().map((r) => r.packet?.opcode)).toEqual([Opcode.ERROR, Opcode.ERROR, Opcode.ERROR]);
    } finally {
      await fx.close();
    }
  });
});

describe('policy hooks', () => {
  it('onRequest sees peer, name, mode and options; mapPath picks the file; hooks that throw are contained', async () => {
    const seen: TftpRequestEvent[] = [];
    const fx = await startTftpFixture({
      onRequest: (event) => {
        seen.push(event);
        throw new Error('hook bug');
      },
      mapPath: (file, peer) => {
        if (file === 'crash') throw new Error('mapper bug');
        return file === 'pxe/default.efi' && peer.address === '127.0.0.1' ? 'f513' : undefined;
      },
    });
    try {
      const peer = peers[4] as RawPeer;
      const got = await rawFetch(peer, fx.port, 'pxe/default.efi', [['tsize', '0']]);
      expect(got.data.equals(pattern(513, 513))).toBe(true);
      expect(seen[0]).toEqual({ peer: { address: '127.0.0.1', port: peer.port }, file: 'pxe/default.efi', mode: 'octet', options: new Map([['tsize', '0']]) });
      await waitFor(() => fx.events.length === 1, 'the transfer to end');
      expect(fx.events[0]).toMatchObject({ file: 'pxe/default.efi', path: `${fx.root}/f513`, outcome: 'complete' });
      peer.drain();
      peer.rrq(fx.port, 'crash');
      expect((await peer.next()).packet).toEqual({ opcode: Opcode.ERROR, code: ErrorCode.NOT_DEFINED, message: 'Server error' });
      expect(fx.events.at(-1)).toMatchObject({ outcome: 'refused', detail: 'Error: mapper bug' });
      const after = await rawFetch(peer, fx.port, 'f512');
      expect(after.data.equals(pattern(512, 512))).toBe(true);
    } finally {
      await fx.close();
    }
  });
});
