import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../support/require-tool.ts';
import { fetchWith, tftpHpaFetch, type FetchOptions, type RealClient } from './tftp-support/real-clients.ts';
import { pattern, sha256, SIZES, startTftpFixture, waitFor, type TftpFixture } from './tftp-support/tftp-fixture.ts';

/*
 * Real clients from Debian (curl, tftp-hpa, atftp) against the server on
 * loopback: every size around the block edge, every negotiable option, and the
 * iPXE binaries stations really fetch, compared by sha256.
 */

const IPXE_DIR = '/usr/lib/ipxe';
const IPXE_FILES = ['undionly.kpxe', 'ipxe.efi', 'snponly.efi'];

let fx: TftpFixture;
let wide: TftpFixture;

beforeAll(async () => {
  requireTools('curl', 'tftp', 'atftp');
  const missing = IPXE_FILES.filter((f) => !existsSync(path.join(IPXE_DIR, f)));
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')} in ${IPXE_DIR}: apt-get install --no-install-recommends ipxe`);
  fx = await startTftpFixture();
  // copyFile follows Debian's /usr/lib/ipxe/ipxe.efi -> /boot/ipxe.efi link: the root holds real files.
  for (const file of IPXE_FILES) copyFileSync(path.join(IPXE_DIR, file), path.join(fx.root, 'boot', file));
  wide = await startTftpFixture({ maxBlockSize: 65464, maxWindowSize: 16 });
});

afterAll(async () => {
  await fx?.close();
  await wide?.close();
});

const variants: [RealClient, FetchOptions][] = [
  ['tftp-hpa', {}],
  ['curl', {}],
  ['curl', { blockSize: 1468 }],
  ['curl', { blockSize: 8192 }], // above the 1468 cap: the server answers 1468
  ['atftp', {}],
  ['atftp', { blockSize: 1468, tsize: true }],
  ['atftp', { blockSize: 1468, tsize: true, windowSize: 8 }],
];

describe.each(variants)('%s %j fetches every size intact', (client, options) => {
  it.each(SIZES)('%i bytes', async (size) => {
    // curl 7.88 rejects "tsize 0" in an OACK ("invalid tsize"), from tftpd-hpa alike:
    // it can fetch an empty file only without options.
    const quirk = client === 'curl' && size === 0 ? { noOptions: true } : {};
    const run = await fetchWith(client, fx.port, `f${size}`, { ...options, ...quirk });
    expect(run.code, run.output).toBe(0);
    expect(sha256(run.data ?? Buffer.alloc(0))).toBe(sha256(pattern(size, size)));
  });
});

describe('the iPXE binaries of Debian’s ipxe package', () => {
  it.each(IPXE_FILES.flatMap((file) => variants.map(([client, options]) => [file, client, options] as const)))('%s by %s %j', async (file, client, options) => {
    const run = await fetchWith(client, fx.port, `boot/${file}`, options);
    expect(run.code, run.output).toBe(0);
    expect(sha256(run.data ?? Buffer.alloc(0))).toBe(sha256(readFileSync(path.join(IPXE_DIR, file))));
  });
});

describe('large blocks when the cap allows them', () => {
  it.each([
    ['curl', { blockSize: 8192 }],
    ['atftp', { blockSize: 65464, tsize: true }],
    // window x block must fit the client's socket buffer (atftp: ~200 KB by default).
    ['atftp', { blockSize: 8192, windowSize: 4 }],
  ] as [RealClient, FetchOptions][])('%s %j', async (client, options) => {
    const before = wide.events.length;
    const run = await fetchWith(client, wide.port, 'f1048576', options);
    expect(run.code, run.output).toBe(0);
    expect(sha256(run.data ?? Buffer.alloc(0))).toBe(sha256(pattern(1048576, 1048576)));
    // The end is reported by the transfer's worker thread, a moment after the last ACK.
    await waitFor(() => wide.events.length > before, 'the transfer to be reported');
    const last = wide.events.at(-1);
    expect(last).toMatchObject({ outcome: 'complete', blockSize: options.blockSize, bytesSent: 1048576 });
  });
});

describe('netascii', () => {
  it('tftp-hpa in ascii mode gets the text back with its own line ends', async () => {
    const before = fx.events.length;
    const run = await tftpHpaFetch(fx.port, 'boot/hello.txt', 'ascii');
    expect(run.code, run.output).toBe(0);
    expect(run.data?.toString('latin1')).toBe('hello\nworld\n');
    await waitFor(() => fx.events.length > before, 'the transfer to be reported');
    expect(fx.events.at(-1)).toMatchObject({ mode: 'netascii', outcome: 'complete', bytesSent: 14 });
  });
});
