import { END_REASONS, SESSION_STATUSES, type EndReason, type SessionStatus } from '../sessions/sessions-table.ts';
import type { DomainContext } from '../shared/domain-context.ts';
import { LocalSlicer } from './local-slices.ts';
import { contributionOf } from './session-contribution.ts';
import { StatsAccumulator, toMinutes, type DayStats, type HourStats, type StationStats, type UserStats } from './stats-accumulators.ts';
import { checkPeriod, type StatsPeriod } from './stats-period.ts';
import { runningNow, sessionsCreatedIn, sessionsForPeriod, type CreatedCount, type ScanOptions } from './stats-source.ts';

export interface StatsTotals {
  /** Access codes issued in the period (by created_at), whatever became of them. */
  sessionsCreated: number;
  byStatus: Record<SessionStatus, number>;
  byEndReason: Record<EndReason, number>;
  /** Sessions started in the period. */
  sessionsStarted: number;
  /** Time used inside the period, sessions crossing its edges clipped. */
  minutesUsed: number;
  distinctVisitors: number;
  /** At computation time, whatever the period. */
  activeNow: number;
  suspendedNow: number;
}

export interface StatsReport {
  period: { from: number; to: number; timeZone: string; computedAt: number };
  totals: StatsTotals;
  perUser: UserStats[];
  perStation: StationStats[];
  perDay: DayStats[];
  perHour: HourStats[];
}

export const DEFAULT_SCAN: ScanOptions = { pageSize: 5000, lookbackMs: 7 * 24 * 3_600_000 };

function countsBy(created: CreatedCount[]): Pick<StatsTotals, 'sessionsCreated' | 'byStatus' | 'byEndReason'> {
  const byStatus = Object.fromEntries(SESSION_STATUSES.map((s) => [s, 0])) as Record<SessionStatus, number>;
  const byEndReason = Object.fromEntries(END_REASONS.map((r) => [r, 0])) as Record<EndReason, number>;
  let sessionsCreated = 0;
  for (const c of created) {
    sessionsCreated += c.count;
    byStatus[c.status] += c.count;
    if (c.endReason !== null) byEndReason[c.endReason] += c.count;
  }
  return { sessionsCreated, byStatus, byEndReason };
}

/**
 * Usage statistics over [from, to) in the policy's time zone: per visitor,
 * per station, per local day and per local hour of the day, and totals. One
 * pass over the sessions in keyset pages, aggregated in TypeScript so the SQL
 * stays portable; memory depends on visitors and days, not on sessions.
 * Sessions still running count up to `now` (the clock).
 */
export async function computeStats(ctx: DomainContext, period: StatsPeriod, options: Partial<ScanOptions> = {}): Promise<StatsReport> {
  const checked = checkPeriod(period);
  const scan = { ...DEFAULT_SCAN, ...options };
  const now = ctx.clock.now();
  const slicer = new LocalSlicer(ctx.policy.timeZone);
  const acc = new StatsAccumulator(checked, slicer);
  for await (const page of sessionsForPeriod(ctx.db, checked, scan)) {
    for (const row of page) {
      const contribution = contributionOf(row, checked, now, slicer);
      if (contribution !== null) acc.add(contribution);
    }
  }
  const running = await runningNow(ctx.db);
  return {
    period: { ...checked, timeZone: ctx.policy.timeZone, computedAt: now },
    totals: {
      ...countsBy(await sessionsCreatedIn(ctx.db, checked)),
      sessionsStarted: acc.overall.sessionsStarted,
      minutesUsed: toMinutes(acc.overall.usedMs),
      distinctVisitors: acc.overall.visitors.size,
      activeNow: running.active,
      suspendedNow: running.suspended,
    },
    perUser: acc.perUser(),
    perStation: acc.perStation(),
    perDay: acc.perDay(),
    perHour: acc.perHour(),
  };
}
