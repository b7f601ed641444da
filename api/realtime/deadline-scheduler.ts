import { reading } from '../db/transaction.ts';
import { activeDeadlines, expireDueSessions } from '../sessions/sessions-service.ts';
import { findSessionById } from '../sessions/sessions-repository.ts';
import type { Session } from '../sessions/sessions-table.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { dueAt, nextInstant, normaliseWarnings } from './deadline-plan.ts';
import type { FeedBatch, FeedConsumer } from './realtime-feed.ts';
import type { RealtimeLog } from './realtime-log.ts';
import type { TimerHandle, Timers } from './timers.ts';

export interface DeadlineWarning {
  sessionId: number;
  stationId: number | null;
  /** The threshold reached, in seconds (300, 120, 60, 30, 10 by default). */
  secondsLeft: number;
  endsAt: number;
}

export interface SchedulerOptions {
  ctx: DomainContext;
  timers: Timers;
  /** Seconds before the deadline at which a warning goes out. */
  warningSeconds: readonly number[];
  onWarning: (warning: DeadlineWarning) => void;
  log: RealtimeLog;
  /** Wait after a failed expiry before trying again. */
  retryMs?: number;
}

interface Entry {
  sessionId: number;
  stationId: number | null;
  endsAt: number;
  /** The last instant dealt with: warnings at or before it are not sent (again). */
  cursor: number;
  handle: TimerHandle | null;
}

/**
 * One timer per active session, armed on its next instant (a warning or the
 * deadline), re-armed whenever the session changes. At the deadline the
 * session expires through expireDueSessions, which dates the end at ends_at
 * however late it runs. Nothing is counted down: every instant derives from
 * the stored deadline, so a restart rebuilds the same timers from the
 * database and a late timer changes nothing but the moment of the write.
 */
export class DeadlineScheduler implements FeedConsumer {
  private readonly entries = new Map<number, Entry>();
  private readonly warnings: number[];
  private running = false;
  /** Sessions a feed batch reported while start() was reading: its older read must not overwrite them. Emptied once started, so it never grows with the sessions of a long run. */
  private touched = new Set<number>();
  private starting = false;
  private expiry: Promise<void> | null = null;
  private expireAgain = false;
  private retry: TimerHandle | null = null;
  private readonly work = new Set<Promise<unknown>>();

  constructor(private readonly opts: SchedulerOptions) {
    this.warnings = normaliseWarnings(opts.warningSeconds);
  }

  get warningSeconds(): readonly number[] {
    return this.warnings;
  }

  /**
   * Ends sessions already past their deadline (each at its deadline), then
   * arms a timer for every other active session. Call once the feed is
   * subscribed, so no change between the read and the arming is lost.
   */
  async start(): Promise<void> {
    this.running = true;
    this.starting = true;
    this.touched = new Set();
    try {
      await this.runExpiry();
      const deadlines = await activeDeadlines(this.opts.ctx);
      for (const d of deadlines) {
        if (!this.touched.has(d.sessionId)) this.arm(d.sessionId, d.stationId, d.endsAt);
      }
    } finally {
      this.starting = false;
      this.touched = new Set();
    }
  }

  stop(): void {
    this.running = false;
    for (const entry of this.entries.values()) this.opts.timers.cancel(entry.handle);
    this.entries.clear();
    this.opts.timers.cancel(this.retry);
    this.retry = null;
  }

  /** Resolves when no expiry or re-read started by a timer is still running. */
  /** Work started by a timer or a batch is still running. */
  get busy(): boolean {
    return this.work.size > 0;
  }

  async settled(): Promise<void> {
    while (this.work.size > 0) await Promise.allSettled([...this.work]);
  }

  /** Armed sessions and their next instant, for tests and diagnostics. */
  armed(): Array<{ sessionId: number; endsAt: number; nextAt: number | null }> {
    return [...this.entries.values()].map((e) => ({ sessionId: e.sessionId, endsAt: e.endsAt, nextAt: e.handle?.at ?? null }));
  }

  active(): boolean {
    return this.running;
  }

  deliver(batch: FeedBatch): void {
    for (const [id, row] of batch.sessions) {
      if (this.starting) this.touched.add(id);
      this.apply(id, row);
    }
  }

  resync(): void {
    if (!this.running) return;
    this.track(this.rebuild());
  }

  private apply(sessionId: number, row: Session | null | undefined): void {
    if (row && row.status === 'active' && row.ends_at !== null) this.arm(row.id, row.station_id, row.ends_at);
    else this.disarm(sessionId);
  }

  private arm(sessionId: number, stationId: number | null, endsAt: number): void {
    if (!this.running) return;
    const existing = this.entries.get(sessionId);
    if (existing && existing.endsAt === endsAt && existing.handle !== null) return;
    this.opts.timers.cancel(existing?.handle);
    const now = this.opts.ctx.clock.now();
    // Same deadline: keep the cursor, so a warning already sent is not sent again.
    const cursor = existing && existing.endsAt === endsAt ? existing.cursor : now;
    const entry: Entry = { sessionId, stationId, endsAt, cursor, handle: null };
    this.entries.set(sessionId, entry);
    this.schedule(entry);
  }

  private disarm(sessionId: number): void {
    const entry = this.entries.get(sessionId);
    if (!entry) return;
    this.opts.timers.cancel(entry.handle);
    this.entries.delete(sessionId);
  }

  private schedule(entry: Entry): void {
    const at = nextInstant(entry.endsAt, this.warnings, entry.cursor);
    const handle = this.opts.timers.at(at, () => {
      if (entry.handle === handle) this.fire(entry);
    });
    entry.handle = handle;
  }

  private fire(entry: Entry): void {
    entry.handle = null;
    const now = this.opts.ctx.clock.now();
    const due = dueAt(entry.endsAt, this.warnings, entry.cursor, now);
    if (due.kind === 'expire') {
      this.expireSoon();
      return;
    }
    if (due.kind === 'warn') {
      entry.cursor = due.instant;
      try {
        this.opts.onWarning({ sessionId: entry.sessionId, stationId: entry.stationId, secondsLeft: due.secondsLeft, endsAt: entry.endsAt });
      } catch (error) {
        this.opts.log.error({ err: error, sessionId: entry.sessionId }, 'deadline scheduler: a warning could not be sent');
      }
    }
    this.schedule(entry);
  }

  /** One expiry at a time; a deadline reached meanwhile runs it once more. */
  private expireSoon(): void {
    if (this.expiry) {
      this.expireAgain = true;
      return;
    }
    this.expiry = this.track(
      (async () => {
        do {
          this.expireAgain = false;
          await this.runExpiry().catch((error: unknown) => this.expiryFailed(error));
        } while (this.expireAgain && this.running);
        this.expiry = null;
      })(),
    );
  }

  private async runExpiry(): Promise<void> {
    const ended = await expireDueSessions(this.opts.ctx, this.opts.ctx.clock.now());
    for (const view of ended) this.disarm(view.id);
    // Overdue entries left (changed meanwhile, or ended by someone else): ask the database.
    const now = this.opts.ctx.clock.now();
    for (const entry of [...this.entries.values()]) {
      if (entry.handle !== null || entry.endsAt > now) continue;
      const row = await reading(() => findSessionById(this.opts.ctx.db, entry.sessionId));
      // Still active past its deadline after a sweep: retry later rather than spin on it.
      if (row?.status === 'active' && row.ends_at !== null && row.ends_at <= now) throw new Error(`session ${entry.sessionId} is still active past its deadline`);
      this.apply(entry.sessionId, row);
    }
  }

  private expiryFailed(error: unknown): void {
    this.opts.log.error({ err: error }, 'deadline scheduler: expiry failed; retrying');
    if (!this.running || this.retry) return;
    this.retry = this.opts.timers.at(this.opts.ctx.clock.now() + (this.opts.retryMs ?? 1000), () => {
      this.retry = null;
      this.expireSoon();
    });
  }

  /** After a lost batch: re-read every active deadline; a session no longer listed is no longer active. */
  private async rebuild(): Promise<void> {
    try {
      const deadlines = await activeDeadlines(this.opts.ctx);
      const listed = new Set(deadlines.map((d) => d.sessionId));
      for (const d of deadlines) this.arm(d.sessionId, d.stationId, d.endsAt);
      for (const id of [...this.entries.keys()]) if (!listed.has(id)) this.disarm(id);
    } catch (error) {
      this.opts.log.error({ err: error }, 'deadline scheduler: rebuild failed');
    }
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.work.add(promise);
    void promise.finally(() => this.work.delete(promise)).catch(() => {});
    return promise;
  }
}
