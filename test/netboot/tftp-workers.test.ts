import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, Opcode } from '../../appliance/netboot/tftp/packets.ts';
import type { TftpServer } from '../../appliance/netboot/tftp/tftp-server.ts';
import type { TransferPool } from '../../appliance/netboot/tftp/transfer-pool.ts';
import { RawPeer, rawFetch } from './tftp-support/raw-peer.ts';
import { curlFetch } from './tftp-support/real-clients.ts';
import { openDescriptors, pattern, sha256, startTftpFixture, waitFor } from './tftp-support/tftp-fixture.ts';

/*
 * Transfers run in worker threads (transfer-pool.ts): they complete byte for byte
 * from the cache (shared memory) and from descriptors; a worker that dies ends
 * only its own transfers and is replaced; close() leaves no thread, socket or
 * descriptor behind.
 */

const poolOf = (server: TftpServer): TransferPool => (server as unknown as { pool: TransferPool }).pool;
const threads = (): number => readdirSync('/proc/self/task').length;

let peers: RawPeer[] = [];

beforeAll(async () => {
  peers = await Promise.all(Array.from({ length: 4 }, () => RawPeer.open()));
});

afterAll(() => {
  for (const p of peers) p.close();
});

describe('transfers in worker threads', () => {
  it('are spread over the workers and complete byte for byte, cached and streamed, at several block sizes', async () => {
    const fx = await startTftpFixture({ workers: 2, maxBlockSize: 8192, cache: { maxFileBytes: 1024, maxTotalBytes: 4096 } });
    try {
      expect(fx.server.workerThreads).toBe(2);
      const files = ['f1048576', 'f513', 'f1048576', 'f512', 'f1048576', 'f511'];
      const runs = await Promise.all(files.map((file, i) => curlFetch(fx.port, file, { blockSize: [512, 1468, 8192][i % 3] as number })));
      for (const [i, run] of runs.entries()) {
        const size = Number((files[i] as string).slice(1));
        expect(run.code, run.output).toBe(0);
        expect(sha256(run.data as Buffer)).toBe(sha256(pattern(size, size)));
      }
      // curl exits once its last ACK is sent; the server hears it and its worker reports a moment later.
      await waitFor(() => fx.events.length === files.length, 'every transfer to be reported');
      expect(fx.events.filter((e) => e.outcome === 'complete')).toHaveLength(files.length);
      expect(fx.server.activeTransfers).toBe(0);
    } finally {
      await fx.close();
    }
  });

  it('workers: 0 runs transfers in the server thread, as before', async () => {
    const fx = await startTftpFixture({ workers: 0 });
    try {
      expect(fx.server.workerThreads).toBe(0);
      const got = await rawFetch(peers[0] as RawPeer, fx.port, 'f513');
      expect(got.data.equals(pattern(513, 513))).toBe(true);
    } finally {
      await fx.close();
    }
  });

  it('a worker that dies ends only its own transfer (worker-failed, descriptor closed); a new worker takes its place', async () => {
    // Streamed (no cache) so the dying worker holds a descriptor; ACKs never come, retries are slow.
    const fx = await startTftpFixture({ workers: 2, timeoutMs: 10_000, cache: { maxFileBytes: 0, maxTotalBytes: 0 } });
    try {
      const before = openDescriptors();
      const [a, b] = peers as [RawPeer, RawPeer];
      a.drain();
      b.drain();
      a.rrq(fx.port, 'f1048576');
      b.rrq(fx.port, 'f1048576');
      const first = await a.next();
      expect(first.packet).toMatchObject({ opcode: Opcode.DATA, block: 1 });
      const second = await b.next();
      expect(second.packet).toMatchObject({ opcode: Opcode.DATA, block: 1 });
      const pool = poolOf(fx.server);
      expect(pool.workers().map((w) => w.transfers)).toEqual([1, 1]);
      await (pool.workers()[0]?.worker as { terminate(): Promise<number> }).terminate();
      await waitFor(() => fx.events.length === 1, 'the failed transfer to be reported');
      expect(fx.events[0]).toMatchObject({ outcome: 'worker-failed', path: expect.stringMatching(/f1048576$/) });
      expect(fx.server.activeTransfers).toBe(1);
      await waitFor(() => fx.server.workerThreads === 2, 'a replacement worker');
      // The files open asynchronously, so either request may have gone to the first worker.
      const [survivor, its] = fx.events[0]?.peer.port === a.port ? [b, second] : [a, first];
      // The other transfer goes on: its client acknowledges and gets block 2.
      survivor.ack(its.port, 1);
      expect((await survivor.next()).packet).toMatchObject({ opcode: Opcode.DATA, block: 2 });
      // And new requests are served.
      const fresh = await rawFetch(peers[2] as RawPeer, fx.port, 'f513');
      expect(fresh.data.equals(pattern(513, 513))).toBe(true);
      await waitFor(() => fx.events.length === 2, 'the new transfer to end');
      await fx.server.close();
      expect((await survivor.next()).packet).toEqual({ opcode: Opcode.ERROR, code: ErrorCode.NOT_DEFINED, message: 'Server shutting down' });
      expect(fx.events.map((e) => e.outcome)).toEqual(['worker-failed', 'complete', 'shutdown']);
      await waitFor(() => openDescriptors() <= before - 2, 'the workers’ descriptors and sockets to be released', 5000).catch(() => {});
      expect(openDescriptors()).toBeLessThanOrEqual(before - 2);
    } finally {
      await fx.close();
    }
  });
});

describe('close()', () => {
  it('stops every worker thread and releases every socket and descriptor', async () => {
    // Warm up what the process opens once (libuv threadpool, the loader's threads).
    const warm = await startTftpFixture({ workers: 1 });
    await rawFetch(peers[3] as RawPeer, warm.port, 'f513');
    await warm.close();
    const threadsBefore = threads();
    const fdsBefore = openDescriptors();
    const fx = await startTftpFixture({ workers: 3, cache: { maxFileBytes: 0, maxTotalBytes: 0 } });
    expect(fx.server.workerThreads).toBe(3);
    expect(threads()).toBeGreaterThanOrEqual(threadsBefore + 3);
    const runs = await Promise.all(['f1048576', 'f513', 'f512'].map((file) => curlFetch(fx.port, file)));
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    await fx.close();
    expect(fx.server.workerThreads).toBe(0);
    await waitFor(() => threads() <= threadsBefore && openDescriptors() <= fdsBefore, 'threads and descriptors back to their count', 5000).catch(() => {});
    expect(threads()).toBeLessThanOrEqual(threadsBefore);
    expect(openDescriptors()).toBeLessThanOrEqual(fdsBefore);
  });
});
