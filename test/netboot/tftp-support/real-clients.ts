import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface ClientRun {
  /** The file as the client wrote it; undefined when it wrote none. */
  readonly data: Buffer | undefined;
  readonly code: number;
  readonly output: string;
}

export type RealClient = 'curl' | 'tftp-hpa' | 'atftp';

export interface FetchOptions {
  readonly blockSize?: number;
  readonly tsize?: boolean;
  readonly windowSize?: number;
  /** curl only: `--tftp-no-options` (plain RFC 1350 request). */
  readonly noOptions?: boolean;
}

/** Each client bounded in time: a hang is a failure, not a stuck test run. */
const CLIENT_TIMEOUT_MS = 60_000;

function exec(cmd: string, args: string[], encoding: 'buffer' | 'utf8' = 'utf8'): Promise<{ stdout: Buffer | string; code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding, maxBuffer: 256 * 1024 * 1024, timeout: CLIENT_TIMEOUT_MS }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ stdout, code, output: `${String(stderr)}${encoding === 'utf8' ? String(stdout) : ''}` });
    });
  });
}

/**
 * curl writes to stdout, so an empty file is an empty buffer rather than no file;
 * --path-as-is sends `..` segments as written instead of resolving them.
 */
export async function curlFetch(port: number, file: string, options: FetchOptions = {}): Promise<ClientRun> {
  const args = ['-sS', '--path-as-is', '--max-time', '50', `tftp://127.0.0.1:${port}/${file}`];
  if (options.blockSize !== undefined) args.push('--tftp-blksize', String(options.blockSize));
  if (options.noOptions === true) args.push('--tftp-no-options');
  const run = await exec('curl', args, 'buffer');
  return { data: run.code === 0 ? (run.stdout as Buffer) : undefined, code: run.code, output: run.output };
}

/** tftp-hpa 5.2: RFC 1350 only (512-byte blocks, no options). */
export async function tftpHpaFetch(port: number, file: string, mode: 'binary' | 'ascii' = 'binary'): Promise<ClientRun> {
  return intoTempFile((out) => exec('tftp', ['127.0.0.1', String(port), '-m', mode, '-c', 'get', file, out]));
}

export async function atftpFetch(port: number, file: string, options: FetchOptions = {}): Promise<ClientRun> {
  const args: string[] = [];
  if (options.blockSize !== undefined) args.push('--option', `blksize ${options.blockSize}`);
  if (options.tsize === true) args.push('--option', 'tsize enable');
  if (options.windowSize !== undefined) args.push('--option', `windowsize ${options.windowSize}`);
  return intoTempFile((out) => exec('atftp', [...args, '-g', '-r', file, '-l', out, '127.0.0.1', String(port)]));
}

export function fetchWith(client: RealClient, port: number, file: string, options: FetchOptions = {}): Promise<ClientRun> {
  if (client === 'curl') return curlFetch(port, file, options);
  if (client === 'atftp') return atftpFetch(port, file, options);
  return tftpHpaFetch(port, file);
}

async function intoTempFile(run: (out: string) => Promise<{ code: number; output: string }>): Promise<ClientRun> {
  const dir = mkdtempSync(path.join(tmpdir(), 'epnbox-tftp-client-'));
  try {
    const out = path.join(dir, 'out');
    const result = await run(out);
    let data: Buffer | undefined;
    try {
      data = readFileSync(out);
    } catch {
      data = undefined;
    }
    return { data, code: result.code, output: result.output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
