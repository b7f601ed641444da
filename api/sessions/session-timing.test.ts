import { describe, expect, it } from 'vitest';
import { sessionTiming } from './session-timing.ts';
import type { Session } from './sessions-table.ts';

const MIN = 60_000;
const T0 = Date.parse('2026-03-02T08:00:00Z');
type Fields = Pick<Session, 'status' | 'allotted_ms' | 'remaining_ms' | 'ends_at'>;

describe('sessionTiming', () => {
  it('pending: nothing used, everything left, no deadline', () => {
    const s: Fields = { status: 'pending', allotted_ms: 60 * MIN, remaining_ms: 60 * MIN, ends_at: null };
    expect(sessionTiming(s, T0)).toEqual({ allottedMs: 60 * MIN, elapsedMs: 0, remainingMs: 60 * MIN, percentUsed: 0, endsAt: null, overdue: false });
  });

  it('active: from the deadline and now only', () => {
    const s: Fields = { status: 'active', allotted_ms: 60 * MIN, remaining_ms: null, ends_at: T0 + 45 * MIN };
    expect(sessionTiming(s, T0)).toMatchObject({ remainingMs: 45 * MIN, elapsedMs: 15 * MIN, percentUsed: 25, endsAt: T0 + 45 * MIN, overdue: false });
    expect(sessionTiming(s, T0 + 30 * MIN)).toMatchObject({ remainingMs: 15 * MIN, elapsedMs: 45 * MIN, percentUsed: 75 });
  });

  it('active past its deadline: zero left, fully used, overdue', () => {
    const s: Fields = { status: 'active', allotted_ms: 60 * MIN, remaining_ms: null, ends_at: T0 };
    expect(sessionTiming(s, T0 + 5000)).toMatchObject({ remainingMs: 0, elapsedMs: 60 * MIN, percentUsed: 100, overdue: true });
    expect(sessionTiming(s, T0).overdue).toBe(true);
  });

  it('suspended: frozen whatever the clock says', () => {
    const s: Fields = { status: 'suspended', allotted_ms: 60 * MIN, remaining_ms: 20 * MIN, ends_at: null };
    expect(sessionTiming(s, T0)).toEqual(sessionTiming(s, T0 + 10 * 3600_000));
    expect(sessionTiming(s, T0)).toMatchObject({ remainingMs: 20 * MIN, elapsedMs: 40 * MIN, endsAt: null });
  });

  it('ended: remaining frozen at the end', () => {
    const expired: Fields = { status: 'ended', allotted_ms: 30 * MIN, remaining_ms: 0, ends_at: null };
    expect(sessionTiming(expired, T0)).toMatchObject({ remainingMs: 0, elapsedMs: 30 * MIN, percentUsed: 100 });
    const cancelled: Fields = { status: 'ended', allotted_ms: 30 * MIN, remaining_ms: 30 * MIN, ends_at: null };
    expect(sessionTiming(cancelled, T0)).toMatchObject({ remainingMs: 30 * MIN, elapsedMs: 0, percentUsed: 0 });
  });

  it('rounds the percentage to one decimal', () => {
    const s: Fields = { status: 'active', allotted_ms: 3 * MIN, remaining_ms: null, ends_at: T0 + 2 * MIN };
    expect(sessionTiming(s, T0).percentUsed).toBe(33.3);
  });
});
