const DAY_MS = 86_400_000;
/** Day prefixes kept ("2026-11-24T"): a list page spans few days, a year of records ~400. */
const MAX_DAYS = 2048;
const dayPrefixes = new Map<number, string>();

// Written once: isoInstant joins these pieces without making a string per field.
const TWO = Array.from({ length: 100 }, (_, n) => (n < 10 ? `0${n}` : `${n}`));
const THREE = Array.from({ length: 1000 }, (_, n) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`));

function dayPrefix(day: number): string {
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    // The calendar part comes from Date itself, so years before 0 or after 9999 keep its form.
    prefix = new Date(day * DAY_MS).toISOString().slice(0, -13);
    if (dayPrefixes.size >= MAX_DAYS) dayPrefixes.clear();
    dayPrefixes.set(day, prefix);
  }
  return prefix;
}

/**
 * `new Date(ms).toISOString()` (UTC, milliseconds, `Z`), written without a
 * Date per call: a list page formats several instants per row, and building a
 * Date to print it costs ~1 µs on Node 20 against ~0.2 µs here. The date part
 * is remembered per UTC day; the time of day is plain arithmetic. Throws the
 * same RangeError as Date for an instant outside its range (±8.64e15 ms) or
 * a value that is not a finite number.
 */
export function isoInstant(ms: number): string {
  if (isoInstantPieces(ms, scratch, 0) === 1) return scratch[0]!;
  const p = scratch;
  // Concatenated, not join()ed: about half of join's time for nine short strings.
  return p[0]! + p[1]! + p[2]! + p[3]! + p[4]! + p[5]! + p[6]! + p[7]! + p[8]!;
}

/** isoInstant's pieces, overwritten by each call (all nine, or only the first for Date's own text). */
const scratch: string[] = new Array<string>(9).fill('');

/** An instant's UTC day and time of day, as splitInstant leaves them (one call at a time). */
const parts = { day: 0, hours: 0, minutes: 0, seconds: 0, millis: 0 };

/** Fills `parts` for `ms`; false for an instant only Date prints (not finite, or outside ±8.64e15). */
function splitInstant(ms: number): boolean {
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return false;
  const t = Math.trunc(ms);
  const day = Math.floor(t / DAY_MS);
  let rest = t - day * DAY_MS;
  parts.day = day;
  parts.hours = Math.floor(rest / 3_600_000);
  rest -= parts.hours * 3_600_000;
  parts.minutes = Math.floor(rest / 60_000);
  rest -= parts.minutes * 60_000;
  parts.seconds = Math.floor(rest / 1000);
  parts.millis = rest - parts.seconds * 1000;
  return true;
}

/**
 * isoInstant's text as pieces stored in `out` from index `at` (the day
 * prefix, hours, ':', minutes, ':', seconds, '.', milliseconds, 'Z'; one piece
 * for an instant Date writes itself); returns the index after the last.
 * isoInstant joins these pieces (iso-instant.test.ts checks both against Date).
 */
export function isoInstantPieces(ms: number, out: string[], at: number): number {
  if (!splitInstant(ms)) {
    out[at] = new Date(ms).toISOString();
    return at + 1;
  }
  const { day, hours, minutes, seconds, millis } = parts;
  out[at] = dayPrefix(day);
  out[at + 1] = TWO[hours]!;
  out[at + 2] = ':';
  out[at + 3] = TWO[minutes]!;
  out[at + 4] = ':';
  out[at + 5] = TWO[seconds]!;
  out[at + 6] = '.';
  out[at + 7] = THREE[millis]!;
  out[at + 8] = 'Z';
  return at + 9;
}

const COLON = 58;
const DOT = 46;
const ZERO = 48;

/**
 * isoInstant's text written as ASCII bytes into `buf` from `at` (room for 30
 * bytes needed), returning the index after the last; for the list pages'
 * writer (json-text.ts), which writes no string per instant. Throws as
 * isoInstant does for an instant Date cannot print.
 */
export function writeIsoInstant(ms: number, buf: Uint8Array, at: number): number {
  if (!splitInstant(ms)) return writeAscii(new Date(ms).toISOString(), buf, at);
  const { day, hours, minutes, seconds, millis } = parts;
  let i = writeAscii(dayPrefix(day), buf, at);
  buf[i++] = ZERO + Math.floor(hours / 10);
  buf[i++] = ZERO + (hours % 10);
  buf[i++] = COLON;
  buf[i++] = ZERO + Math.floor(minutes / 10);
  buf[i++] = ZERO + (minutes % 10);
  buf[i++] = COLON;
  buf[i++] = ZERO + Math.floor(seconds / 10);
  buf[i++] = ZERO + (seconds % 10);
  buf[i++] = DOT;
  buf[i++] = ZERO + Math.floor(millis / 100);
  buf[i++] = ZERO + (Math.floor(millis / 10) % 10);
  buf[i++] = ZERO + (millis % 10);
  buf[i++] = 90; // Z
  return i;
}

function writeAscii(text: string, buf: Uint8Array, at: number): number {
  for (let i = 0; i < text.length; i++) buf[at + i] = text.charCodeAt(i);
  return at + text.length;
}
