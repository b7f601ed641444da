import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { sendFile } from '@epnbox/sendfile';
import { loadBodyPath } from '../../appliance/netboot/http-boot/zero-copy.ts';

/**
 * The sendfile(2) addon (native/sendfile) on its own, over TCP on 127.0.0.1: exact bytes
 * for any range, many transfers at once, and every way a transfer ends early (client gone,
 * client stalled, file shrinking, cancel) releases the addon's descriptors and reports once.
 */
let work: string;
let server: Server;
let port: number;
const accepted: Socket[] = [];
const opened: FileHandle[] = [];
const clients: Socket[] = [];
const data = randomBytes(8 * 1024 * 1024 + 333);
const BIG = 256 * 1024 * 1024; // sparse: more than any socket buffer holds
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'epnbox-sendfile-'));
  writeFileSync(join(work, 'data'), data);
  server = createServer((socket) => {
    socket.on('error', () => undefined); // the client-gone cases reset the connection on purpose
    accepted.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const s of accepted.splice(0)) s.destroy();
  for (const h of opened.splice(0)) await h.close().catch(() => undefined);
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

/** A connected pair: the server side's descriptor, and the client socket (paused until read). */
async function connection(): Promise<{ fd: number; client: Socket; server: Socket }> {
  const before = accepted.length;
  const client = createConnection({ host: '127.0.0.1', port });
  clients.push(client);
  await vi.waitFor(() => expect(accepted.length).toBeGreaterThan(before), { timeout: 5000, interval: 5 });
  const socket = accepted[accepted.length - 1]!;
  const fd = (socket as unknown as { _handle: { fd: number } })._handle.fd;
  return { fd, client, server: socket };
}

function readAll(client: Socket, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    client.on('data', (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (got >= length) resolve(Buffer.concat(chunks));
    });
    client.on('error', reject);
  });
}

async function file(name: string): Promise<FileHandle> {
  const h = await open(join(work, name), 'r');
  opened.push(h);
  return h;
}

/** Descriptors of this process pointing at a file of the work directory. */
function openFiles(name: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === join(work, name);
    } catch {
      return false;
    }
  }).length;
}

describe('sendfile addon', () => {
  it('loads (else the route falls back to buffers and says why)', async () => {
    expect((await loadBodyPath()).kind).toBe('sendfile');
    const failed = await loadBodyPath(() => Promise.reject(new Error('Cannot find module build/Release/sendfile.node\nstack')));
    expect(failed).toEqual({ kind: 'buffers', reason: '@epnbox/sendfile not loaded: Cannot find module build/Release/sendfile.node' });
  });

  it('sends exactly the asked range, then reports every byte sent', async () => {
    const h = await file('data');
    for (const [offset, length] of [[0, data.length], [1, 1], [4096 + 7, 3 * 1024 * 1024], [data.length - 10, 10]] as const) {
      const { fd, client } = await connection();
      const received = readAll(client, length);
      const outcome = await sendFile(fd, h.fd, offset, length, 10_000).done;
      expect(outcome).toEqual({ ok: true, sent: length });
      expect((await received).equals(data.subarray(offset, offset + length))).toBe(true);
    }
  });

  it('keeps its own copies of the descriptors: the caller may close its file at once', async () => {
    const h = await file('data');
    const { fd, client } = await connection();
    const received = readAll(client, data.length);
    const transfer = sendFile(fd, h.fd, 0, data.length, 10_000);
    await h.close();
    expect(await transfer.done).toEqual({ ok: true, sent: data.length });
    expect(sha(await received)).toBe(sha(data));
    expect(openFiles('data')).toBe(0);
  });

  it('runs many transfers at once, each with its own bytes', async () => {
    const h = await file('data');
    const pairs = [];
    for (let i = 0; i < 48; i += 1) pairs.push(await connection()); // one at a time: accepted[] order = clients' order
    const jobs = pairs.map(({ fd, client }, i) => {
      const offset = (i * 65_537) % data.length;
      const length = Math.min(data.length - offset, 1024 * 1024 + i);
      const received = readAll(client, length);
      return { outcome: sendFile(fd, h.fd, offset, length, 10_000).done, received, offset, length };
    });
    for (const job of jobs) {
      expect(await job.outcome).toEqual({ ok: true, sent: job.length });
      expect(sha(await job.received)).toBe(sha(data.subarray(job.offset, job.offset + job.length)));
    }
  });

  it('ends with ECONNRESET or EPIPE when the client goes away mid-file, and closes its copies', async () => {
    writeFileSync(join(work, 'big-gone'), '');
    truncateSync(join(work, 'big-gone'), BIG);
    const h = await file('big-gone');
    const { fd, client } = await connection();
    const transfer = sendFile(fd, h.fd, 0, BIG, 10_000);
    await new Promise((resolve) => client.once('data', resolve));
    client.destroy();
    const outcome = await transfer.done;
    expect(outcome.ok).toBe(false);
    expect(['ECONNRESET', 'EPIPE']).toContain(outcome.ok ? '' : outcome.code);
    expect(outcome.sent).toBeLessThan(BIG);
    expect(openFiles('big-gone')).toBe(1); // the caller's handle only
  });

  it('ends with ETIMEDOUT when the client takes nothing for stalledMs', async () => {
    writeFileSync(join(work, 'big-stall'), '');
    truncateSync(join(work, 'big-stall'), BIG);
    const h = await file('big-stall');
    const { fd, client } = await connection();
    client.pause();
    const outcome = await sendFile(fd, h.fd, 0, BIG, 200).done;
    expect(outcome).toMatchObject({ ok: false, code: 'ETIMEDOUT' });
    expect(openFiles('big-stall')).toBe(1);
  });

  it('ends with ENODATA when the file is shorter than asked (never pads)', async () => {
    writeFileSync(join(work, 'shrinks'), '');
    truncateSync(join(work, 'shrinks'), BIG);
    const h = await file('shrinks');
    const { fd, client } = await connection();
    client.pause();
    const transfer = sendFile(fd, h.fd, 0, BIG, 10_000);
    // Before or after the first bytes left, the file now ends at 1 MiB of the 256 announced.
    truncateSync(join(work, 'shrinks'), 1024 * 1024);
    client.resume();
    const outcome = await transfer.done;
    expect(outcome).toMatchObject({ ok: false, code: 'ENODATA' });
    expect(outcome.sent).toBeLessThan(BIG);
  });

  it('cancel() ends a running transfer with ECANCELED; after the end it changes nothing', async () => {
    writeFileSync(join(work, 'big-cancel'), '');
    truncateSync(join(work, 'big-cancel'), BIG);
    const h = await file('big-cancel');
    const { fd, client } = await connection();
    client.pause();
    const transfer = sendFile(fd, h.fd, 0, BIG, 10_000);
    transfer.cancel();
    expect(await transfer.done).toMatchObject({ ok: false, code: 'ECANCELED' });
    expect(openFiles('big-cancel')).toBe(1);
    transfer.cancel();
    const small = await file('data');
    const next = await connection();
    const received = readAll(next.client, 100);
    const done = sendFile(next.fd, small.fd, 0, 100, 10_000);
    expect(await done.done).toEqual({ ok: true, sent: 100 });
    done.cancel();
    expect((await received).equals(data.subarray(0, 100))).toBe(true);
  });

  it('refuses what is not a socket and a regular file, and bad numbers, before sending anything', async () => {
    const h = await file('data');
    const { fd } = await connection();
    expect(() => sendFile(h.fd, h.fd, 0, 1, 1000)).toThrow(/not a socket and a regular file/);
    expect(() => sendFile(fd, fd, 0, 1, 1000)).toThrow(/not a socket and a regular file/);
    expect(() => sendFile(fd, h.fd, -1, 1, 1000)).toThrow(/offset >= 0/);
    expect(() => sendFile(fd, h.fd, 0, 0, 1000)).toThrow(/length > 0/);
    expect(() => sendFile(fd, h.fd, 0, 1, 0)).toThrow(/stalledMs > 0/);
    expect(() => sendFile(99_999, h.fd, 0, 1, 1000)).toThrow(/not a socket/);
  });

  it('survives worker threads that load it and end mid-transfer (their threads stop, their descriptors close)', async () => {
    writeFileSync(join(work, 'big-worker'), '');
    truncateSync(join(work, 'big-worker'), BIG);
    const addon = new URL('../../native/sendfile/index.js', import.meta.url).href;
    const script = join(work, 'workers.mjs');
    writeFileSync(
      script,
      `
      import { Worker, isMainThread, parentPort } from 'node:worker_threads';
      import { createServer, createConnection } from 'node:net';
      import { open } from 'node:fs/promises';
      import { readdirSync, readlinkSync } from 'node:fs';
      import { sendFile } from ${JSON.stringify(addon)};
      const file = ${JSON.stringify(join(work, 'big-worker'))};
      if (isMainThread) {
        for (let i = 0; i < 4; i++) {
          const w = new Worker(new URL(import.meta.url));
          await new Promise((r) => w.once('message', r));
          await w.terminate();
        }
        const open = readdirSync('/proc/self/fd').filter((fd) => { try { return readlinkSync('/proc/self/fd/' + fd) === file; } catch { return false; } });
        console.log(JSON.stringify({ open: open.length }));
      } else {
        const h = await open(file);
        const server = createServer((s) => { sendFile(s._handle.fd, h.fd, 0, ${BIG}, 60000); parentPort.postMessage('sending'); })
          .listen(0, '127.0.0.1', () => { const c = createConnection(server.address().port, '127.0.0.1'); c.pause(); c.on('error', () => {}); });
      }
    `,
    );
    const out = await new Promise<string>((resolve, reject) => execFile(process.execPath, [script], { timeout: 15_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout))));
    expect(JSON.parse(out)).toEqual({ open: 0 });
  });

  it('does not keep the process alive once its transfers have ended', async () => {
    // A child that loads the addon and sends one file must exit by itself.
    const script = `
      import { createServer, createConnection } from 'node:net';
      import { open } from 'node:fs/promises';
      import { sendFile } from '@epnbox/sendfile';
      const h = await open(${JSON.stringify(join(work, 'data'))});
      const server = createServer(async (s) => {
        const r = await sendFile(s._handle.fd, h.fd, 0, 1000, 5000).done;
        console.log(JSON.stringify(r)); s.destroy(); server.close(); await h.close();
      }).listen(0, '127.0.0.1', () => { const c = createConnection(server.address().port, '127.0.0.1'); c.on('data', () => {}); c.on('close', () => {}); c.on('end', () => c.destroy()); });
    `;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd(), timeout: 15_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
    expect(JSON.parse(out)).toEqual({ ok: true, sent: 1000 });
  });
});
