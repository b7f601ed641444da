import { describe, expect, it } from 'vitest';
import type { WeeklyHours } from '../shared/domain-context.ts';
import { closingAfter, isAlwaysOpen, isOpenAt, nextOpeningAfter, parseDayRanges, WEEKDAYS } from './opening-hours.ts';

const week = (days: Partial<Record<string, string>>, rest = ''): WeeklyHours =>
  Object.fromEntries(WEEKDAYS.map((d) => [d, parseDayRanges(days[d] ?? rest)!])) as unknown as WeeklyHours;

const REUNION = 'Indian/Reunion';
const PARIS = 'Europe/Paris';
// 2026-03-02 is a Monday; Réunion is UTC+4.
const re = (local: string) => Date.parse(`${local}+04:00`);

describe('parseDayRanges', () => {
  it('reads ranges, an empty day and 24:00', () => {
    expect(parseDayRanges('08:30-12:00, 13:30-18:00')).toEqual([
      { startMinute: 510, endMinute: 720 },
      { startMinute: 810, endMinute: 1080 },
    ]);
    expect(parseDayRanges('  ')).toEqual([]);
    expect(parseDayRanges('00:00-24:00')).toEqual([{ startMinute: 0, endMinute: 1440 }]);
  });

  it.each(['8:30-12:00', '12:00-08:00', '10:00-10:00', '24:00-24:00', '08:00-25:00', '08:60-09:00', '08:00-12:00,11:00-13:00', '13:00-14:00,08:00-09:00', 'tout le temps', '08:00-12:00,'])(
    'refuses %j',
    (text) => {
      expect(parseDayRanges(text)).toBeNull();
    },
  );
});

describe('opening hours in Indian/Reunion', () => {
  const hours = week({ mon: '08:30-12:00,13:30-18:00', tue: '08:30-18:00', sat: '09:00-24:00', sun: '00:00-02:00' });

  it('is open inside a range and closed outside, ends excluded', () => {
    expect(isOpenAt(hours, REUNION, re('2026-03-02T08:29:59'))).toBe(false);
    expect(isOpenAt(hours, REUNION, re('2026-03-02T08:30:00'))).toBe(true);
    expect(isOpenAt(hours, REUNION, re('2026-03-02T12:00:00'))).toBe(false);
    expect(isOpenAt(hours, REUNION, re('2026-03-02T17:59:59'))).toBe(true);
    expect(isOpenAt(hours, REUNION, re('2026-03-02T18:00:00'))).toBe(false);
    expect(isOpenAt(hours, REUNION, re('2026-03-04T10:00:00'))).toBe(false); // Wednesday closed
  });

  it('gives the end of the range containing the instant', () => {
    expect(closingAfter(hours, REUNION, re('2026-03-02T10:00:00'))).toBe(re('2026-03-02T12:00:00'));
    expect(closingAfter(hours, REUNION, re('2026-03-02T17:30:00'))).toBe(re('2026-03-02T18:00:00'));
    expect(closingAfter(hours, REUNION, re('2026-03-02T12:30:00'))).toBeNull();
  });

  it('treats Saturday to 24:00 then Sunday from 00:00 as one opening', () => {
    expect(closingAfter(hours, REUNION, re('2026-03-07T23:30:00'))).toBe(re('2026-03-08T02:00:00'));
    expect(isOpenAt(hours, REUNION, re('2026-03-08T00:00:00'))).toBe(true);
  });

  it('finds the next opening', () => {
    expect(nextOpeningAfter(hours, REUNION, re('2026-03-02T12:10:00'))).toBe(re('2026-03-02T13:30:00'));
    expect(nextOpeningAfter(hours, REUNION, re('2026-03-03T19:00:00'))).toBe(re('2026-03-07T09:00:00'));
    expect(nextOpeningAfter(week({}), REUNION, re('2026-03-03T19:00:00'))).toBeNull();
  });

  it('always open has no closing', () => {
    const always = week({}, '00:00-24:00');
    expect(isAlwaysOpen(always)).toBe(true);
    expect(isAlwaysOpen(hours)).toBe(false);
    expect(isOpenAt(always, REUNION, re('2026-03-04T23:59:59'))).toBe(true);
    expect(closingAfter(always, REUNION, re('2026-03-04T23:30:00'))).toBeNull();
  });
});

describe('opening hours across a DST change (Europe/Paris)', () => {
  const hours = week({}, '09:00-18:00');

  it('closes at 18:00 local on both sides of the spring change', () => {
    // 2026-03-29: clocks go from 02:00 to 03:00 (UTC+1 -> UTC+2).
    expect(closingAfter(hours, PARIS, Date.parse('2026-03-28T16:00:00Z'))).toBe(Date.parse('2026-03-28T17:00:00Z'));
    expect(closingAfter(hours, PARIS, Date.parse('2026-03-29T15:00:00Z'))).toBe(Date.parse('2026-03-29T16:00:00Z'));
    expect(isOpenAt(hours, PARIS, Date.parse('2026-03-29T07:30:00Z'))).toBe(true); // 09:30 CEST
    expect(isOpenAt(hours, PARIS, Date.parse('2026-03-28T07:30:00Z'))).toBe(false); // 08:30 CET
  });

  it('opens at 09:00 local after the autumn change', () => {
    // 2026-10-25: clocks go from 03:00 back to 02:00 (UTC+2 -> UTC+1).
    expect(nextOpeningAfter(hours, PARIS, Date.parse('2026-10-24T20:00:00Z'))).toBe(Date.parse('2026-10-25T08:00:00Z'));
  });
});
