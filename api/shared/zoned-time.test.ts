import { describe, expect, it } from 'vitest';
import { isValidTimeZone, localDate, localDayBounds, localParts, zoneOffsetMs } from './zoned-time.ts';

describe('zoned time', () => {
  it('knows Réunion is UTC+4', () => {
    expect(zoneOffsetMs(Date.parse('2026-06-01T00:00:00Z'), 'Indian/Reunion')).toBe(4 * 3600_000);
  });

  it('puts 21:30 UTC on the next local day in Réunion', () => {
    const t = Date.parse('2026-03-02T21:30:00Z');
    expect(localDate(t, 'Indian/Reunion')).toBe('2026-03-03');
    expect(localDate(t, 'UTC')).toBe('2026-03-02');
    expect(localParts(t, 'Indian/Reunion').hour).toBe(1);
  });

  it('gives the local day bounds', () => {
    const b = localDayBounds(Date.parse('2026-03-02T21:30:00Z'), 'Indian/Reunion');
    expect(new Date(b.start).toISOString()).toBe('2026-03-02T20:00:00.000Z');
    expect(new Date(b.end).toISOString()).toBe('2026-03-03T20:00:00.000Z');
  });

  it('handles a 23-hour day across a DST change', () => {
    const b = localDayBounds(Date.parse('2026-03-29T12:00:00Z'), 'Europe/Paris');
    expect(b.end - b.start).toBe(23 * 3600_000);
    expect(new Date(b.start).toISOString()).toBe('2026-03-28T23:00:00.000Z');
  });

  it('validates zone names', () => {
    expect(isValidTimeZone('Indian/Reunion')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});
