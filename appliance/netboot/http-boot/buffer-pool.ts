/**
 * Large buffers reused across artifact responses. A new buffer per chunk makes
 * gigabytes of short-lived external memory per minute of downloads, and the
 * collections it triggers were a quarter of the server's CPU (docs/performance.md,
 * Netboot). A buffer comes back only once the socket no longer needs it.
 */
export class BufferPool {
  private readonly idle: Buffer[] = [];
  private made = 0;

  /**
   * @param size bytes per buffer
   * @param keep idle buffers kept at most; more are left to the collector, so a
   *   burst of downloads does not pin its peak memory for ever
   */
  constructor(
    readonly size: number,
    readonly keep: number,
  ) {
    if (!Number.isSafeInteger(size) || size <= 0 || !Number.isSafeInteger(keep) || keep < 0) throw new RangeError(`BufferPool: bad size ${size} or keep ${keep}`);
  }

  take(): Buffer {
    const buffer = this.idle.pop();
    if (buffer !== undefined) return buffer;
    this.made += 1;
    // Outside Node's shared slab: the whole buffer is ours to reuse.
    return Buffer.allocUnsafeSlow(this.size);
  }

  /** Only for a buffer from take() that nothing reads or writes any more. */
  give(buffer: Buffer): void {
    if (buffer.length === this.size && this.idle.length < this.keep) this.idle.push(buffer);
  }

  get stats(): { idle: number; made: number } {
    return { idle: this.idle.length, made: this.made };
  }
}
