import type { Session } from '../sessions/sessions-table.ts';

/** The session columns statistics read (one page of them is in memory at a time). */
export type UsageRow = Pick<
  Session,
  'id' | 'user_id' | 'station_id' | 'status' | 'end_reason' | 'allotted_ms' | 'remaining_ms' | 'ends_at' | 'started_at' | 'suspended_at' | 'ended_at'
>;

/** Where a session's used time lies: somewhere in [start, end), `usedMs` in all. */
export interface Usage {
  start: number;
  end: number;
  usedMs: number;
}

/** Remaining time at `now`: to the deadline while active, frozen otherwise (see sessions-table.ts). */
function remainingMs(row: UsageRow, now: number): number {
  if (row.status === 'active') return Math.max(0, (row.ends_at ?? now) - now);
  return Math.max(0, row.remaining_ms ?? 0);
}

/** Last instant the session could have been running. */
function wallEnd(row: UsageRow, now: number): number {
  switch (row.status) {
    case 'active':
      return Math.min(now, row.ends_at ?? now);
    case 'suspended':
      return row.suspended_at ?? now;
    default:
      return row.ended_at ?? now;
  }
}

/**
 * Time used, computed from timestamps only: allotted minus remaining (frozen
 * at the end for ended sessions, deadline-based for active ones). Null for a
 * session that never started. Suspensions are not stored one by one, so the
 * used time is taken as spread evenly over the wall-clock span from start to
 * end: exact for a session never suspended, an even estimate otherwise. The
 * used time never exceeds that span (a clock step cannot make a session
 * longer than it lasted).
 */
export function usageOf(row: UsageRow, now: number): Usage | null {
  if (row.started_at === null || row.status === 'pending') return null;
  const start = row.started_at;
  const end = Math.max(start, wallEnd(row, now));
  const used = Math.min(row.allotted_ms, Math.max(0, row.allotted_ms - remainingMs(row, now)));
  return { start, end, usedMs: Math.min(used, end - start) };
}

/** The share of the used time that falls in [from, to). */
export function usedWithin(usage: Usage, from: number, to: number): number {
  const span = usage.end - usage.start;
  if (span <= 0 || usage.usedMs <= 0) return 0;
  const overlap = Math.min(to, usage.end) - Math.max(from, usage.start);
  return overlap <= 0 ? 0 : (usage.usedMs * overlap) / span;
}
