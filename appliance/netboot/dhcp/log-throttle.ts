/**
 * Caps log lines per key and time window, so a flood (garbage datagrams, spoofed
 * DISCOVERs against a full pool) costs a few lines, not a full disk. The first lines of
 * each window pass; the rest are counted and reported with the next line that passes.
 */
export class LogThrottle {
  private readonly windows = new Map<string, { start: number; logged: number; suppressed: number }>();

  constructor(
    private readonly linesPerWindow: number,
    private readonly windowMs: number,
  ) {}

  /** undefined: stay silent. A number: log now, mentioning that many suppressed lines. */
  take(key: string, now: number): number | undefined {
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      const carried = w?.suppressed ?? 0;
      if (this.windows.size > 1000) this.windows.clear();
      w = { start: now, logged: 0, suppressed: carried };
      this.windows.set(key, w);
    }
    if (w.logged >= this.linesPerWindow) {
      w.suppressed += 1;
      return undefined;
    }
    w.logged += 1;
    const suppressed = w.suppressed;
    w.suppressed = 0;
    return suppressed;
  }
}
