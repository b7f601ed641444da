import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { Agent, get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../api/shared/clock.ts';
import { httpBootRoutes } from '../../appliance/netboot/http-boot/http-boot-routes.ts';
import { describeBodyPath } from '../../appliance/netboot/http-boot/zero-copy.ts';
import { ImageCatalogue } from '../../provisioning/boot/image-catalogue.ts';

/**
 * How artifact bodies leave the server (pooled buffers written to the socket):
 * a client that goes away mid-file or a file that shrinks mid-response leaves no
 * open file behind, concurrent downloads of different files never mix their
 * bytes, and each download is logged with the station's MAC. 127.0.0.1 only.
 */
let app: FastifyInstance;
let base: string;
let work: string;
let imagesDir: string;
const lines: Record<string, unknown>[] = [];
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const small = { a: randomBytes(2 * 1024 * 1024 + 17), b: randomBytes(3 * 1024 * 1024 + 5), c: randomBytes(1024 * 1024) };
const BIG = 64 * 1024 * 1024;

async function sealed(version: string, files: Record<string, Buffer | number>): Promise<void> {
  const dir = join(imagesDir, 'kiosk', version);
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    if (typeof content === 'number') {
      writeFileSync(join(dir, name), '');
      truncateSync(join(dir, name), content); // sparse: large without writing it
    } else writeFileSync(join(dir, name), content);
  }
  await new ImageCatalogue(imagesDir).seal('kiosk', version, 0);
}

/** pino's JSON lines, parsed. */
function lineCollector(into: Record<string, unknown>[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) into.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'epnbox-http-stream-'));
  imagesDir = join(work, 'images');
  await sealed('1', small);
  await sealed('2', { 'big.squashfs': BIG });
  await sealed('3', { 'shrinks.squashfs': BIG });
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** The route on 127.0.0.1, its log lines in `lines`; the file the shrink test cuts is whole again. */
async function startRoute(zeroCopy: boolean): Promise<void> {
  truncateSync(join(imagesDir, 'kiosk', '3', 'shrinks.squashfs'), BIG);
  lines.length = 0;
  app = Fastify({ logger: { level: 'info', stream: lineCollector(lines) } }).withTypeProvider<TypeBoxTypeProvider>();
  const booter = { scriptFor: () => Promise.reject(new Error('not used here')) };
  const macOf = async (ip: string) => (ip === '127.0.0.1' ? '52:54:00:12:34:56' : undefined);
  await app.register(httpBootRoutes, { booter, catalogue: new ImageCatalogue(imagesDir), clock: new FakeClock(), baseUrl: '', scriptRequestsPerMinute: 30, macOf, zeroCopy });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
}

/** Files of this image the test process (the server) holds open. */
function openFilesOf(version: string): string[] {
  const dir = join(imagesDir, 'kiosk', version);
  const targets = readdirSync('/proc/self/fd').map((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return ''; // closed between the listing and the readlink
    }
  });
  return targets.filter((t) => t.startsWith(dir));
}

function request(path: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => get(`${base}${path}`, { agent: false }, resolve).on('error', reject));
}

function download(path: string): Promise<Buffer> {
  return request(path).then(
    (res) =>
      new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
      }),
  );
}

/** Reads the first chunk of a response, then stops reading: the server is left mid-file. */
async function stalled(path: string): Promise<{ res: IncomingMessage; received: () => number }> {
  const res = await request(path);
  let received = 0;
  await new Promise<void>((resolve) => res.once('data', (c: Buffer) => ((received += c.length), resolve())));
  res.pause();
  res.on('data', (c: Buffer) => (received += c.length));
  return { res, received: () => received };
}

const logged = (file: string) => lines.filter((l) => l['file'] === file && typeof l['outcome'] === 'string');

it('has the sendfile addon built and loaded (native/sendfile, built by node-gyp at npm ci)', () => {
  // A missing addon is a failure here (CI and elsewhere): the appliance would fall back to the slower path.
  expect(describeBodyPath(), 'run `npm ci` (node-gyp needs python3, make, g++ and the Node headers)').toBe('sendfile');
});

it('says at start when the addon is missing, and serves through the buffers', async () => {
  const seen: Record<string, unknown>[] = [];
  const app2 = Fastify({ logger: { level: 'info', stream: lineCollector(seen) } }).withTypeProvider<TypeBoxTypeProvider>();
  const bodies = { kind: 'buffers' as const, reason: '@epnbox/sendfile not loaded: Cannot find module build/Release/sendfile.node' };
  await app2.register(httpBootRoutes, { booter: { scriptFor: () => Promise.reject(new Error('unused')) }, catalogue: new ImageCatalogue(imagesDir), clock: new FakeClock(), baseUrl: '', scriptRequestsPerMinute: 30, bodies });
  const url = await app2.listen({ host: '127.0.0.1', port: 0 });
  try {
    expect(seen.find((l) => String(l['msg']).startsWith('http boot: no sendfile(2)'))).toMatchObject({ level: 40, reason: bodies.reason });
    const body = await new Promise<Buffer>((resolve, reject) =>
      get(`${url}/boot/images/kiosk/1/b`, { agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
      }).on('error', reject),
    );
    expect(sha(body)).toBe(sha(small.b));
    await vi.waitFor(() => expect(seen.find((l) => l['file'] === 'b')).toMatchObject({ outcome: 'sent', body: 'buffers' }), { timeout: 10_000, interval: 20 });
  } finally {
    await app2.close();
  }
});

// Both body paths: sendfile(2) through the addon (whole files, single ranges) and the pooled buffers.
describe.each([
  { path: 'sendfile', zeroCopy: true },
  { path: 'buffers', zeroCopy: false },
])('artifact bodies ($path)', ({ path, zeroCopy }) => {
  beforeAll(() => startRoute(zeroCopy));
  afterAll(() => app?.close());

  it('serves different files to concurrent clients, each with its own bytes', async () => {
    const names = ['a', 'b', 'c', 'a', 'b', 'c', 'b', 'a'] as const;
    const bodies = await Promise.all(names.map((n) => download(`/boot/images/kiosk/1/${n}`)));
    names.forEach((n, i) => expect(sha(bodies[i]!), `${n} #${i}`).toBe(sha(small[n])));
    // The last bytes can reach the client a moment before the server closes its file.
    await vi.waitFor(() => expect(openFilesOf('1')).toEqual([]), { timeout: 10_000, interval: 20 });
  });

  it('leaves a kept-alive connection usable for the next request (a range, then the whole file)', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const sockets: unknown[] = [];
      const fetch = (path: string, headers: Record<string, string> = {}) =>
        new Promise<Buffer>((resolve, reject) =>
          get(`${base}${path}`, { agent, headers }, (res) => {
            sockets.push(res.socket);
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
          }).on('error', reject),
        );
      expect((await fetch('/boot/images/kiosk/1/b', { range: 'bytes=10-1048585' })).equals(small.b.subarray(10, 1048586))).toBe(true);
      expect(sha(await fetch('/boot/images/kiosk/1/b'))).toBe(sha(small.b));
      expect(sockets[1]).toBe(sockets[0]);
    } finally {
      agent.destroy();
    }
  });

  it('closes the file when the client disconnects mid-file, and logs the abort with the MAC', async () => {
    const { res, received } = await stalled('/boot/images/kiosk/2/big.squashfs');
    expect(Number(res.headers['content-length'])).toBe(BIG);
    expect(openFilesOf('2').length).toBeGreaterThan(0); // the file, and the addon's duplicate on the sendfile path
    res.destroy();
    await vi.waitFor(() => expect(openFilesOf('2')).toEqual([]), { timeout: 10_000, interval: 20 });
    expect(received()).toBeLessThan(BIG);
    await vi.waitFor(() => expect(logged('big.squashfs')).toHaveLength(1), { timeout: 10_000, interval: 20 });
    expect(logged('big.squashfs')[0]).toMatchObject({ mac: '52:54:00:12:34:56', ip: '127.0.0.1', image: 'kiosk 2', status: 200, outcome: 'aborted', body: path });
  });

  it('cuts off a client that stops reading, and closes the file', async () => {
    const seen: Record<string, unknown>[] = [];
    const strict = Fastify({ logger: { level: 'info', stream: lineCollector(seen) } }).withTypeProvider<TypeBoxTypeProvider>();
    await strict.register(httpBootRoutes, { booter: { scriptFor: () => Promise.reject(new Error('unused')) }, catalogue: new ImageCatalogue(imagesDir), clock: new FakeClock(), baseUrl: '', scriptRequestsPerMinute: 30, stalledClientMs: 200, zeroCopy });
    const url = await strict.listen({ host: '127.0.0.1', port: 0 });
    let res: IncomingMessage | undefined;
    try {
      const response = await new Promise<IncomingMessage>((resolve, reject) => get(`${url}/boot/images/kiosk/2/big.squashfs`, { agent: false }, resolve).on('error', reject));
      res = response;
      await new Promise((resolve) => response.once('data', resolve));
      response.pause(); // and never resume: only the server can end this download
      expect(openFilesOf('2').length).toBeGreaterThan(0); // the file, and the addon's duplicate on the sendfile path
      await vi.waitFor(() => expect(openFilesOf('2')).toEqual([]), { timeout: 10_000, interval: 20 });
      await vi.waitFor(() => expect(seen.find((l) => l['file'] === 'big.squashfs')).toMatchObject({ outcome: 'aborted', body: path }), { timeout: 10_000, interval: 20 });
    } finally {
      res?.destroy();
      await strict.close();
    }
  });

  it('completes a download that lasts longer than the server keeps a silent connection', async () => {
    // The appliance closes connections silent for 72 s (build-app.ts); here 200 ms, and a client taking ~1 s.
    const idle = Fastify({ connectionTimeout: 200 }).withTypeProvider<TypeBoxTypeProvider>();
    await idle.register(httpBootRoutes, { booter: { scriptFor: () => Promise.reject(new Error('unused')) }, catalogue: new ImageCatalogue(imagesDir), clock: new FakeClock(), baseUrl: '', scriptRequestsPerMinute: 30, zeroCopy });
    const url = await idle.listen({ host: '127.0.0.1', port: 0 });
    try {
      const res = await new Promise<IncomingMessage>((resolve, reject) => get(`${url}/boot/images/kiosk/2/big.squashfs`, { agent: false }, resolve).on('error', reject));
      let received = 0;
      let nextPause = 1024 * 1024;
      const ended = await new Promise<boolean>((resolve) => {
        res.on('data', (c: Buffer) => {
          received += c.length;
          if (received < nextPause) return;
          nextPause += 4 * 1024 * 1024;
          res.pause();
          setTimeout(() => res.resume(), 60);
        });
        res.on('end', () => resolve(true));
        res.on('error', () => resolve(false));
        res.on('close', () => resolve(res.complete));
      });
      expect({ ended, received }).toEqual({ ended: true, received: BIG });
    } finally {
      await idle.close();
    }
  });

  it('cuts the connection (never pads) and closes the file when the file shrinks mid-response', async () => {
    const { res, received } = await stalled('/boot/images/kiosk/3/shrinks.squashfs');
    truncateSync(join(imagesDir, 'kiosk', '3', 'shrinks.squashfs'), 0);
    const ended = new Promise<string>((resolve) => {
      res.on('end', () => resolve('end')).on('aborted', () => resolve('aborted')).on('error', () => resolve('error')).on('close', () => resolve('close'));
    });
    res.resume();
    expect(await ended).not.toBe('end');
    expect(received()).toBeLessThan(BIG);
    await vi.waitFor(() => expect(openFilesOf('3')).toEqual([]), { timeout: 10_000, interval: 20 });
    await vi.waitFor(() => expect(logged('shrinks.squashfs')).toHaveLength(1), { timeout: 10_000, interval: 20 });
    expect(logged('shrinks.squashfs')[0]).toMatchObject({ mac: '52:54:00:12:34:56', outcome: 'failed', body: path });
  });

  it('logs a complete download with the MAC, the image and the bytes sent', async () => {
    const before = logged('c').length;
    await download('/boot/images/kiosk/1/c');
    // The log line follows the file's close, which can come a moment after the client's last byte.
    await vi.waitFor(() => expect(logged('c')).toHaveLength(before + 1), { timeout: 10_000, interval: 20 });
    expect(logged('c').at(-1)).toMatchObject({ mac: '52:54:00:12:34:56', ip: '127.0.0.1', image: 'kiosk 1', file: 'c', status: 200, bytes: small.c.length, outcome: 'sent', body: path });
  });

  it('logs "unknown" when the neighbour table has no entry for the address', async () => {
    // The route's default reads /proc/net/arp; 127.0.0.1 is never in it.
    const seen: Record<string, unknown>[] = [];
    const plain = Fastify({ logger: { level: 'info', stream: lineCollector(seen) } }).withTypeProvider<TypeBoxTypeProvider>();
    await plain.register(httpBootRoutes, { booter: { scriptFor: () => Promise.reject(new Error('unused')) }, catalogue: new ImageCatalogue(imagesDir), clock: new FakeClock(), baseUrl: '', scriptRequestsPerMinute: 30, zeroCopy });
    const url = await plain.listen({ host: '127.0.0.1', port: 0 });
    try {
      const body = await new Promise<Buffer>((resolve, reject) =>
        get(`${url}/boot/images/kiosk/1/a`, { agent: false }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks)));
        }).on('error', reject),
      );
      expect(sha(body)).toBe(sha(small.a));
      await vi.waitFor(() => expect(seen.some((l) => l['file'] === 'a')).toBe(true), { timeout: 10_000, interval: 20 });
      expect(seen.find((l) => l['file'] === 'a')).toMatchObject({ mac: 'unknown', outcome: 'sent' });
    } finally {
      await plain.close();
    }
  });
});
