import { invalid } from '../shared/errors.ts';
import { localDate, localDayBounds, zonedTimeToEpoch } from '../shared/zoned-time.ts';

/** A local calendar day and its [from, to) bounds in epoch ms (23 or 25 hours across a DST change). */
export interface LocalDay {
  day: string;
  from: number;
  to: number;
}

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Throws REPORT_DAY_INVALID unless `day` is a real YYYY-MM-DD date. */
export function checkDay(day: string, field = 'day'): string {
  const m = DAY_RE.exec(day);
  const date = m === null ? null : new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (m === null || date === null || date.toISOString().slice(0, 10) !== day) {
    throw invalid('REPORT_DAY_INVALID', `Date invalide « ${day} » (attendu AAAA-MM-JJ).`, `Invalid date "${day}" (expected YYYY-MM-DD).`, [
      { field, fr: 'date AAAA-MM-JJ', en: 'date YYYY-MM-DD' },
    ]);
  }
  return day;
}

/** The bounds of a local day given as YYYY-MM-DD. */
export function localDay(day: string, timeZone: string): LocalDay {
  const [year, month, date] = checkDay(day).split('-').map(Number) as [number, number, number];
  const from = zonedTimeToEpoch({ year, month, day: date }, timeZone);
  return { day, from, to: localDayBounds(from, timeZone).end };
}

/** The local day before the one containing `now`: what a morning report describes. */
export function previousLocalDay(now: number, timeZone: string): LocalDay {
  const today = localDayBounds(now, timeZone);
  const from = localDayBounds(today.start - 1, timeZone).start;
  return { day: localDate(from, timeZone), from, to: today.start };
}

/** The calendar day after `day` (YYYY-MM-DD), zone-free. */
export function nextDay(day: string): string {
  const [y, m, d] = checkDay(day).split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** Days after `after` up to and including `last`, at most `limit` of them (the latest ones). */
export function daysAfter(after: string, last: string, limit: number): string[] {
  const days: string[] = [];
  for (let d = nextDay(after); d <= last; d = nextDay(d)) days.push(d);
  return days.slice(-limit);
}
