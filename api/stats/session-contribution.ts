import type { LocalSlicer } from './local-slices.ts';
import { usageOf, usedWithin, type UsageRow } from './session-usage.ts';
import type { StatsPeriod } from './stats-period.ts';

/** What one session brings to a period's statistics. */
export interface Contribution {
  userId: number;
  stationId: number | null;
  startedAt: number | null;
  /** Local date and hour of the start, when the session started inside the period. */
  startedLocal: { date: string; hour: number } | null;
  /** Used time inside the period. */
  usedMs: number;
  /** The same, cut by local hour (empty when nothing was used in the period). */
  slices: Array<{ date: string; hour: number; ms: number }>;
}

/**
 * Pure: the part of one session that falls in the period, or null when none
 * does (never started, or started and finished outside it).
 */
export function contributionOf(row: UsageRow, period: StatsPeriod, now: number, slicer: LocalSlicer): Contribution | null {
  const startedIn = row.started_at !== null && row.started_at >= period.from && row.started_at < period.to;
  const usage = usageOf(row, now);
  const slices: Contribution['slices'] = [];
  let usedMs = 0;
  if (usage !== null && usage.usedMs > 0) {
    for (const slice of slicer.slices(Math.max(period.from, usage.start), Math.min(period.to, usage.end))) {
      const ms = usedWithin(usage, slice.from, slice.to);
      if (ms > 0) {
        slices.push({ date: slice.date, hour: slice.hour, ms });
        usedMs += ms;
      }
    }
  }
  if (!startedIn && usedMs === 0) return null;
  return {
    userId: row.user_id,
    stationId: row.station_id,
    startedAt: row.started_at,
    startedLocal: startedIn ? slicer.at(row.started_at!) : null,
    usedMs,
    slices,
  };
}
