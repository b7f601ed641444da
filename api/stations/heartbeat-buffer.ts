import { sql } from 'kysely';
import type { Db, DbOrTx } from '../db/schema.ts';
import { inTransaction } from '../db/transaction.ts';
import { nextTurn } from '../shared/next-turn.ts';

/** How long a routine heartbeat may wait in memory before it is written (real time). */
export const HEARTBEAT_FLUSH_MS = 1000;

/**
 * Routine heartbeats, written in batches. Thousands of stations beat every
 * 10 s; a write of its own per beat (one WAL commit each) was most of the
 * heartbeat's cost. A beat is only held here when it changes nothing but
 * last_heartbeat_at and the stored value is still recent (see isRoutine), and
 * the pending beats are written together (transactions of
 * BEATS_PER_TRANSACTION rows) at most HEARTBEAT_FLUSH_MS later, before each
 * silence sweep, and when the app closes.
 *
 * What a crash can lose: the beats of the last second. Because only stations
 * whose stored beat is less than half the heartbeat timeout old are held, the
 * stored value after a crash is at most half the timeout plus a second behind;
 * a station that keeps beating is never swept offline by that, and the next
 * beat corrects it. (SQLite runs with synchronous=NORMAL: a power cut could
 * already lose the last commits.) Readers of the stations table (lists,
 * online flags) may see a beat up to a second late.
 */
export class HeartbeatBuffer {
  private pending = new Map<number, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly db: Db, private readonly flushMs = HEARTBEAT_FLUSH_MS) {}

  /** Holds a beat of `stationId` at `at`; written by the next flush. */
  note(stationId: number, at: number): void {
    const held = this.pending.get(stationId);
    if (held === undefined || held < at) this.pending.set(stationId, at);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush().catch(() => undefined), this.flushMs);
      // Never keeps a process alive on its own; close() flushes what is left.
      this.timer.unref?.();
    }
  }

  /** The held (not yet written) beat of a station, if any. */
  heldFor(stationId: number): number | undefined {
    return this.pending.get(stationId);
  }

  get size(): number {
    return this.pending.size;
  }

  /**
   * Writes every held beat; never moves a stored beat back, never touches a
   * deleted station. A failed write drops what is left of the batch (the
   * same as a crash: the next beats are written) rather than retrying
   * forever against a database that may be gone; the error is returned to
   * a caller that awaits it.
   */
  flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return this.flushing.catch(() => undefined);
    const batch = this.pending;
    this.pending = new Map();
    const run = this.flushing.catch(() => undefined).then(() => writeBeats(this.db, batch));
    this.flushing = run;
    return run;
  }
}

const buffers = new WeakMap<object, HeartbeatBuffer>();

/** The heartbeat buffer of a database handle (one per handle, like the commit feed). */
export function heartbeatBufferOf(db: Db): HeartbeatBuffer {
  let buffer = buffers.get(db);
  if (buffer === undefined) {
    buffer = new HeartbeatBuffer(db);
    buffers.set(db, buffer);
  }
  return buffer;
}

/** Writes the held beats of a database handle now (before a sweep, at shutdown, in tests). */
export async function flushHeartbeats(db: Db): Promise<void> {
  await buffers.get(db)?.flush();
}

/**
 * A beat may wait in memory when the stored one is recent: less than half the
 * timeout old. A first beat, or one after a long pause, is written at once.
 */
export function isRoutine(storedBeat: number | null, now: number, heartbeatTimeoutMs: number): boolean {
  return storedBeat !== null && now - storedBeat < heartbeatTimeoutMs / 2;
}

/**
 * Rows per statement, one transaction each. A transaction holds the single
 * connection, so other requests' queries wait behind it: chunks of this size
 * keep that wait well under a millisecond even when every one of thousands of
 * stations has a beat held.
 */
export const BEATS_PER_TRANSACTION = 100;

/**
 * One UPDATE for a whole chunk: the beats go in as one JSON array of
 * [stationId, at] pairs, read back by SQLite's json_each (UPDATE … FROM,
 * SQLite ≥ 3.33; SQLite is the only database epnbox opens). A statement per
 * row cost ~10 µs of CPU per held beat through the executor against ~2 here.
 * Same conditions as a single beat: never a deleted station, never a
 * stored beat moved back.
 */
function writeChunk(db: DbOrTx, chunk: ReadonlyArray<readonly [number, number]>) {
  const pairs = JSON.stringify(chunk);
  return sql`update stations set last_heartbeat_at = beat.at
    from (select value ->> 0 as id, value ->> 1 as at from json_each(${pairs})) as beat
    where stations.id = beat.id and stations.deleted_at is null
      and (stations.last_heartbeat_at is null or stations.last_heartbeat_at < beat.at)`.execute(db);
}

async function writeBeats(db: Db, batch: Map<number, number>): Promise<void> {
  const beats = [...batch];
  for (let i = 0; i < beats.length; i += BEATS_PER_TRANSACTION) {
    if (i > 0) await nextTurn();
    const chunk = beats.slice(i, i + BEATS_PER_TRANSACTION);
    await inTransaction(db, (trx) => writeChunk(trx, chunk));
  }
}
