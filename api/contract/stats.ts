import { Type, type Static } from '@sinclair/typebox';
import type { NamedStatsReport } from '../stats/stats-report.ts';
import { epochToIso } from './common.ts';

const Iso = (description: string) => Type.String({ format: 'date-time', description });

/** A period; either bound may be absent (see periodOrToday): no bounds = today in the EPN's time zone. */
export const PeriodQuery = Type.Object(
  {
    from: Type.Optional(Iso('Inclusive start (ISO 8601). Default: start of the local day `to` falls in.')),
    to: Type.Optional(Iso('Exclusive end (ISO 8601). Default: end of today (local).')),
  },
  { additionalProperties: false },
);
export type PeriodQuery = Static<typeof PeriodQuery>;

const STATS_CSV_VIEWS = ['day', 'hour', 'station', 'user'] as const;
export const StatsExportQuery = Type.Object(
  {
    ...PeriodQuery.properties,
    view: Type.Optional(Type.Union(STATS_CSV_VIEWS.map((v) => Type.Literal(v)), { default: 'day', description: 'Which table: local days, hours of the day, stations, visitors.' })),
  },
  { additionalProperties: false },
);

export const StatsPeriod = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  timeZone: Type.String({ description: 'IANA zone of the days and hours.' }),
  computedAt: Type.String({ format: 'date-time' }),
});

const Bucket = {
  sessionsStarted: Type.Integer(),
  minutesUsed: Type.Number({ description: 'One decimal.' }),
  visitors: Type.Integer(),
};

export const StatsReport = Type.Object({
  period: StatsPeriod,
  totals: Type.Object({
    sessionsCreated: Type.Integer({ description: 'Codes issued in the period, whatever became of them.' }),
    byStatus: Type.Record(Type.String(), Type.Integer()),
    byEndReason: Type.Record(Type.String(), Type.Integer()),
    sessionsStarted: Type.Integer(),
    minutesUsed: Type.Number({ description: 'Time used inside the period; sessions crossing its edges are clipped.' }),
    distinctVisitors: Type.Integer(),
    activeNow: Type.Integer(),
    suspendedNow: Type.Integer(),
  }),
  perUser: Type.Array(
    Type.Object({
      userId: Type.Integer(),
      displayName: Type.Union([Type.String(), Type.Null()], { description: 'Null once the visitor was anonymised.' }),
      anonymised: Type.Boolean(),
      sessions: Type.Integer(),
      minutesUsed: Type.Number(),
      lastVisitAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    }),
    { description: 'Most time used first.' },
  ),
  perStation: Type.Array(
    Type.Object({
      stationId: Type.Integer(),
      name: Type.Union([Type.String(), Type.Null()]),
      deleted: Type.Boolean(),
      sessions: Type.Integer(),
      minutesUsed: Type.Number(),
      occupancy: Type.Number({ minimum: 0, maximum: 1, description: 'Used time / period length.' }),
    }),
  ),
  perDay: Type.Array(Type.Object({ date: Type.String({ description: 'Local date YYYY-MM-DD.' }), ...Bucket }), { description: 'Every local day of the period.' }),
  perHour: Type.Array(Type.Object({ hour: Type.Integer({ minimum: 0, maximum: 23 }), ...Bucket }), { description: 'Hours 0–23 of the local day, summed over the period.' }),
});
export type StatsReport = Static<typeof StatsReport>;

export function periodToWire(p: { from: number; to: number; timeZone: string; computedAt: number }) {
  return { from: epochToIso(p.from)!, to: epochToIso(p.to)!, timeZone: p.timeZone, computedAt: epochToIso(p.computedAt)! };
}

export function statsToWire(r: NamedStatsReport): StatsReport {
  return {
    ...r,
    period: periodToWire(r.period),
    perUser: r.perUser.map((u) => ({ ...u, lastVisitAt: epochToIso(u.lastVisitAt) })),
  };
}
