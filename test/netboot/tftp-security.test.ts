import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRequest } from '../../appliance/netboot/tftp/packet-encode.ts';
import { ErrorCode, Opcode } from '../../appliance/netboot/tftp/packets.ts';
import { requireTools } from '../support/require-tool.ts';
import { RawPeer } from './tftp-support/raw-peer.ts';
import { atftpFetch, curlFetch, tftpHpaFetch } from './tftp-support/real-clients.ts';
import { pattern, startTftpFixture, type TftpFixture } from './tftp-support/tftp-fixture.ts';

/*
 * Nothing outside the root is ever sent, nothing is ever written: names with
 * `..`, absolute names, symlinks leaving the root, uploads. Raw requests show the
 * exact ERROR code; real clients show nothing leaks through their own encodings.
 */

let fx: TftpFixture;
let peer: RawPeer;

beforeAll(async () => {
  requireTools('curl', 'tftp', 'atftp');
  fx = await startTftpFixture({ mapPath: (file) => (file === 'nul-mapped' ? 'f0\0../x' : undefined) });
  peer = await RawPeer.open();
});

afterAll(async () => {
  peer?.close();
  await fx?.close();
});

async function errorFor(file: string, mode = 'octet'): Promise<{ code: number; message: string }> {
  peer.drain();
  peer.rrq(fx.port, file, [], mode);
  const reply = await peer.next();
  if (reply.packet?.opcode !== Opcode.ERROR) throw new Error(`expected ERROR for ${file}, got ${reply.raw.toString('hex')}`);
  return { code: reply.packet.code, message: reply.packet.message };
}

describe('names that leave the root get ERROR 2 (access violation)', () => {
  it.each(['../secret.txt', 'boot/../../secret.txt', '..', 'boot/..', '/etc/passwd', '/f512'])('%s', async (name) => {
    expect(await errorFor(name)).toEqual({ code: ErrorCode.ACCESS_VIOLATION, message: 'Access violation' });
  });

  it('symlinks resolving outside the root (to a file, through a directory)', async () => {
    expect((await errorFor('escape')).code).toBe(ErrorCode.ACCESS_VIOLATION);
    expect((await errorFor('up/secret.txt')).code).toBe(ErrorCode.ACCESS_VIOLATION);
  });

  it('a NUL smuggled in by the path mapper', async () => {
    expect((await errorFor('nul-mapped')).code).toBe(ErrorCode.ACCESS_VIOLATION);
  });

  it('symlinkTargets opens one more directory to links (Debian 12: /usr/lib/ipxe/ipxe.efi -> /boot), never to names', async () => {
    const allowing = await startTftpFixture({}, { linksMayLeaveRoot: true });
    try {
      const linked = await curlFetch(allowing.port, 'escape');
      expect(linked.data?.toString()).toBe('not for TFTP clients\n');
      const named = await curlFetch(allowing.port, '../secret.txt');
      expect(named.data).toBeUndefined();
      expect(allowing.events.at(-1)).toMatchObject({ outcome: 'refused', errorCode: ErrorCode.ACCESS_VIOLATION });
    } finally {
      await allowing.close();
    }
  });

  it('a symlink that stays inside the root is served', async () => {
    const run = await curlFetch(fx.port, 'alias');
    expect(run.data?.equals(pattern(513, 513))).toBe(true);
  });
});

describe('other refusals', () => {
  it('missing files and directories get ERROR 1', async () => {
    expect(await errorFor('missing.efi')).toEqual({ code: ErrorCode.FILE_NOT_FOUND, message: 'File not found' });
    expect((await errorFor('boot')).code).toBe(ErrorCode.FILE_NOT_FOUND);
  });

  it('mode "mail" (and any unknown mode) gets ERROR 4', async () => {
    expect((await errorFor('f512', 'mail')).code).toBe(ErrorCode.ILLEGAL_OPERATION);
    expect((await errorFor('f512', 'binary')).code).toBe(ErrorCode.ILLEGAL_OPERATION);
  });

  it('every refusal is reported to onTransferEnd with its code', () => {
    const refused = fx.events.filter((e) => e.outcome === 'refused');
    expect(refused.length).toBeGreaterThanOrEqual(10);
    expect(refused.every((e) => e.errorCode !== undefined && e.path === undefined && e.bytesSent === 0)).toBe(true);
  });
});

describe('real clients cannot read outside the root', () => {
  it('tftp-hpa: ../ and absolute paths', async () => {
    for (const name of ['../secret.txt', fx.secret]) {
      const run = await tftpHpaFetch(fx.port, name);
      expect(run.output).toContain('Error code 2: Access violation');
      expect(run.data === undefined || run.data.length === 0).toBe(true);
    }
  });

  it('curl --path-as-is: ../, absolute path and the escaping symlink', async () => {
    for (const name of ['../secret.txt', `/${fx.secret}`, 'escape']) {
      const run = await curlFetch(fx.port, name);
      expect(run.code, name).not.toBe(0);
      expect(run.data).toBeUndefined();
    }
  });

  it('atftp: the escaping symlink and ../', async () => {
    for (const name of ['escape', '../secret.txt']) {
      const run = await atftpFetch(fx.port, name, { blockSize: 1468, tsize: true });
      expect(run.code, name).not.toBe(0);
      expect(run.output).toContain('Access violation');
    }
  });
});

describe('uploads are refused (the npm `tftp` server accepted them by default)', () => {
  it('a raw WRQ gets ERROR 2 and nothing is created', async () => {
    peer.drain();
    peer.send(encodeRequest(Opcode.WRQ, 'upload.bin', 'octet', new Map([['tsize', '3']])), fx.port);
    const reply = await peer.next();
    expect(reply.packet).toMatchObject({ opcode: Opcode.ERROR, code: ErrorCode.ACCESS_VIOLATION });
    expect(existsSync(path.join(fx.root, 'upload.bin'))).toBe(false);
  });

  it('tftp-hpa put is refused and writes nothing', async () => {
    const output = await new Promise<string>((resolve) => {
      execFile('tftp', ['127.0.0.1', String(fx.port), '-m', 'binary', '-c', 'put', '/etc/hostname', 'hostname'], { timeout: 30_000 }, (_err, stdout, stderr) => resolve(`${stdout}${stderr}`));
    });
    expect(output).toContain('Error code 2');
    expect(existsSync(path.join(fx.root, 'hostname'))).toBe(false);
  });
});
