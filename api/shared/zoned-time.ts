/**
 * Local calendar arithmetic in an IANA time zone using only Intl, so quotas and
 * daily statistics follow the configured zone (Indian/Reunion is UTC+4 with no
 * DST today, but nothing here assumes a fixed offset).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

// Intl's formatToParts costs microseconds; a page of 50 visitors asks for the
// same "now" hundreds of times. One remembered answer per zone and second.
const lastParts = new Map<string, { second: number; parts: LocalParts }>();

export function localParts(epochMs: number, timeZone: string): LocalParts {
  const second = Math.floor(epochMs / 1000);
  const cached = lastParts.get(timeZone);
  if (cached !== undefined && cached.second === second) return { ...cached.parts };
  const computed = computeLocalParts(epochMs, timeZone);
  lastParts.set(timeZone, { second, parts: computed });
  return { ...computed };
}

function computeLocalParts(epochMs: number, timeZone: string): LocalParts {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(epochMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** Offset of the zone from UTC at that instant, in ms (positive east). */
export function zoneOffsetMs(epochMs: number, timeZone: string): number {
  const p = localParts(epochMs, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/** The instant a local wall-clock time happens (first occurrence on DST folds). */
export function zonedTimeToEpoch(date: { year: number; month: number; day: number; hour?: number; minute?: number }, timeZone: string): number {
  const guess = Date.UTC(date.year, date.month - 1, date.day, date.hour ?? 0, date.minute ?? 0);
  // Two passes settle the offset even when the guess sits across a DST change.
  let epoch = guess - zoneOffsetMs(guess, timeZone);
  epoch = guess - zoneOffsetMs(epoch, timeZone);
  return epoch;
}

/** Local calendar date YYYY-MM-DD of an instant. */
export function localDate(epochMs: number, timeZone: string): string {
  const p = localParts(epochMs, timeZone);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** [start, end) of the local day containing the instant. */
export function localDayBounds(epochMs: number, timeZone: string): { start: number; end: number } {
  const p = localParts(epochMs, timeZone);
  const start = zonedTimeToEpoch({ year: p.year, month: p.month, day: p.day }, timeZone);
  const next = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
  const end = zonedTimeToEpoch({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() }, timeZone);
  return { start, end };
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}
