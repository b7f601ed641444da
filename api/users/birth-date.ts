import { localDate } from '../shared/zoned-time.ts';
import { fieldIssue, type UserFieldIssue } from './user-errors.ts';

/** Oldest age we believe: anything above is a typing error. */
export const MAX_AGE_YEARS = 120;
/** Civil majority in France; `needsGuardian` uses the policy's own threshold. */
export const AGE_OF_MAJORITY = 18;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * A real calendar date written YYYY-MM-DD (no time, no zone), or undefined.
 * Years before 100 are refused, as Date.UTC (which read them as 19xx) always did here.
 * Checked by arithmetic rather than a Date round trip: a visitors page parses one per row.
 */
export function parseCalendarDate(text: string): CalendarDate | undefined {
  const m = DATE_RE.exec(text);
  if (m === null) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

/**
 * Whole years between a birth date and a local calendar day. Someone born on
 * 29 February turns a year older on 1 March in common years.
 */
export function ageOnDay(birth: CalendarDate, today: CalendarDate): number {
  const beforeBirthday = today.month < birth.month || (today.month === birth.month && today.day < birth.day);
  return today.year - birth.year - (beforeBirthday ? 1 : 0);
}

/** Age today in the given zone (the EPN's day, not the server's). Undefined without a valid birth date. */
export function ageAt(birthDate: string | null, now: number, timeZone: string): number | undefined {
  if (birthDate === null) return undefined;
  return ageOn(birthDate, parseCalendarDate(localDate(now, timeZone)));
}

/** ageAt for a local day already worked out (a list computes it once for all its rows). */
export function ageOn(birthDate: string | null, today: CalendarDate | undefined): number | undefined {
  if (birthDate === null || today === undefined) return undefined;
  const birth = parseCalendarDate(birthDate);
  return birth === undefined ? undefined : ageOnDay(birth, today);
}

/** Today's local calendar day in the zone. */
export function localCalendarDay(now: number, timeZone: string): CalendarDate | undefined {
  return parseCalendarDate(localDate(now, timeZone));
}

/**
 * Latest birth date (YYYY-MM-DD) of someone who is at least `age` today:
 * birth_date <= this. Compared as text, which orders ISO dates correctly even
 * when the result is a non-existent 29 February.
 */
export function bornOnOrBefore(age: number, now: number, timeZone: string): string {
  const today = localDate(now, timeZone);
  const year = Number(today.slice(0, 4)) - age;
  return `${String(year).padStart(4, '0')}${today.slice(4)}`;
}

/** Checks a birth date against today's local date; returns the normalised text or an issue. */
export function checkBirthDate(
  input: string,
  now: number,
  timeZone: string,
  field = 'birthDate',
): { ok: true; value: string } | { ok: false; issue: UserFieldIssue } {
  const text = input.trim();
  const birth = parseCalendarDate(text);
  const fail = (fr: string, en: string) => ({ ok: false as const, issue: fieldIssue('USER_BIRTH_DATE_INVALID', field, fr, en) });
  if (birth === undefined) return fail('Date de naissance invalide (format AAAA-MM-JJ).', 'Invalid birth date (format YYYY-MM-DD).');
  const age = ageOnDay(birth, parseCalendarDate(localDate(now, timeZone))!);
  if (text > localDate(now, timeZone)) return fail('La date de naissance est dans le futur.', 'The birth date is in the future.');
  if (age > MAX_AGE_YEARS) {
    return fail(`Date de naissance improbable (plus de ${MAX_AGE_YEARS} ans).`, `Implausible birth date (over ${MAX_AGE_YEARS} years old).`);
  }
  return { ok: true, value: text };
}
