import { DomainError } from '../shared/errors.ts';

/** A half-open interval [from, to) of epoch ms over which statistics are computed. */
export interface StatsPeriod {
  from: number;
  to: number;
}

/** Two years and a day: enough for year-on-year reports, bounded so one request stays cheap. */
export const MAX_PERIOD_MS = 731 * 24 * 3_600_000;

export function checkPeriod(period: StatsPeriod): StatsPeriod {
  const { from, to } = period;
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || to <= from) {
    throw new DomainError(
      'STATS_PERIOD_INVALID',
      'invalid',
      { fr: 'Période invalide : le début doit précéder la fin.', en: 'Invalid period: the start must come before the end.' },
      { fields: [{ field: 'to', fr: 'après le début', en: 'after the start' }], details: { from, to } },
    );
  }
  if (to - from > MAX_PERIOD_MS) {
    throw new DomainError(
      'STATS_PERIOD_TOO_LONG',
      'invalid',
      { fr: 'Période trop longue : deux ans au plus.', en: 'Period too long: two years at most.' },
      { fields: [{ field: 'to', fr: 'deux ans au plus après le début', en: 'at most two years after the start' }], details: { from, to } },
    );
  }
  return { from, to };
}

export function periodLength(period: StatsPeriod): number {
  return period.to - period.from;
}
