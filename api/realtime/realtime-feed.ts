import type { AuditEventRow } from '../audit/audit-table.ts';
import { onCommitted } from '../db/commit-feed.ts';
import { reading } from '../db/transaction.ts';
import { findSessionById } from '../sessions/sessions-repository.ts';
import type { Session } from '../sessions/sessions-table.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { toStationView, type StationView } from '../stations/station-view.ts';
import { findStation, liveSessionFor } from '../stations/stations-repository.ts';
import type { RealtimeLog } from './realtime-log.ts';

/** The events of one committed transaction, with what they touched as it is now. */
export interface FeedBatch {
  /** Increasing; a consumer can tell which batches were read before some other read. */
  seq: number;
  events: readonly AuditEventRow[];
  /** Sessions the events name, read after the commit; null when gone. */
  sessions: ReadonlyMap<number, Session | null>;
  /** Stations the events name or whose sessions they changed; null when deleted. Empty unless a consumer wants stations. */
  stations: ReadonlyMap<number, StationView | null>;
  /** The clock when the batch was read. */
  now: number;
}

export interface FeedConsumer {
  /** Whether it wants batches now (a running scheduler, open connections). */
  active(): boolean;
  /**
   * Which station views it needs (each costs two reads): 'targets' for the
   * stations events are about, 'all' also for the stations whose sessions
   * changed (their occupancy and time left moved with them).
   */
  wantsStations?(): 'targets' | 'all' | false;
  /** Synchronous: send, arm, disarm. Its failure is logged and never reaches another consumer. */
  deliver(batch: FeedBatch): void;
  /** A batch could not be read: rebuild from the database. */
  resync?(): void;
}

/**
 * Turns committed audit events into batches for the realtime consumers. The
 * audit trail is the one stream of state changes, so whatever path changed
 * a session or a station (REST, WebSocket, scheduler, job) reaches the
 * scheduler, the stations and the operators the same way. Batches are read
 * and delivered one after the other, in commit order; each re-reads the rows
 * it names, so a consumer always applies the latest state.
 */
export class RealtimeFeed {
  private chain: Promise<void> = Promise.resolve();
  private readonly consumers: FeedConsumer[] = [];
  private unsubscribe: (() => void) | null = null;
  private seq = 0;
  private pending = 0;

  constructor(
    private readonly ctx: DomainContext,
    private readonly log: RealtimeLog,
  ) {}

  start(): void {
    this.unsubscribe ??= onCommitted(this.ctx.db, (events) => this.enqueue(events));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  add(consumer: FeedConsumer): void {
    this.consumers.push(consumer);
  }

  /** The number of batches whose read has started: a read begun later sees every change before it. */
  get startedReads(): number {
    return this.seq;
  }

  /** A batch is queued or being delivered. */
  get busy(): boolean {
    return this.pending > 0;
  }

  /** Resolves once every batch queued so far (and any queued meanwhile) is delivered. */
  async settled(): Promise<void> {
    for (;;) {
      const current = this.chain;
      await current;
      if (current === this.chain) return;
    }
  }

  private enqueue(events: readonly AuditEventRow[]): void {
    if (!this.consumers.some((c) => c.active())) return;
    this.pending += 1;
    this.chain = this.chain.then(() => this.process(events)).finally(() => (this.pending -= 1));
  }

  private async process(events: readonly AuditEventRow[]): Promise<void> {
    const seq = ++this.seq;
    let batch: FeedBatch;
    try {
      batch = await this.load(events, seq);
    } catch (error) {
      this.log.error({ err: error, events: events.map((e) => e.id) }, 'realtime: could not read the state after a commit; resyncing');
      for (const c of this.consumers) c.resync?.();
      return;
    }
    for (const consumer of this.consumers) {
      if (!consumer.active()) continue;
      try {
        consumer.deliver(batch);
      } catch (error) {
        this.log.error({ err: error }, 'realtime: a consumer failed on a batch');
      }
    }
  }

  private async load(events: readonly AuditEventRow[], seq: number): Promise<FeedBatch> {
    const { db, policy } = this.ctx;
    const now = this.ctx.clock.now();
    const sessions = new Map<number, Session | null>();
    const targeted = new Set<number>();
    const running = new Set<number>();
    for (const e of events) {
      if (e.target_id === null) continue;
      if (e.target_type === 'station') targeted.add(e.target_id);
      if (e.target_type === 'session' && !sessions.has(e.target_id)) {
        const row = (await reading(() => findSessionById(db, e.target_id!))) ?? null;
        sessions.set(e.target_id, row);
        if (row?.station_id != null) running.add(row.station_id);
      }
    }
    const wants = this.consumers.filter((c) => c.active()).map((c) => c.wantsStations?.() ?? false);
    const stationIds = wants.includes('all') ? new Set([...targeted, ...running]) : wants.includes('targets') ? targeted : new Set<number>();
    const stations = new Map<number, StationView | null>();
    for (const id of stationIds) {
      const row = await reading(() => findStation(db, id));
      stations.set(id, row === undefined ? null : toStationView(row, now, policy, await reading(() => liveSessionFor(db, id, now))));
    }
    return { seq, events, sessions, stations, now };
  }
}
