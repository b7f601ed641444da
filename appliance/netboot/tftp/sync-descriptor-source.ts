import fs from 'node:fs';
import type { FileSource } from './file-source.ts';

interface Chunk {
  readonly buf: Buffer;
  /** File offset of buf[0]; -1 when the chunk holds nothing. */
  start: number;
  length: number;
}

/**
 * A large file read with synchronous positioned reads, for a transfer worker
 * thread (transfer-worker.ts), which runs nothing but transfers: as tftpd-hpa's
 * process per transfer does, it reads the page cache itself instead of handing
 * each chunk to libuv's thread pool (a futex wake of a pool thread, a wake-up of
 * the worker's loop and a promise per chunk; ~8 % of the process's CPU at
 * 8192-byte blocks). The next chunk is read in readAhead(), which the transfer
 * calls after its DATA is out: the read overlaps the client's turn of the lock
 * step instead of lengthening ours. A chunk is a whole number of blocks.
 *
 * The cost of being synchronous: a read from a cold disk holds this worker's
 * other transfers for that read (their ACKs wait in the socket buffers, none is
 * lost). The server's own thread keeps the asynchronous DescriptorSource.
 */
export class SyncDescriptorSource implements FileSource {
  private readonly a: Chunk;
  private readonly b: Chunk;
  private readonly chunkSize: number;
  /** The chunk the last block came from. */
  private current: Chunk;
  private closed = false;

  constructor(
    private readonly fd: number,
    readonly size: number,
    blockSize: number,
    private readonly closeFd: (fd: number) => void,
    // Small enough that one read (page cache, ~10 µs per 64 KiB) stays shorter
    // than a lock-step round trip; large enough to be one syscall per 16+ blocks.
    readAheadBytes = Math.min(Math.max(64 * 1024, 16 * blockSize), 256 * 1024),
  ) {
    this.chunkSize = blockSize * Math.max(1, Math.ceil(readAheadBytes / blockSize));
    this.a = { buf: Buffer.allocUnsafe(this.chunkSize), start: -1, length: 0 };
    this.b = { buf: Buffer.allocUnsafe(this.chunkSize), start: -1, length: 0 };
    this.current = this.a;
  }

  /** A number, or a rejected promise when the read fails (the transfer ends with read-error). */
  read(target: Buffer, targetOffset: number, position: number, length: number): number | Promise<number> {
    if (position >= this.size || this.closed) return 0;
    const start = position - (position % this.chunkSize);
    let chunk = this.a.start === start ? this.a : this.b.start === start ? this.b : undefined;
    if (chunk === undefined) {
      // Not read ahead (first block, a failed read-ahead, or a client that jumped):
      // the buffer not holding the current chunk takes it.
      chunk = this.current === this.a && this.a.start !== -1 ? this.b : this.a;
      try {
        this.load(chunk, start);
      } catch (err) {
        return Promise.reject(err);
      }
    }
    this.current = chunk;
    const from = position - start;
    const end = Math.min(from + length, chunk.length);
    return end > from ? chunk.buf.copy(target, targetOffset, from, end) : 0;
  }

  /** Reads the chunk after the current one into the other buffer, if not done yet. Cheap when it is. */
  readAhead(): void {
    const current = this.current;
    if (current.start === -1 || this.closed) return;
    const next = current.start + this.chunkSize;
    if (next >= this.size) return;
    const spare = current === this.a ? this.b : this.a;
    if (spare.start === next) return;
    try {
      this.load(spare, next);
    } catch {
      // read() tries again when the block is needed, and reports the error then.
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closeFd(this.fd);
  }

  private load(chunk: Chunk, start: number): void {
    chunk.start = -1;
    chunk.length = fs.readSync(this.fd, chunk.buf, 0, Math.min(this.chunkSize, this.size - start), start);
    chunk.start = start;
  }
}
