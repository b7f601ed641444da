import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TftpServer, type TftpServerOptions, type TftpTransferEvent } from '../../../appliance/netboot/tftp/tftp-server.ts';

/** Sizes around the 512-byte block edge, plus 1 MiB. */
export const SIZES = [0, 511, 512, 513, 1024 * 1024] as const;

export interface TftpFixture {
  readonly server: TftpServer;
  readonly port: number;
  /** The served root: f<size> files, boot/, symlinks in and out. */
  readonly root: string;
  /** A file beside the root that must never be served. */
  readonly secret: string;
  /** Reports in the order they came: transfers run on worker threads, so not always the order they ended in. */
  readonly events: TftpTransferEvent[];
  /** Resolves once every transfer started so far has reported (a client is done before its server says so). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** Bytes that differ from block to block, so a misplaced block cannot go unnoticed. */
export function pattern(size: number, seed = 0): Buffer {
  const buf = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i += 1) buf[i] = (i * 131 + (i >> 9) * 7 + seed) & 255;
  return buf;
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Options every fixture of this test file starts with (before its own): the node:dgram
 * fallback suite (tftp-dgram-fallback.test.ts) sets `nativeDatagram: false` here.
 */
export const fixtureDefaults: { nativeDatagram?: boolean } = {};

/** A root in a unique temp dir and a server on 127.0.0.1 at a free port. */
export async function startTftpFixture(options: Partial<TftpServerOptions> = {}, fixture: { linksMayLeaveRoot?: boolean } = {}): Promise<TftpFixture> {
  const base = realpathSync(mkdtempSync(path.join(tmpdir(), 'epnbox-tftp-')));
  const root = path.join(base, 'root');
  mkdirSync(path.join(root, 'boot'), { recursive: true });
  for (const size of SIZES) writeFileSync(path.join(root, `f${size}`), pattern(size, size));
  writeFileSync(path.join(root, 'boot', 'hello.txt'), 'hello\nworld\n');
  const secret = path.join(base, 'secret.txt');
  writeFileSync(secret, 'not for TFTP clients\n');
  symlinkSync('../secret.txt', path.join(root, 'escape'));
  symlinkSync(base, path.join(root, 'up'));
  symlinkSync('f513', path.join(root, 'alias'));
  const events: TftpTransferEvent[] = [];
  const server = new TftpServer({
    root,
    host: '127.0.0.1',
    port: 0,
    // Tests fire many requests from one address; the limits have their own tests.
    requestRate: { burst: 1000, perSecond: 1000, maxClients: 100 },
    maxTransfersPerClient: 64,
    // The temp dir holding the root (and the secret): for the symlinkTargets test.
    ...(fixture.linksMayLeaveRoot === true ? { symlinkTargets: [base] } : {}),
    ...fixtureDefaults,
    ...options,
    onTransferEnd: (event) => {
      events.push(event);
      options.onTransferEnd?.(event);
    },
  });
  const { port } = await server.listen();
  return {
    server,
    port,
    root,
    secret,
    events,
    settled: () => waitFor(() => server.activeTransfers === 0, 'every transfer to report'),
    close: async () => {
      await server.close();
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** Open descriptors of this process (the server runs in it). */
export function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Polls until `check` holds; a generous bound, not a measurement. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
