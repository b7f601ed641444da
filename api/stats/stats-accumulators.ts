import type { Contribution } from './session-contribution.ts';
import { localDatesOf, type LocalSlicer } from './local-slices.ts';
import { periodLength, type StatsPeriod } from './stats-period.ts';

export interface UserStats {
  userId: number;
  /** Sessions started in the period. */
  sessions: number;
  /** Time used inside the period (one decimal). */
  minutesUsed: number;
  /** Start of the visitor's latest session seen in the period. */
  lastVisitAt: number | null;
}

export interface StationStats {
  stationId: number;
  sessions: number;
  minutesUsed: number;
  /** Used time inside the period / period length, 0–1 (four decimals). */
  occupancy: number;
}

/** One local day (`date`) or one local hour of the day over the whole period (`hour`). */
export interface BucketStats {
  sessionsStarted: number;
  minutesUsed: number;
  /** Visitors who started a session or used time in the bucket. */
  visitors: number;
}
export type DayStats = BucketStats & { date: string };
export type HourStats = BucketStats & { hour: number };

export const toMinutes = (ms: number): number => Math.round(ms / 6_000) / 10;

class Bucket {
  sessionsStarted = 0;
  usedMs = 0;
  readonly visitors = new Set<number>();

  result(): BucketStats {
    return { sessionsStarted: this.sessionsStarted, minutesUsed: toMinutes(this.usedMs), visitors: this.visitors.size };
  }
}

/**
 * Folds contributions into every view at once, so one pass over the sessions
 * feeds them all. Memory grows with visitors, stations and days, not with
 * sessions.
 */
export class StatsAccumulator {
  readonly overall = new Bucket();
  private readonly users = new Map<number, { sessions: number; usedMs: number; lastVisitAt: number | null }>();
  private readonly stations = new Map<number, { sessions: number; usedMs: number }>();
  private readonly days = new Map<string, Bucket>();
  private readonly hours = Array.from({ length: 24 }, () => new Bucket());

  constructor(private readonly period: StatsPeriod, slicer: LocalSlicer) {
    for (const date of localDatesOf(period.from, period.to, slicer)) this.days.set(date, new Bucket());
  }

  add(c: Contribution): void {
    const started = c.startedLocal === null ? 0 : 1;
    const user = this.users.get(c.userId) ?? { sessions: 0, usedMs: 0, lastVisitAt: null };
    user.sessions += started;
    user.usedMs += c.usedMs;
    if (c.startedAt !== null) user.lastVisitAt = Math.max(user.lastVisitAt ?? c.startedAt, c.startedAt);
    this.users.set(c.userId, user);
    if (c.stationId !== null) {
      const station = this.stations.get(c.stationId) ?? { sessions: 0, usedMs: 0 };
      station.sessions += started;
      station.usedMs += c.usedMs;
      this.stations.set(c.stationId, station);
    }
    this.overall.sessionsStarted += started;
    this.overall.usedMs += c.usedMs;
    this.overall.visitors.add(c.userId);
    if (c.startedLocal !== null) {
      this.bump(this.days.get(c.startedLocal.date), c.userId, 1, 0);
      this.bump(this.hours[c.startedLocal.hour], c.userId, 1, 0);
    }
    for (const slice of c.slices) {
      this.bump(this.days.get(slice.date), c.userId, 0, slice.ms);
      this.bump(this.hours[slice.hour], c.userId, 0, slice.ms);
    }
  }

  private bump(bucket: Bucket | undefined, userId: number, sessions: number, ms: number): void {
    if (bucket === undefined) return;
    bucket.sessionsStarted += sessions;
    bucket.usedMs += ms;
    bucket.visitors.add(userId);
  }

  /** Most time used first. */
  perUser(): UserStats[] {
    return [...this.users]
      .map(([userId, u]) => ({ userId, sessions: u.sessions, usedMs: u.usedMs, minutesUsed: toMinutes(u.usedMs), lastVisitAt: u.lastVisitAt }))
      .sort((a, b) => b.usedMs - a.usedMs || a.userId - b.userId)
      .map(({ usedMs: _usedMs, ...stats }) => stats);
  }

  /** By station id. */
  perStation(): StationStats[] {
    const length = periodLength(this.period);
    return [...this.stations]
      .sort(([a], [b]) => a - b)
      .map(([stationId, s]) => ({
        stationId,
        sessions: s.sessions,
        minutesUsed: toMinutes(s.usedMs),
        occupancy: Math.round(Math.min(1, s.usedMs / length) * 10_000) / 10_000,
      }));
  }

  /** Every local day of the period, empty ones included, in order. */
  perDay(): DayStats[] {
    return [...this.days].map(([date, bucket]) => ({ date, ...bucket.result() }));
  }

  /** Hours 0–23 of the local day, summed over the period. */
  perHour(): HourStats[] {
    return this.hours.map((bucket, hour) => ({ hour, ...bucket.result() }));
  }
}
