import type { FileHandle } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import type { BufferPool } from './buffer-pool.ts';
import type { ByteRange } from './byte-ranges.ts';

/** A response body: literal bytes (multipart heads) and ranges of the file, in order. */
export type BodyPart = Buffer | ByteRange;

/**
 * Writes to a response with at most `limit` writes in flight: the next read from
 * disk overlaps the write of the previous chunk, and a slow client holds at most
 * `limit` buffers (backpressure through the write callbacks, which Node calls once
 * the socket has handed the bytes to the kernel).
 */
class WriteFlow {
  private inFlight = 0;
  private gone = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly out: ServerResponse,
    private readonly limit: number,
    private readonly stalledMs: number,
  ) {
    // 'close' without 'finish': the client went away; no write callback may ever come.
    out.once('close', () => {
      this.gone = true;
      this.notify();
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /**
   * True when another write may start; false once the client has gone. A client
   * that takes nothing for `stalledMs` is cut off: the route is public, and each
   * open download holds a file and `limit` buffers.
   */
  async ready(): Promise<boolean> {
    if (!this.gone && this.inFlight >= this.limit) {
      const timer = setTimeout(() => this.out.destroy(), this.stalledMs);
      while (!this.gone && this.inFlight >= this.limit) await new Promise<void>((resolve) => (this.wake = resolve));
      clearTimeout(timer);
    }
    return !this.gone && !this.out.destroyed && this.out.socket?.destroyed === false;
  }

  /** `written` runs only after a successful write: then the chunk's memory is free again. */
  send(chunk: Buffer, written?: () => void): void {
    this.inFlight += 1;
    this.out.write(chunk, (error) => {
      this.inFlight -= 1;
      if (error === null || error === undefined) written?.();
      this.notify();
    });
  }
}

/**
 * Streams `parts` from an open file into a response whose head is already set,
 * through pooled buffers (fs read at a position, no seek, no stream object per
 * chunk), then ends it. Resolves 'aborted' when the client disconnects first
 * or stalls: the caller closes the file either way. Node has no sendfile(2), so each byte
 * is still copied twice (read(2), write(2)); this only removes the garbage.
 */
export async function writeFileBody(out: ServerResponse, handle: FileHandle, parts: BodyPart[], pool: BufferPool, options: { limit?: number; stalledMs: number }): Promise<'sent' | 'aborted'> {
  const flow = new WriteFlow(out, options.limit ?? 2, options.stalledMs);
  for (const part of parts) {
    if (!(await flow.ready())) return 'aborted';
    if (Buffer.isBuffer(part)) {
      flow.send(part);
      continue;
    }
    for (let position = part.start; position <= part.end; ) {
      if (!(await flow.ready())) return 'aborted';
      const buffer = pool.take();
      let bytesRead: number;
      try {
        ({ bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, part.end + 1 - position), position));
      } catch (error) {
        pool.give(buffer);
        throw error;
      }
      if (bytesRead === 0) {
        pool.give(buffer);
        throw new Error(`file ended at byte ${position}, before the ${part.end + 1} announced`);
      }
      position += bytesRead;
      flow.send(buffer.subarray(0, bytesRead), () => pool.give(buffer));
    }
  }
  if (!(await flow.ready())) return 'aborted';
  out.end();
  return 'sent';
}
