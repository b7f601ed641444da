import type { Stats } from 'node:fs';

/** Identity of a file's contents as far as stat can tell: any change means reload. */
export interface FileStamp {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

export function stampOf(stats: Stats): FileStamp {
  return { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs };
}

function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

export interface FileCacheLimits {
  /** Files up to this size are kept in memory (the iPXE binaries are 70 KB to 1 MB). 0 disables the cache. */
  readonly maxFileBytes: number;
  /** Total bytes kept; the least recently served file goes first. */
  readonly maxTotalBytes: number;
}

/**
 * Small hot files (the boot loaders every station asks for) served from memory.
 * Each request still opens and fstat()s the file, and a different stamp (new
 * inode after a package upgrade, or a new mtime/size) replaces the entry, so an
 * admin never has to restart the server after changing a file.
 */
export class FileCache {
  private readonly entries = new Map<string, { stamp: FileStamp; data: Buffer }>();
  private total = 0;

  constructor(readonly limits: FileCacheLimits) {}

  get(path: string, stamp: FileStamp): Buffer | undefined {
    const entry = this.entries.get(path);
    if (entry === undefined) return undefined;
    if (!sameStamp(entry.stamp, stamp)) {
      this.delete(path);
      return undefined;
    }
    // Re-insert: a Map iterates in insertion order, which makes it an LRU list.
    this.entries.delete(path);
    this.entries.set(path, entry);
    return entry.data;
  }

  accepts(size: number): boolean {
    return size <= this.limits.maxFileBytes && size <= this.limits.maxTotalBytes;
  }

  set(path: string, stamp: FileStamp, data: Buffer): void {
    if (!this.accepts(data.length)) return;
    this.delete(path);
    for (const [oldest] of this.entries) {
      if (this.total + data.length <= this.limits.maxTotalBytes) break;
      this.delete(oldest);
    }
    this.entries.set(path, { stamp, data });
    this.total += data.length;
  }

  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  private delete(path: string): void {
    const entry = this.entries.get(path);
    if (entry === undefined) return;
    this.entries.delete(path);
    this.total -= entry.data.length;
  }
}
