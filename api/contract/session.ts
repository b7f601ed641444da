import { Type, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import type { TimeRemaining as TimeRemainingMs } from '../sessions/session-queries.ts';
import type { SessionStats as SessionStatsMs } from '../sessions/session-stats.ts';
import type { SessionView } from '../sessions/session-view.ts';
import { END_REASONS, SESSION_STATUSES } from '../sessions/sessions-table.ts';
import { epochToIso, pageOf, PageQuery, SortOrder } from './common.ts';

const literals = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v))) as TUnion<TLiteral<T[number]>[]>;
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Iso = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });

export const SessionStatus = literals(SESSION_STATUSES);
export const EndReason = literals(END_REASONS);

/** A session as the panel and the station agent see it. Durations in whole seconds. */
export const Session = Type.Object({
  id: Type.Integer(),
  code: Type.String({ description: 'Access code as printed: XXXX-XXXX.' }),
  userId: Type.Integer(),
  boundStationId: Nullable(Type.Integer({ description: 'Station the code is reserved for; null = any station.' })),
  stationId: Nullable(Type.Integer({ description: 'Station it runs or ran on; null before the start.' })),
  stationIp: Nullable(Type.String()),
  status: SessionStatus,
  endReason: Nullable(EndReason),
  codeExpiresAt: Iso('An unused code stops working then.'),
  createdAt: Iso(),
  startedAt: Nullable(Iso()),
  suspendedAt: Nullable(Iso()),
  endedAt: Nullable(Iso()),
  createdBy: Nullable(Type.Integer({ description: 'Operator who issued the code.' })),
  allottedSeconds: Type.Integer({ description: 'Total time granted, time added or removed included.' }),
  elapsedSeconds: Type.Integer({ description: 'Time used (suspensions do not count).' }),
  remainingSeconds: Type.Integer({ description: 'Time left, rounded up so a countdown never shows 0 early.' }),
  percentUsed: Type.Number({ minimum: 0, maximum: 100 }),
  endsAt: Nullable(Iso('Deadline while active; null otherwise.')),
  overdue: Type.Boolean({ description: 'Active past its deadline; the expiry will close it at once.' }),
  computedAt: Iso("The server's clock when the timing was computed."),
  cappedAtClosing: Type.Optional(Type.Boolean({ description: 'Start and resume answers only: the deadline was brought back to the closing time; tell the visitor.' })),
  closesAt: Type.Optional(Iso('With cappedAtClosing: the closing time the deadline was capped at.')),
});
export type Session = Static<typeof Session>;

const seconds = (ms: number) => Math.ceil(ms / 1000);

/** The wire's whole seconds of a timing: rounded up, elapsed being what that leaves (never negative). */
export function wireDurations(t: { allottedMs: number; remainingMs: number }): { allottedSeconds: number; elapsedSeconds: number; remainingSeconds: number } {
  const allottedSeconds = seconds(t.allottedMs);
  const remainingSeconds = seconds(t.remainingMs);
  return { allottedSeconds, elapsedSeconds: Math.max(0, allottedSeconds - remainingSeconds), remainingSeconds };
}

/** Domain view (epoch ms) -> wire (ISO 8601, seconds). */
export function sessionToWire(v: SessionView): Session {
  const { allottedSeconds, elapsedSeconds, remainingSeconds } = wireDurations(v);
  return {
    id: v.id,
    code: v.code,
    userId: v.userId,
    boundStationId: v.boundStationId,
    stationId: v.stationId,
    stationIp: v.stationIp,
    status: v.status,
    endReason: v.endReason,
    codeExpiresAt: epochToIso(v.codeExpiresAt)!,
    createdAt: epochToIso(v.createdAt)!,
    startedAt: epochToIso(v.startedAt),
    suspendedAt: epochToIso(v.suspendedAt),
    endedAt: epochToIso(v.endedAt),
    createdBy: v.createdBy,
    allottedSeconds,
    elapsedSeconds,
    remainingSeconds,
    percentUsed: v.percentUsed,
    endsAt: epochToIso(v.endsAt),
    overdue: v.overdue,
    computedAt: epochToIso(v.computedAt)!,
    ...(v.cappedAtClosing === true && v.closesAt !== undefined ? { cappedAtClosing: true, closesAt: epochToIso(v.closesAt)! } : {}),
  };
}

export const SessionPage = pageOf(Session);
export const LiveSessionsQuery = Type.Object(
  {
    status: Type.Optional(Type.Array(Type.Union([Type.Literal('pending'), Type.Literal('active'), Type.Literal('suspended')]), { minItems: 1, maxItems: 3 })),
    page: Type.Optional(Type.Integer({ minimum: 1 })),
    pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
  },
  { additionalProperties: false },
);

export const SESSION_SORT_FIELDS = ['createdAt', 'startedAt', 'endedAt', 'id'] as const;

export const SessionListQuery = Type.Object(
  {
    status: Type.Optional(Type.Array(SessionStatus, { maxItems: SESSION_STATUSES.length, description: 'Repeat to combine: ?status=active&status=suspended' })),
    userId: Type.Optional(Type.Integer({ minimum: 1 })),
    stationId: Type.Optional(Type.Integer({ minimum: 1, description: 'Station the session ran on.' })),
    from: Type.Optional(Iso('Issued at or after (ISO 8601).')),
    to: Type.Optional(Iso('Issued before (ISO 8601).')),
    endReason: Type.Optional(Type.Array(EndReason, { maxItems: END_REASONS.length })),
    sort: Type.Optional(literals(SESSION_SORT_FIELDS)),
    order: Type.Optional(SortOrder),
    ...PageQuery.properties,
  },
  { additionalProperties: false },
);

export const SessionIdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const IssueSessionBody = Type.Object(
  {
    userId: Type.Integer({ minimum: 1 }),
    durationMinutes: Type.Integer({ minimum: 1, maximum: 720 }),
    boundStationId: Type.Optional(Nullable(Type.Integer({ minimum: 1 }))),
  },
  { additionalProperties: false },
);

/** The only field an operator may change on an issued session (see changeBinding). */
export const UpdateSessionBody = Type.Object(
  { boundStationId: Nullable(Type.Integer({ minimum: 1, description: 'Reserve the unused code for this station; null = any station.' })) },
  { additionalProperties: false },
);

export const MinutesBody = Type.Object({ minutes: Type.Integer({ minimum: 1, maximum: 720 }) }, { additionalProperties: false });

export const StartOnStationBody = Type.Object({ stationId: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });

const CodeField = Type.String({ minLength: 1, maxLength: 32, description: 'As typed: case, spaces and dashes do not matter.' });

/** A station sends its code alone; an operator names the station it checks for. */
export const ValidateCodeBody = Type.Object(
  { code: CodeField, stationId: Type.Optional(Type.Integer({ minimum: 1, description: 'Required for an operator; a station may only name itself.' })) },
  { additionalProperties: false },
);
export const StartCodeBody = Type.Object({ code: CodeField }, { additionalProperties: false });

export const TimeRemaining = Type.Object({
  sessionId: Type.Integer(),
  status: SessionStatus,
  remainingSeconds: Type.Integer(),
  endsAt: Nullable(Iso('Deadline while active; count down to it.')),
  serverNow: Iso("The server's clock, to correct the station's own clock offset."),
});
export type TimeRemaining = Static<typeof TimeRemaining>;

export function timeRemainingToWire(t: TimeRemainingMs): TimeRemaining {
  return { sessionId: t.sessionId, status: t.status, remainingSeconds: seconds(t.remainingMs), endsAt: epochToIso(t.endsAt), serverNow: epochToIso(t.serverNow)! };
}

export const PeriodQuery = Type.Object(
  { from: Type.Optional(Iso('Inclusive start (ISO 8601).')), to: Type.Optional(Iso('Exclusive end (ISO 8601).')) },
  { additionalProperties: false },
);
export const ExportPeriodQuery = Type.Object(
  { from: Iso('Issued at or after (ISO 8601).'), to: Iso('Issued before (ISO 8601).') },
  { additionalProperties: false },
);

const Bucket = { sessionsStarted: Type.Integer(), minutesUsed: Type.Number(), visitors: Type.Integer() };

export const SessionStats = Type.Object({
  period: Type.Object({ from: Iso(), to: Iso(), timeZone: Type.String(), computedAt: Iso() }),
  totals: Type.Object({
    sessionsCreated: Type.Integer({ description: 'Codes issued in the period.' }),
    byStatus: Type.Record(Type.String(), Type.Integer()),
    byEndReason: Type.Record(Type.String(), Type.Integer()),
    sessionsStarted: Type.Integer(),
    minutesUsed: Type.Number(),
    distinctVisitors: Type.Integer(),
    activeNow: Type.Integer(),
    suspendedNow: Type.Integer(),
  }),
  perStation: Type.Array(Type.Object({ stationId: Type.Integer(), sessions: Type.Integer(), minutesUsed: Type.Number(), occupancy: Type.Number() })),
  perDay: Type.Array(Type.Object({ date: Type.String({ description: 'Local day, YYYY-MM-DD.' }), ...Bucket })),
  perHour: Type.Array(Type.Object({ hour: Type.Integer({ minimum: 0, maximum: 23 }), ...Bucket })),
});
export type SessionStats = Static<typeof SessionStats>;

export function sessionStatsToWire(s: SessionStatsMs): SessionStats {
  const { from, to, timeZone, computedAt } = s.period;
  return { ...s, period: { from: epochToIso(from)!, to: epochToIso(to)!, timeZone, computedAt: epochToIso(computedAt)! } };
}
