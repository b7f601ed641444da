import { zoneOffsetMs } from '../shared/zoned-time.ts';

/** A piece of time inside one local hour of one local day. */
export interface LocalSlice {
  /** Local calendar date, YYYY-MM-DD. */
  date: string;
  /** Local hour 0–23 (on a DST fall-back day, hour 2 occurs twice and both land here). */
  hour: number;
  from: number;
  to: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Zone offsets change on quarter-hour UTC instants, at most once a day (every
// IANA rule since 1970). So a UTC day whose first and last quarter-hours share
// an offset has it throughout; only a changeover day is looked up per slot.
const SLOT = 15 * 60_000;

/**
 * Cuts time ranges at local hour boundaries in one time zone. Offsets are
 * cached per UTC day, so a year of sessions costs about 730 calls to Intl,
 * not one per slice.
 */
export class LocalSlicer {
  private readonly dayOffsets = new Map<number, number | null>();
  private readonly slotOffsets = new Map<number, number>();

  constructor(readonly timeZone: string) {}

  offsetAt(epochMs: number): number {
    const day = Math.floor(epochMs / DAY);
    let offset = this.dayOffsets.get(day);
    if (offset === undefined) {
      const first = zoneOffsetMs(day * DAY, this.timeZone);
      offset = zoneOffsetMs((day + 1) * DAY - SLOT, this.timeZone) === first ? first : null;
      this.dayOffsets.set(day, offset);
    }
    return offset ?? this.slotOffset(epochMs);
  }

  private slotOffset(epochMs: number): number {
    const slot = Math.floor(epochMs / SLOT);
    let offset = this.slotOffsets.get(slot);
    if (offset === undefined) {
      offset = zoneOffsetMs(slot * SLOT, this.timeZone);
      this.slotOffsets.set(slot, offset);
    }
    return offset;
  }

  /** Local date and hour of an instant. */
  at(epochMs: number): { date: string; hour: number } {
    const local = new Date(epochMs + this.offsetAt(epochMs));
    return { date: local.toISOString().slice(0, 10), hour: local.getUTCHours() };
  }

  /** [from, to) cut at every local hour boundary; nothing for an empty range. */
  *slices(from: number, to: number): Generator<LocalSlice> {
    let t = from;
    while (t < to) {
      const local = t + this.offsetAt(t);
      const next = Math.min(to, t + HOUR - (((local % HOUR) + HOUR) % HOUR));
      const { date, hour } = this.at(t);
      yield { date, hour, from: t, to: next };
      t = next;
    }
  }
}

/** Every local date from the one containing `from` to the one containing `to - 1`. */
export function localDatesOf(from: number, to: number, slicer: LocalSlicer): string[] {
  const first = slicer.at(from).date;
  const last = slicer.at(to - 1).date;
  const dates: string[] = [];
  for (let d = new Date(`${first}T00:00:00Z`); ; d.setUTCDate(d.getUTCDate() + 1)) {
    const date = d.toISOString().slice(0, 10);
    dates.push(date);
    if (date >= last) return dates;
  }
}
