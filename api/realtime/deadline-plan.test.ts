import { describe, expect, it } from 'vitest';
import { DEFAULT_WARNING_SECONDS, dueAt, nextInstant, normaliseWarnings, parseWarningList } from './deadline-plan.ts';

const END = 1_000_000_000;
const W = DEFAULT_WARNING_SECONDS;

describe('deadline plan', () => {
  it('walks the five warnings, then the deadline', () => {
    const instants: number[] = [];
    let cursor = END - 600_000;
    for (;;) {
      const at = nextInstant(END, W, cursor);
      instants.push(END - at);
      if (at === END) break;
      cursor = at;
    }
    expect(instants).toEqual([300_000, 120_000, 60_000, 30_000, 10_000, 0]);
  });

  it('skips warnings already behind the cursor, and the one exactly at it', () => {
    expect(nextInstant(END, W, END - 300_000)).toBe(END - 120_000);
    expect(nextInstant(END, W, END - 45_000)).toBe(END - 30_000);
    expect(nextInstant(END, W, END + 5)).toBe(END);
  });

  it('sends only the most urgent of several passed warnings, and expiry wins over all', () => {
    expect(dueAt(END, W, END - 400_000, END - 20_000)).toEqual({ kind: 'warn', secondsLeft: 30, instant: END - 30_000 });
    expect(dueAt(END, W, END - 400_000, END - 300_000)).toEqual({ kind: 'warn', secondsLeft: 300, instant: END - 300_000 });
    expect(dueAt(END, W, END - 30_000, END - 20_000)).toEqual({ kind: 'none' });
    expect(dueAt(END, W, END - 400_000, END)).toEqual({ kind: 'expire' });
  });

  it('parses and normalises the configured list', () => {
    expect(parseWarningList('10, 300,60 ,60')).toEqual([300, 60, 10]);
    expect(parseWarningList('')).toEqual([]);
    expect(() => parseWarningList('300,abc')).toThrow('"abc"');
    expect(() => parseWarningList('0')).toThrow('"0"');
    expect(normaliseWarnings([5, 1.5, -1, 5, 90])).toEqual([90, 5]);
  });
});
