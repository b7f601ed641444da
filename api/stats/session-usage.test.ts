import { describe, expect, it } from 'vitest';
import { usageOf, usedWithin, type UsageRow } from './session-usage.ts';

const MIN = 60_000;
const T0 = Date.parse('2026-03-02T06:00:00Z');

function row(over: Partial<UsageRow>): UsageRow {
  return {
    id: 1,
    user_id: 1,
    station_id: 1,
    status: 'ended',
    end_reason: 'expired',
    allotted_ms: 60 * MIN,
    remaining_ms: 0,
    ends_at: null,
    started_at: T0,
    suspended_at: null,
    ended_at: T0 + 60 * MIN,
    ...over,
  };
}

describe('session usage', () => {
  it('uses allotted minus the remaining time frozen at the end', () => {
    expect(usageOf(row({ end_reason: 'ended_by_operator', remaining_ms: 15 * MIN, ended_at: T0 + 45 * MIN }), T0 + 999 * MIN)).toEqual({
      start: T0,
      end: T0 + 45 * MIN,
      usedMs: 45 * MIN,
    });
  });

  it('counts an active session up to now from its deadline', () => {
    const active = row({ status: 'active', end_reason: null, remaining_ms: null, ends_at: T0 + 60 * MIN, ended_at: null });
    expect(usageOf(active, T0 + 20 * MIN)).toEqual({ start: T0, end: T0 + 20 * MIN, usedMs: 20 * MIN });
    // Past its deadline, before the expiry job ran: all of it, ending at the deadline.
    expect(usageOf(active, T0 + 70 * MIN)).toEqual({ start: T0, end: T0 + 60 * MIN, usedMs: 60 * MIN });
  });

  it('freezes a suspended session at its suspension', () => {
    const suspended = row({ status: 'suspended', end_reason: null, remaining_ms: 40 * MIN, suspended_at: T0 + 20 * MIN, ended_at: null });
    expect(usageOf(suspended, T0 + 500 * MIN)).toEqual({ start: T0, end: T0 + 20 * MIN, usedMs: 20 * MIN });
  });

  it('has no usage for sessions that never started', () => {
    expect(usageOf(row({ status: 'pending', started_at: null, ended_at: null, remaining_ms: 60 * MIN }), T0)).toBeNull();
    expect(usageOf(row({ end_reason: 'cancelled', started_at: null, remaining_ms: 60 * MIN }), T0)).toBeNull();
  });

  it('never uses more than the wall-clock span', () => {
    expect(usageOf(row({ remaining_ms: 0, ended_at: T0 + 10 * MIN }), T0)!.usedMs).toBe(10 * MIN);
  });

  it('spreads used time evenly when the session was suspended, and clips to a range', () => {
    // 60 min used over 2 h of wall clock (suspended 1 h in between).
    const usage = usageOf(row({ allotted_ms: 90 * MIN, remaining_ms: 30 * MIN, ended_at: T0 + 120 * MIN }), T0)!;
    expect(usedWithin(usage, T0, T0 + 60 * MIN)).toBe(30 * MIN);
    expect(usedWithin(usage, T0 - 60 * MIN, T0 + 30 * MIN)).toBe(15 * MIN);
    expect(usedWithin(usage, T0 + 120 * MIN, T0 + 180 * MIN)).toBe(0);
  });
});
