import type { Session, SessionStatus } from './sessions-table.ts';

/** The timing fields a session's state implies at one instant. */
export interface SessionTiming {
  /** Total time granted, including time added or removed since. */
  allottedMs: number;
  /** Time used so far: allotted minus remaining (suspended periods do not count). */
  elapsedMs: number;
  /** Time left; never negative. */
  remainingMs: number;
  /** elapsed / allotted, 0–100, rounded to one decimal. */
  percentUsed: number;
  /** Deadline while active (epoch ms); null in every other state. */
  endsAt: number | null;
  /** Active and its deadline has passed: the expiry scheduler has not run yet. */
  overdue: boolean;
}

type TimingFields = Pick<Session, 'status' | 'allotted_ms' | 'remaining_ms' | 'ends_at'>;

/**
 * Timing derived only from stored instants and the injected `now`; nothing is
 * ever counted down, so a restart or a late timer changes nothing.
 *
 * - pending: elapsed 0, remaining = remaining_ms (the allotment, with any
 *   time added or removed before the start).
 * - active: remaining = ends_at − now (0 once past), elapsed = allotted − remaining.
 * - suspended: remaining frozen in remaining_ms at the suspension.
 * - ended: remaining frozen at the end (0 for expired, the allotment for a
 *   cancelled or unused code); elapsed is what was actually used.
 */
export function sessionTiming(session: TimingFields, now: number): SessionTiming {
  const allottedMs = session.allotted_ms;
  const remainingMs = Math.min(allottedMs, Math.max(0, remainingAt(session, now)));
  const elapsedMs = session.status === 'pending' ? 0 : allottedMs - remainingMs;
  const percentUsed = allottedMs > 0 ? Math.round((elapsedMs / allottedMs) * 1000) / 10 : 0;
  const endsAt = session.status === 'active' ? session.ends_at : null;
  return { allottedMs, elapsedMs, remainingMs, percentUsed, endsAt, overdue: isOverdue(session, now) };
}

/** Remaining time at `now` before clamping: ms to the deadline when active, the frozen value otherwise. */
export function remainingAt(session: Pick<Session, 'status' | 'remaining_ms' | 'ends_at'>, now: number): number {
  if (session.status === 'active') return (session.ends_at ?? now) - now;
  return session.remaining_ms ?? 0;
}

export function isOverdue(session: { status: SessionStatus; ends_at: number | null }, now: number): boolean {
  return session.status === 'active' && session.ends_at !== null && session.ends_at <= now;
}
