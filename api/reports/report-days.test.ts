import { describe, expect, it } from 'vitest';
import { checkDay, daysAfter, localDay, nextDay, previousLocalDay } from './report-days.ts';

describe('report days', () => {
  it('takes the previous local day in the zone, not in UTC', () => {
    // 01:30 in Réunion on 3 March is still 2 March in UTC.
    const now = Date.parse('2026-03-02T21:30:00Z');
    expect(previousLocalDay(now, 'Indian/Reunion')).toEqual({
      day: '2026-03-02',
      from: Date.parse('2026-03-01T20:00:00Z'),
      to: Date.parse('2026-03-02T20:00:00Z'),
    });
    expect(previousLocalDay(now, 'UTC').day).toBe('2026-03-01');
  });

  it('gives a 23-hour day across a DST change', () => {
    const d = localDay('2026-03-29', 'Europe/Paris');
    expect(d.to - d.from).toBe(23 * 3_600_000);
    expect(previousLocalDay(Date.parse('2026-03-30T10:00:00Z'), 'Europe/Paris')).toEqual(d);
  });

  it('walks calendar days and keeps the latest ones when capped', () => {
    expect(nextDay('2026-02-28')).toBe('2026-03-01');
    expect(nextDay('2024-02-28')).toBe('2024-02-29');
    expect(daysAfter('2026-02-27', '2026-03-02', 31)).toEqual(['2026-02-28', '2026-03-01', '2026-03-02']);
    expect(daysAfter('2026-02-27', '2026-03-02', 2)).toEqual(['2026-03-01', '2026-03-02']);
    expect(daysAfter('2026-03-02', '2026-03-02', 31)).toEqual([]);
  });

  it('refuses a date that does not exist, naming the field', () => {
    expect(checkDay('2026-03-02')).toBe('2026-03-02');
    for (const bad of ['2026-02-30', '2026-3-2', 'hier', '2026-13-01']) {
      expect(() => checkDay(bad, 'from')).toThrow(expect.objectContaining({ code: 'REPORT_DAY_INVALID', fields: [expect.objectContaining({ field: 'from' })] }));
    }
  });
});
