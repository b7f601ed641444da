import dgram from 'node:dgram';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { ConnectedDatagramSocket, errnoCode } from '@epnbox/datagram';
import { describe, expect, it } from 'vitest';
import { startTftpFixture, waitFor } from './tftp-support/tftp-fixture.ts';

/*
 * The native connected socket of TFTP transfers (native/datagram) on its own, on
 * loopback: datagrams both ways, the receive-buffer contract, the peer gone, close,
 * a worker thread that ends with sockets open, arguments refused.
 */

const addon = path.resolve(import.meta.dirname, '../../native/datagram/index.js');
const descriptors = (): number => readdirSync('/proc/self/fd').length;

/** A node:dgram client on loopback and what it receives. */
async function client(family: 4 | 6 = 4): Promise<{ socket: dgram.Socket; port: number; got: { data: Buffer; port: number }[] }> {
  const socket = dgram.createSocket(family === 4 ? 'udp4' : 'udp6');
  socket.bind(0, family === 4 ? '127.0.0.1' : '::1');
  await once(socket, 'listening');
  const got: { data: Buffer; port: number }[] = [];
  socket.on('message', (data, rinfo) => got.push({ data, port: rinfo.port }));
  return { socket, port: socket.address().port, got };
}

/** Results the socket's callback saw, each datagram copied during the call. */
function recorder(buffer: Buffer): { seen: (string | number)[]; onResult: (n: number) => void } {
  const seen: (string | number)[] = [];
  return { seen, onResult: (n) => seen.push(n < 0 ? errnoCode(n) : buffer.toString('latin1', 0, n)) };
}

describe('ConnectedDatagramSocket', () => {
  it('is loaded: the TFTP suites (outside tftp-dgram-fallback.test.ts) run their transfers on it', async () => {
    const fx = await startTftpFixture();
    try {
      expect(fx.server.transferPath).toBe('datagram');
    } finally {
      await fx.close();
    }
  });

  it.each([
    ['IPv4', 4, '127.0.0.1'],
    ['IPv6', 6, '::1'],
  ] as const)('%s loopback: sends from its bound port, receives what the peer sends back', async (_name, family, host) => {
    const peer = await client(family);
    const buffer = Buffer.alloc(65536);
    const { seen, onResult } = recorder(buffer);
    const socket = new ConnectedDatagramSocket(host, host, peer.port, buffer, onResult);
    try {
      expect(socket.localPort).toBeGreaterThan(0);
      expect(socket.send(Buffer.from('hello'))).toBe(5);
      expect(socket.send(Buffer.from('abcdef'), 3)).toBe(3);
      await waitFor(() => peer.got.length === 2, 'the peer to receive both datagrams');
      expect(peer.got.map((g) => [g.data.toString(), g.port])).toEqual([
        ['hello', socket.localPort],
        ['abc', socket.localPort],
      ]);
      peer.socket.send('back', socket.localPort, host);
      await waitFor(() => seen.length === 1, 'the datagram back');
      expect(seen).toEqual(['back']);
    } finally {
      socket.close();
      peer.socket.close();
    }
  });

  it('reuses one receive buffer: each datagram is whole during its own call; a longer one is cut to the buffer', async () => {
    const peer = await client();
    const small = Buffer.alloc(8);
    const { seen, onResult } = recorder(small);
    const socket = new ConnectedDatagramSocket('127.0.0.1', '127.0.0.1', peer.port, small, onResult);
    try {
      // Three datagrams queued before the loop reads any: one per readiness, each read into the same bytes.
      for (const text of ['first', 'second', 'longer than eight']) peer.socket.send(text, socket.localPort, '127.0.0.1');
      await waitFor(() => seen.length === 3, 'three datagrams');
      expect(seen).toEqual(['first', 'second', 'longer t']);
    } finally {
      socket.close();
      peer.socket.close();
    }
  });

  it('the peer gone: the ICMP port unreachable comes as -ECONNREFUSED, to the callback or to send()', async () => {
    const peer = await client();
    const buffer = Buffer.alloc(1500);
    const { seen, onResult } = recorder(buffer);
    const socket = new ConnectedDatagramSocket('127.0.0.1', '127.0.0.1', peer.port, buffer, onResult);
    try {
      peer.socket.close();
      expect(socket.send(Buffer.from('anyone?'))).toBe(7);
      await waitFor(() => seen.length === 1, 'the error');
      expect(seen).toEqual(['ECONNREFUSED']);
      // Still watched after the error (libuv stops a watcher on EPOLLERR; the addon restarts it).
      expect(socket.send(Buffer.from('again'))).toBe(5);
      await waitFor(() => seen.length === 2, 'the second error');
      expect(seen[1]).toBe('ECONNREFUSED');
    } finally {
      socket.close();
    }
  });

  it('close() releases the descriptor at once, twice is harmless, send() after it says EBADF', async () => {
    const peer = await client();
    const before = descriptors();
    const socket = new ConnectedDatagramSocket('127.0.0.1', '127.0.0.1', peer.port, Buffer.alloc(16), () => {});
    expect(descriptors()).toBe(before + 1);
    socket.close();
    expect(descriptors()).toBe(before);
    socket.close();
    expect(errnoCode(socket.send(Buffer.from('x')))).toBe('EBADF');
    peer.socket.close();
  });

  it('close() inside the callback: nothing more is delivered and nothing breaks', async () => {
    const peer = await client();
    const seen: number[] = [];
    const socket = new ConnectedDatagramSocket('127.0.0.1', '127.0.0.1', peer.port, Buffer.alloc(16), (n) => {
      seen.push(n);
      socket.close();
    });
    for (const text of ['one', 'two', 'three']) peer.socket.send(text, socket.localPort, '127.0.0.1');
    await waitFor(() => seen.length > 0, 'the first datagram');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual([3]);
    socket.close();
    peer.socket.close();
  });

  it('sendParts: head and body as one datagram, the body read where it is (shared memory too); errors as send()', async () => {
    const peer = await client();
    const socket = new ConnectedDatagramSocket('127.0.0.1', '127.0.0.1', peer.port, Buffer.alloc(16), () => {});
    try {
      const shared = Buffer.from(new SharedArrayBuffer(8192));
      shared.write('block bytes', 100);
      expect(socket.sendParts(Buffer.from([0, 3, 0, 7]), shared.subarray(100, 111))).toBe(15);
      expect(socket.sendParts(Buffer.from('head-only'), Buffer.alloc(0))).toBe(9);
      await waitFor(() => peer.got.length === 2, 'both datagrams');
      expect(peer.got[0]!.data).toEqual(Buffer.concat([Buffer.from([0, 3, 0, 7]), Buffer.from('block bytes')]));
      expect(peer.got[1]!.data.toString()).toBe('head-only');
      expect(() => (socket.sendParts as (...a: unknown[]) => number)('x', Buffer.alloc(1))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
      expect(() => (socket.sendParts as (...a: unknown[]) => number)(Buffer.alloc(1))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
      socket.close();
      expect(errnoCode(socket.sendParts(Buffer.alloc(4), Buffer.alloc(4)))).toBe('EBADF');
    } finally {
      socket.close();
      peer.socket.close();
    }
  });

  it('awaitReadable: the time until a datagram waits, -1 after the budget with none (or once closed); reads nothing', async () => {
    const peer = await client();
    const buffer = Buffer.alloc(64);
    const { seen, onResult } = recorder(buffer);
    const socket = new ConnectedDatagramSocket('127.0.0.1', '127.0.0.1', peer.port, buffer, onResult);
    try {
      // A connected node:dgram socket sends at once (no lookup), before the loop can turn.
      peer.socket.connect(socket.localPort, '127.0.0.1');
      await once(peer.socket, 'connect');
      const started = process.hrtime.bigint();
      expect(socket.awaitReadable(2_000_000)).toBe(-1);
      expect(process.hrtime.bigint() - started).toBeGreaterThanOrEqual(2_000_000n);
      peer.socket.send('ack');
      const waited = socket.awaitReadable(1_000_000_000);
      expect(waited).toBeGreaterThanOrEqual(0);
      expect(waited).toBeLessThan(1_000_000_000);
      // Nothing was read: the loop still delivers the datagram, once.
      expect(seen).toEqual([]);
      await waitFor(() => seen.length === 1, 'the datagram, read by the loop');
      expect(seen).toEqual(['ack']);
      expect(socket.awaitReadable(0)).toBe(-1);
      for (const bad of [-1, 1_000_000_001, Number.NaN, '5']) {
        expect(() => socket.awaitReadable(bad as number), String(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
      }
      socket.close();
      expect(socket.awaitReadable(1_000_000)).toBe(-1);
    } finally {
      socket.close();
      peer.socket.close();
    }
  });

  it('bad arguments throw ERR_INVALID_ARG_VALUE; a refusal of the system throws its errno name', () => {
    const buf = Buffer.alloc(16);
    const open = (host: unknown, address: unknown, port: unknown, buffer: unknown, cb: unknown) => () =>
      new (ConnectedDatagramSocket as unknown as new (...a: unknown[]) => unknown)(host, address, port, buffer, cb);
    for (const args of [
      ['nope', '127.0.0.1', 9, buf, () => {}],
      ['127.0.0.1', '::1', 9, buf, () => {}],
      ['127.0.0.1', '127.0.0.1', 0, buf, () => {}],
      ['127.0.0.1', '127.0.0.1', 65536, buf, () => {}],
      ['127.0.0.1', '127.0.0.1', 9, 'buffer', () => {}],
      ['127.0.0.1', '127.0.0.1', 9, Buffer.alloc(0), () => {}],
      ['127.0.0.1', '127.0.0.1', 9, buf, 'callback'],
      [42, '127.0.0.1', 9, buf, () => {}],
    ]) {
      expect(open(...(args as [unknown, unknown, unknown, unknown, unknown])), JSON.stringify(args.slice(0, 3))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    }
    // TEST-NET-1: an address this machine does not have.
    expect(open('192.0.2.1', '127.0.0.1', 9, buf, () => {})).toThrow(expect.objectContaining({ code: 'EADDRNOTAVAIL' }));
    const socket = new ConnectedDatagramSocket('127.0.0.1', '127.0.0.1', 9, buf, () => {});
    expect(() => (socket.send as (...a: unknown[]) => number)('x', 1)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => socket.send(buf, 17)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    socket.close();
  });
});

describe('ConnectedDatagramSocket in a worker thread', () => {
  it('delivers on the worker’s own loop; a worker that ends with sockets open leaves no descriptor behind', async () => {
    const peer = await client();
    const before = descriptors();
    // Three sockets sharing one receive buffer, all left open when the worker is stopped.
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       import(workerData.addon).then(({ ConnectedDatagramSocket }) => {
         const buffer = Buffer.alloc(64);
         const sockets = [1, 2, 3].map(() => new ConnectedDatagramSocket('127.0.0.1', '127.0.0.1', workerData.port, buffer, (n) => {
           parentPort.postMessage({ got: buffer.toString('latin1', 0, n) });
         }));
         parentPort.postMessage({ ports: sockets.map((s) => s.localPort) });
       });`,
      { eval: true, workerData: { addon, port: peer.port } },
    );
    const messages: { ports?: number[]; got?: string }[] = [];
    worker.on('message', (m: { ports?: number[]; got?: string }) => messages.push(m));
    try {
      await waitFor(() => messages.length === 1, 'the worker’s sockets');
      const ports = messages[0]?.ports ?? [];
      expect(ports).toHaveLength(3);
      expect(descriptors()).toBeGreaterThanOrEqual(before + 3);
      peer.socket.send('to the worker', ports[1] ?? 0, '127.0.0.1');
      await waitFor(() => messages.length === 2, 'the worker’s callback');
      expect(messages[1]).toEqual({ got: 'to the worker' });
    } finally {
      await worker.terminate();
      peer.socket.close();
    }
    await waitFor(() => descriptors() <= before, 'the worker’s descriptors to be closed', 5000).catch(() => {});
    expect(descriptors()).toBeLessThanOrEqual(before);
  });

  it('an exception thrown by the callback is the worker’s uncaught exception, not swallowed', async () => {
    const peer = await client();
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       import(workerData.addon).then(({ ConnectedDatagramSocket }) => {
         const socket = new ConnectedDatagramSocket('127.0.0.1', '127.0.0.1', workerData.port, Buffer.alloc(64), () => { throw new Error('thrown in onResult'); });
         socket.send(Buffer.from('ping'));
       });`,
      { eval: true, workerData: { addon, port: peer.port } },
    );
    try {
      await waitFor(() => peer.got.length === 1, 'the worker’s ping');
      const failed = once(worker, 'error');
      peer.socket.send('pong', peer.got[0]?.port ?? 0, '127.0.0.1');
      const [err] = (await failed) as [Error];
      expect(err.message).toBe('thrown in onResult');
    } finally {
      await worker.terminate();
      peer.socket.close();
    }
  });
});
