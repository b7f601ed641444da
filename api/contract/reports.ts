import { Type, type Static } from '@sinclair/typebox';
import { END_REASONS } from '../sessions/sessions-table.ts';
import type { ReportView } from '../reports/report-view.ts';
import { epochToIso, PageQuery, pageOf, SortOrder } from './common.ts';

const Count = Type.Integer({ minimum: 0 });
const Counts = Type.Record(Type.String(), Count);
const Day = Type.String({ format: 'date', description: 'Local calendar day YYYY-MM-DD (time zone of the report).' });

const Base = {
  id: Type.Integer(),
  day: Day,
  timeZone: Type.String(),
  from: Type.String({ format: 'date-time', description: 'Start of the local day.' }),
  to: Type.String({ format: 'date-time', description: 'End of the local day (exclusive).' }),
  generatedAt: Type.String({ format: 'date-time', description: 'Last generation; a rerun for the same day replaces the figures.' }),
};

export const SessionsReport = Type.Object({
  ...Base,
  kind: Type.Literal('sessions'),
  totals: Type.Object({
    sessionsCreated: Count,
    sessionsStarted: Count,
    minutesUsed: Type.Number(),
    distinctVisitors: Count,
    stationsUsed: Count,
    byEndReason: Type.Object(Object.fromEntries(END_REASONS.map((r) => [r, Count]))),
  }),
  perHour: Type.Array(Type.Object({ hour: Type.Integer({ minimum: 0, maximum: 23 }), sessionsStarted: Count, minutesUsed: Type.Number(), visitors: Count })),
});

export const AuditReport = Type.Object({
  ...Base,
  kind: Type.Literal('audit'),
  totals: Type.Object({ events: Count, errors: Count, byAction: Counts, byActorType: Counts }),
  perHour: Type.Array(Type.Object({ hour: Type.Integer({ minimum: 0, maximum: 23 }), events: Count, errors: Count })),
});

export const Report = Type.Union([SessionsReport, AuditReport]);
export type Report = Static<typeof Report>;
export const ReportPage = pageOf(Report);

export const ReportKind = Type.Union([Type.Literal('sessions'), Type.Literal('audit')]);

export const ReportListQuery = Type.Object(
  {
    ...PageQuery.properties,
    kind: Type.Optional(ReportKind),
    from: Type.Optional(Type.String({ format: 'date', description: 'First local day included (YYYY-MM-DD).' })),
    to: Type.Optional(Type.String({ format: 'date', description: 'Last local day included (YYYY-MM-DD).' })),
    sort: Type.Optional(Type.Literal('day')),
    order: Type.Optional(SortOrder),
  },
  { additionalProperties: false },
);

export function reportToWire(r: ReportView): Report {
  const base = { id: r.id, day: r.day, timeZone: r.timeZone, from: epochToIso(r.from)!, to: epochToIso(r.to)!, generatedAt: epochToIso(r.generatedAt)! };
  return r.kind === 'sessions' ? { ...base, kind: 'sessions', totals: r.totals, perHour: r.perHour } : { ...base, kind: 'audit', totals: r.totals, perHour: r.perHour };
}
