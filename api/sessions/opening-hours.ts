import type { OpenRange, Weekday, WeeklyHours } from '../shared/domain-context.ts';
import { localParts, zonedTimeToEpoch } from '../shared/zoned-time.ts';

/**
 * Opening hours of the EPN, read in the policy's time zone. Pure: every answer
 * comes from the weekly ranges, the zone and the instant given.
 *
 * - A day holds zero or more ranges "HH:MM-HH:MM", in order, not overlapping;
 *   "24:00" is allowed as an end and means the next local midnight.
 * - Ranges that touch (a day ending at 24:00, the next starting at 00:00, or
 *   "08:00-12:00,12:00-18:00") are one continuous opening: a session is not cut
 *   at midnight when the EPN stays open through it. "00:00-24:00" every day is
 *   therefore "always open".
 * - Wall-clock times are turned into instants per local day, so a DST change
 *   moves the instant of "18:00", never the local closing time. A range start
 *   inside a spring-forward gap happens at the first instant after the gap.
 */

export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const DAY_MINUTES = 24 * 60;
/** How far ahead closings and openings are looked for: a whole week and a day. */
const HORIZON_DAYS = 8;

const RANGE = /^([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$/;

/** Parses one day, e.g. "08:30-12:00,13:30-18:00" (empty: closed). Returns null when malformed. */
export function parseDayRanges(text: string): OpenRange[] | null {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const ranges: OpenRange[] = [];
  for (const part of trimmed.split(',')) {
    const m = RANGE.exec(part.trim());
    if (m === null) return null;
    const startMinute = Number(m[1]) * 60 + Number(m[2]);
    const endMinute = Number(m[3]) * 60 + Number(m[4]);
    if (startMinute >= DAY_MINUTES || endMinute > DAY_MINUTES || startMinute >= endMinute) return null;
    const previous = ranges[ranges.length - 1];
    if (previous !== undefined && startMinute < previous.endMinute) return null;
    ranges.push({ startMinute, endMinute });
  }
  return ranges;
}

/** True when every day is open from 00:00 to 24:00. */
export function isAlwaysOpen(hours: WeeklyHours): boolean {
  return WEEKDAYS.every((d) => hours[d].length === 1 && hours[d][0]!.startMinute === 0 && hours[d][0]!.endMinute === DAY_MINUTES);
}

interface Interval {
  start: number;
  end: number;
}

/** Open intervals (epoch ms, merged when they touch) from the local day before `t` to HORIZON_DAYS after. */
function intervalsAround(hours: WeeklyHours, timeZone: string, t: number): Interval[] {
  const p = localParts(t, timeZone);
  const out: Interval[] = [];
  for (let offset = -1; offset <= HORIZON_DAYS; offset += 1) {
    const day = new Date(Date.UTC(p.year, p.month - 1, p.day + offset));
    const weekday = WEEKDAYS[(day.getUTCDay() + 6) % 7]!;
    for (const r of hours[weekday]) {
      const start = atMinute(day, r.startMinute, timeZone);
      const end = atMinute(day, r.endMinute, timeZone);
      const last = out[out.length - 1];
      if (last !== undefined && start <= last.end) last.end = Math.max(last.end, end);
      else out.push({ start, end });
    }
  }
  return out;
}

function atMinute(day: Date, minute: number, timeZone: string): number {
  const d = new Date(day.getTime() + Math.floor(minute / DAY_MINUTES) * 86_400_000);
  const m = minute % DAY_MINUTES;
  return zonedTimeToEpoch({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: Math.floor(m / 60), minute: m % 60 }, timeZone);
}

export function isOpenAt(hours: WeeklyHours, timeZone: string, t: number): boolean {
  return intervalsAround(hours, timeZone, t).some((i) => i.start <= t && t < i.end);
}

/**
 * End of the opening that contains `t`; null when closed at `t`, or when the
 * EPN stays open for the whole horizon (no closing to cap at).
 */
export function closingAfter(hours: WeeklyHours, timeZone: string, t: number): number | null {
  const intervals = intervalsAround(hours, timeZone, t);
  const current = intervals.find((i) => i.start <= t && t < i.end);
  if (current === undefined || current === intervals[intervals.length - 1]) return null;
  return current.end;
}

/** The next instant after `t` the EPN opens; null when it never opens within the horizon. */
export function nextOpeningAfter(hours: WeeklyHours, timeZone: string, t: number): number | null {
  return intervalsAround(hours, timeZone, t).find((i) => i.start > t)?.start ?? null;
}
