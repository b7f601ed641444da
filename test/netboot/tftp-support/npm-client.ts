import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';

/** The few parts of the npm `tftp` 0.1.2 client used here (the package ships no types). */
interface NpmTftpModule {
  createClient(options: { host: string; port: number; blockSize?: number; windowSize?: number; retries?: number; timeout?: number }): {
    createGetStream(file: string): Readable & { on(event: 'stats', listener: (stats: { blockSize: number; windowSize: number; size: number | null }) => void): unknown };
  };
}

const npmTftp = createRequire(import.meta.url)('tftp') as NpmTftpModule;

export interface NpmFetch {
  readonly data: Buffer;
  readonly blockSize: number;
  readonly windowSize: number;
  readonly size: number | null;
}

/**
 * Downloads with the npm `tftp` client, in process: it negotiates windowsize and
 * rollover, which tftp-hpa and curl do not. Only ever a client here: as a server the
 * package fails the regression tests of docs/netboot.md.
 */
export function npmFetch(port: number, file: string, options: { blockSize?: number; windowSize?: number } = {}): Promise<NpmFetch> {
  const client = npmTftp.createClient({ host: '127.0.0.1', port, blockSize: options.blockSize ?? 1468, windowSize: options.windowSize ?? 4, retries: 3, timeout: 2000 });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let stats = { blockSize: 0, windowSize: 0, size: null as number | null };
    const stream = client.createGetStream(file);
    stream.on('stats', (s) => {
      stats = s;
    });
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve({ data: Buffer.concat(chunks), ...stats }));
  });
}
