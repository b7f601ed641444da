import fs from 'node:fs';
import { SyncDescriptorSource } from './sync-descriptor-source.ts';

/**
 * The bytes one transfer sends. `read` copies from `position` into a packet
 * buffer and returns how many bytes it copied; it answers synchronously when the
 * bytes are in memory, which keeps the lock-step round trip short.
 */
export interface FileSource {
  readonly size: number;
  read(target: Buffer, targetOffset: number, position: number, length: number): number | Promise<number>;
  /** Releases the file descriptor (after any read in flight). Idempotent. */
  close(): void;
  /**
   * Memory sources only: the bytes at `position` (at most `length`) as a view, not a copy,
   * for a socket that sends a header and a body as one datagram (peer-socket.ts sendParts).
   */
  view?(position: number, length: number): Buffer;
  /**
   * Called after each burst of sends, while the client has its turn: a source
   * that reads ahead synchronously does it here (sync-descriptor-source.ts).
   */
  readAhead?(): void;
}

/**
 * What a transfer worker needs to build a FileSource (structured-clonable): a
 * descriptor the worker then owns and closes, or bytes — a view on the cache's
 * SharedArrayBuffer, so no copy of the boot loader crosses the thread boundary.
 */
export type SourceSpec = { readonly kind: 'fd'; readonly fd: number; readonly size: number } | { readonly kind: 'memory'; readonly data: Uint8Array };

/**
 * A transfer worker's source. `closeFd` releases a descriptor: a worker hands it
 * back to the thread that opened it. A worker runs only transfers, so it reads
 * synchronously (no thread-pool round trip per chunk).
 */
export function sourceFromSpec(spec: SourceSpec, blockSize: number, closeFd: (fd: number) => void): FileSource {
  if (spec.kind === 'fd') return new SyncDescriptorSource(spec.fd, spec.size, blockSize, closeFd);
  return new MemorySource(Buffer.from(spec.data.buffer, spec.data.byteOffset, spec.data.byteLength));
}

/** A file held in memory: a cached boot loader or a netascii conversion. */
export class MemorySource implements FileSource {
  constructor(private readonly data: Buffer) {}

  get size(): number {
    return this.data.length;
  }

  read(target: Buffer, targetOffset: number, position: number, length: number): number {
    const end = Math.min(position + length, this.data.length);
    if (end <= position) return 0;
    return this.data.copy(target, targetOffset, position, end);
  }

  view(position: number, length: number): Buffer {
    const start = Math.min(position, this.data.length);
    return this.data.subarray(start, Math.min(start + length, this.data.length));
  }

  close(): void {}
}

interface Chunk {
  readonly buf: Buffer;
  start: number;
  length: number;
  pending: Promise<void> | undefined;
}

/**
 * A large file read with positioned reads into two reused chunk buffers: the
 * transfer copies blocks out of one chunk while the next one is read ahead, so a
 * threadpool round trip is paid once per chunk, not once per block. The chunk is
 * a whole number of blocks, so no block straddles two chunks.
 */
export class DescriptorSource implements FileSource {
  private readonly chunks: [Chunk, Chunk];
  private readonly chunkSize: number;
  private closed = false;

  constructor(
    private readonly fd: number,
    readonly size: number,
    blockSize: number,
    // At least 64 blocks a chunk (512 KiB at 8192-byte blocks): each chunk read is
    // a threadpool hand-off and a wake-up of the event loop, paid per chunk.
    readAheadBytes = Math.min(Math.max(128 * 1024, 64 * blockSize), 1024 * 1024),
    private readonly closeFd: (fd: number) => void = (fd) => fs.close(fd, () => {}),
  ) {
    this.chunkSize = blockSize * Math.max(1, Math.ceil(readAheadBytes / blockSize));
    const make = (): Chunk => ({ buf: Buffer.allocUnsafe(this.chunkSize), start: -1, length: 0, pending: undefined });
    this.chunks = [make(), make()];
  }

  read(target: Buffer, targetOffset: number, position: number, length: number): number | Promise<number> {
    if (position >= this.size) return 0;
    const start = position - (position % this.chunkSize);
    const chunk = this.chunks.find((c) => c.start === start) ?? this.load(this.spareChunk(undefined), start);
    if (chunk.pending !== undefined) {
      return chunk.pending.then(() => this.copyOut(chunk, target, targetOffset, position, length));
    }
    return this.copyOut(chunk, target, targetOffset, position, length);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const inFlight = this.chunks.flatMap((c) => (c.pending === undefined ? [] : [c.pending]));
    // Closing under a read in flight could let the number be reused by another open.
    void Promise.allSettled(inFlight).then(() => this.closeFd(this.fd));
  }

  private copyOut(chunk: Chunk, target: Buffer, targetOffset: number, position: number, length: number): number {
    const from = position - chunk.start;
    const end = Math.min(from + length, chunk.length);
    const copied = end > from ? chunk.buf.copy(target, targetOffset, from, end) : 0;
    this.prefetch(chunk, chunk.start + this.chunkSize);
    return copied;
  }

  private prefetch(current: Chunk, nextStart: number): void {
    if (this.closed || nextStart >= this.size) return;
    if (this.chunks.some((c) => c.start === nextStart)) return;
    const spare = this.spareChunk(current);
    if (spare !== undefined && spare.pending === undefined) this.load(spare, nextStart);
  }

  private spareChunk(keep: Chunk | undefined): Chunk {
    const [a, b] = this.chunks;
    if (keep === a) return b;
    if (keep === b) return a;
    // No chunk to keep: take one with no read in flight, else the first.
    return a.pending === undefined ? a : b.pending === undefined ? b : a;
  }

  private load(chunk: Chunk, start: number): Chunk {
    const wanted = Math.min(this.chunkSize, this.size - start);
    chunk.start = start;
    chunk.length = 0;
    // A read still in flight into this buffer must land before the new one starts.
    const previous = chunk.pending === undefined ? Promise.resolve() : chunk.pending.catch(() => {});
    const pending = previous.then(() => readInto(this.fd, chunk.buf, wanted, start)).then((bytes) => {
      chunk.length = bytes;
    });
    chunk.pending = pending;
    void pending.then(
      () => {
        if (chunk.pending === pending) chunk.pending = undefined;
      },
      () => {
        if (chunk.pending !== pending) return;
        chunk.pending = undefined;
        chunk.start = -1;
      },
    );
    return chunk;
  }
}

function readInto(fd: number, buf: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buf, 0, length, position, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead)));
  });
}
