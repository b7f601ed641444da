import type { AuditEventRow } from '../audit/audit-table.ts';
import { onCommitted } from '../db/commit-feed.ts';
import type { Clock } from '../shared/clock.ts';

export interface StationTokenCacheOptions {
  /** An entry is re-read from the database after this long (covers a change made by another process). */
  ttlMs?: number;
  /** Most entries kept; the oldest go first. One per enrolled station is enough. */
  maxEntries?: number;
}

interface Entry {
  stationId: number;
  storedAt: number;
}

/**
 * Remembers which station a valid station token belongs to, so the hot
 * station routes (heartbeat, time-remaining, code validation) neither hash
 * the token nor read station_tokens on every call. Keyed by the token itself:
 * memory is not the database (which keeps only hashes, so a copy of it holds
 * no credential), and the process sees each token in every request anyway.
 *
 * Every change that can end a token (a new token revokes the previous one,
 * enrollment, deletion of the station) commits a station-targeted audit event
 * in the same transaction, so the commit feed drops that station's entries
 * once the change is committed. Only valid tokens are kept: an unknown or
 * revoked token is always checked against the database, so a flood of bad
 * tokens cannot fill memory. The generation counter closes a race: a lookup
 * that read the database before an invalidation and finishes after it does
 * not store what it read.
 */
export class StationTokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly stop: () => void;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private gen = 0;

  constructor(db: object, private readonly clock: Clock, options: StationTokenCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.stop = onCommitted(db, (events) => this.onEvents(events));
  }

  /** Changes whenever entries are dropped; pass the value read before a lookup to remember(). */
  get generation(): number {
    return this.gen;
  }

  /** The station of a cached, still fresh token, or undefined. */
  lookup(token: string): number | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (this.clock.now() - entry.storedAt >= this.ttlMs) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.stationId;
  }

  /** Keeps a token the database just confirmed, unless something was invalidated since `generation`. */
  remember(token: string, stationId: number, generation: number): void {
    if (generation !== this.gen) return;
    this.entries.delete(token);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { stationId, storedAt: this.clock.now() });
  }

  /** Drops every token of a station (its credential or its existence changed). */
  forgetStation(stationId: number): void {
    this.gen++;
    for (const [token, entry] of this.entries) if (entry.stationId === stationId) this.entries.delete(token);
  }

  clear(): void {
    this.gen++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Stops listening to the commit feed and forgets everything. */
  close(): void {
    this.stop();
    this.clear();
  }

  private onEvents(events: readonly AuditEventRow[]): void {
    for (const event of events) {
      if (event.target_type !== 'station') continue;
      // A station event without a station id cannot say which entries to drop.
      if (event.target_id === null) this.clear();
      else this.forgetStation(event.target_id);
    }
  }
}
