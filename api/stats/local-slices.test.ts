import { describe, expect, it } from 'vitest';
import { LocalSlicer, localDatesOf } from './local-slices.ts';

const t = (iso: string) => Date.parse(iso);
const MIN = 60_000;

describe('local slices', () => {
  it('cuts at local hours in Réunion (UTC+4), across local midnight', () => {
    const slicer = new LocalSlicer('Indian/Reunion');
    const slices = [...slicer.slices(t('2026-03-02T19:30:00Z'), t('2026-03-02T21:15:00Z'))];
    expect(slices.map((s) => [s.date, s.hour, (s.to - s.from) / MIN])).toEqual([
      ['2026-03-02', 23, 30],
      ['2026-03-03', 0, 60],
      ['2026-03-03', 1, 15],
    ]);
  });

  it('follows the spring-forward day in Paris: 02:00 does not exist', () => {
    const slicer = new LocalSlicer('Europe/Paris');
    // 00:30 UTC = 01:30 CET; at 01:00 UTC clocks jump from 02:00 to 03:00 CEST.
    const slices = [...slicer.slices(t('2026-03-29T00:30:00Z'), t('2026-03-29T02:30:00Z'))];
    expect(slices.map((s) => [s.hour, (s.to - s.from) / MIN])).toEqual([
      [1, 30],
      [3, 60],
      [4, 30],
    ]);
  });

  it('follows the fall-back day in Paris: 02:00 happens twice', () => {
    const slicer = new LocalSlicer('Europe/Paris');
    // 00:00 UTC = 02:00 CEST; at 01:00 UTC clocks go back from 03:00 to 02:00 CET.
    const slices = [...slicer.slices(t('2026-10-25T00:00:00Z'), t('2026-10-25T02:00:00Z'))];
    expect(slices.map((s) => [s.hour, (s.to - s.from) / MIN])).toEqual([
      [2, 60],
      [2, 60],
    ]);
  });

  it('handles half-hour zones', () => {
    const slicer = new LocalSlicer('Asia/Kolkata');
    const slices = [...slicer.slices(t('2026-03-02T00:00:00Z'), t('2026-03-02T01:00:00Z'))];
    expect(slices.map((s) => [s.hour, (s.to - s.from) / MIN])).toEqual([
      [5, 30],
      [6, 30],
    ]);
  });

  it('lists every local date of a period, including partial first and last days', () => {
    const slicer = new LocalSlicer('Indian/Reunion');
    expect(localDatesOf(t('2026-02-27T19:00:00Z'), t('2026-03-02T20:00:00Z'), slicer)).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    expect(localDatesOf(t('2026-03-01T20:00:00Z'), t('2026-03-02T20:00:00Z'), slicer)).toEqual(['2026-03-02']);
  });
});
