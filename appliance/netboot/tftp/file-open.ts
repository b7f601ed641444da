import fs from 'node:fs';
import { stampOf, type FileCache } from './file-cache.ts';
import { DescriptorSource, MemorySource, type FileSource, type SourceSpec } from './file-source.ts';
import { toNetascii } from './netascii.ts';

export type TransferMode = 'octet' | 'netascii';

export type OpenRefusal =
  | 'not-found' // missing, vanished, or not a regular file
  | 'access-denied' // the server process may not read it
  | 'outside-root' // the descriptor does not point where the checked path did
  | 'netascii-too-large'
  | 'io-error';

/** A file ready to be sent: its size for tsize, then a source once the block size is known. */
export interface OpenedFile {
  readonly size: number;
  createSource(blockSize: number): FileSource;
  /** The same for a transfer worker; a descriptor passes to it (the worker closes it). */
  handOff(): SourceSpec;
  /** For a file that will not be sent after all. */
  close(): void;
}

export type OpenResult = { readonly ok: true; readonly file: OpenedFile } | { readonly ok: false; readonly reason: OpenRefusal; readonly detail: string };

export interface OpenOptions {
  readonly mode: TransferMode;
  readonly cache: FileCache;
  /** netascii converts in memory, so it is limited to files up to this size. */
  readonly netasciiMaxBytes: number;
}

// O_NONBLOCK: opening a FIFO planted in the root must not hang the thread.
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOFOLLOW;

/**
 * Opens a path that resolveInRoot() accepted. The descriptor is checked again
 * through /proc/self/fd, so a symlink swapped in between the check and the open
 * is caught; then small files come from (or go to) the memory cache and the
 * descriptor is closed at once, large ones are read while they are sent.
 *
 * open, readlink, fstat and close are synchronous: each takes microseconds on
 * the box's local root, where through the thread pool each was a hop to another
 * thread and back (~50–100 µs on these VMs): ~0.3 ms of the time between a
 * read request and the first packet, for every transfer. Only reading a file
 * into the cache (up to 8 MiB, once per change) stays asynchronous.
 */
export async function openFile(realPath: string, options: OpenOptions): Promise<OpenResult> {
  let fd: number;
  try {
    fd = fs.openSync(realPath, OPEN_FLAGS);
  } catch (err) {
    return refuse(errorCode(err) === 'EACCES' ? 'access-denied' : 'not-found', err);
  }
  let result: OpenResult;
  try {
    result = await inspect(fd, realPath, options);
  } catch (err) {
    result = refuse('io-error', err);
  }
  // Only a streamed file keeps its descriptor; it closes it with its source.
  if (!(result.ok && result.file instanceof StreamedFile)) closeQuietly(fd);
  return result;
}

async function inspect(fd: number, realPath: string, options: OpenOptions): Promise<OpenResult> {
  const linked = fs.readlinkSync(`/proc/self/fd/${fd}`);
  if (linked !== realPath) return { ok: false, reason: 'outside-root', detail: 'file changed during lookup' };
  const stats = fs.fstatSync(fd);
  if (!stats.isFile()) return { ok: false, reason: 'not-found', detail: 'not a regular file' };
  const stamp = stampOf(stats);
  const wantWhole = options.mode === 'netascii' || options.cache.accepts(stats.size);
  if (options.mode === 'netascii' && stats.size > options.netasciiMaxBytes) {
    return { ok: false, reason: 'netascii-too-large', detail: `${stats.size} bytes` };
  }
  if (!wantWhole) return { ok: true, file: new StreamedFile(fd, stats.size) };
  let data = options.cache.get(realPath, stamp);
  if (data === undefined) {
    data = await readWhole(fd, stats.size);
    options.cache.set(realPath, stamp, data);
  }
  return { ok: true, file: inMemory(options.mode === 'netascii' ? toNetascii(data) : data) };
}

class StreamedFile implements OpenedFile {
  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  createSource(blockSize: number): FileSource {
    return new DescriptorSource(this.fd, this.size, blockSize);
  }

  handOff(): SourceSpec {
    return { kind: 'fd', fd: this.fd, size: this.size };
  }

  close(): void {
    closeQuietly(this.fd);
  }
}

function inMemory(data: Buffer): OpenedFile {
  return { size: data.length, createSource: () => new MemorySource(data), handOff: () => ({ kind: 'memory', data }), close: () => {} };
}

/**
 * Reads up to `size` bytes; a file that shrinks meanwhile is served as it was read.
 * The bytes live in a SharedArrayBuffer: cached files are never written after this,
 * and transfer workers then read them in place instead of receiving a copy.
 */
async function readWhole(fd: number, size: number): Promise<Buffer> {
  const buf = Buffer.from(new SharedArrayBuffer(size));
  let at = 0;
  while (at < size) {
    const n = await fsCall<number>((cb) => fs.read(fd, buf, at, size - at, at, cb));
    if (n === 0) break;
    at += n;
  }
  return at === size ? buf : buf.subarray(0, at);
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Closing a descriptor we opened only fails if it is already gone: nothing to do.
  }
}

function fsCall<T>(start: (cb: (err: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((err, value) => (err ? reject(err) : resolve(value))));
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

function refuse(reason: OpenRefusal, err: unknown): OpenResult {
  return { ok: false, reason, detail: errorCode(err) ?? String(err) };
}
