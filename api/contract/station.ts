import { Type, type Static } from '@sinclair/typebox';
import type { StationSort } from '../stations/station-list.ts';
import type { StationFleetStats } from '../stations/station-stats.ts';
import type { LiveSessionRef, StationView } from '../stations/station-view.ts';
import { STATION_STATES } from '../stations/stations-table.ts';
import { PageQuery, SortOrder, epochToIso, pageOf } from './common.ts';
import { Session } from './session.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Iso = () => Type.String({ format: 'date-time' });
const seconds = (ms: number) => Math.ceil(ms / 1000);

export const StationState = Type.Union(STATION_STATES.map((s) => Type.Literal(s)));

export const LiveSession = Type.Object({
  id: Type.Integer(),
  userId: Type.Integer(),
  status: Type.Union([Type.Literal('active'), Type.Literal('suspended')]),
  startedAt: Nullable(Iso()),
  endsAt: Nullable(Type.String({ format: 'date-time', description: 'Deadline while active; null while suspended.' })),
  remainingSeconds: Type.Integer({ description: 'Rounded up, so a countdown never shows 0 early.' }),
});

export const Station = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  mac: Type.String({ description: 'aa:bb:cc:dd:ee:ff' }),
  ip: Nullable(Type.String()),
  state: StationState,
  stateReason: Nullable(Type.String()),
  online: Type.Boolean({ description: 'Heard from within the heartbeat timeout.' }),
  lastHeartbeatAt: Nullable(Iso()),
  secondsSinceHeartbeat: Nullable(Type.Integer()),
  agentVersion: Nullable(Type.String()),
  createdAt: Iso(),
  updatedAt: Iso(),
  liveSession: Nullable(LiveSession),
});
export type Station = Static<typeof Station>;

export const StationPage = pageOf(Station);
export const StationList = Type.Object({ items: Type.Array(Station) });

const SORTS = ['name', 'state', 'lastHeartbeat', 'createdAt'] as const satisfies readonly StationSort[];

export const StationListQuery = Type.Object(
  {
    state: Type.Optional(Type.Array(StationState, { maxItems: STATION_STATES.length, description: 'Repeat to combine: ?state=available&state=occupied' })),
    online: Type.Optional(Type.Boolean()),
    q: Type.Optional(Type.String({ maxLength: 100, description: 'Text in the name, MAC (any notation) or IP.' })),
    sort: Type.Optional(Type.Union(SORTS.map((s) => Type.Literal(s)))),
    order: Type.Optional(SortOrder),
    ...PageQuery.properties,
  },
  { additionalProperties: false },
);

const Name = Type.String({ minLength: 1, maxLength: 100 });
const Mac = Type.String({ minLength: 1, maxLength: 32, description: 'Any common notation; stored as aa:bb:cc:dd:ee:ff.' });
const Ip = Nullable(Type.String({ maxLength: 45, description: 'IPv4; null or blank when not known (the heartbeat fills it in).' }));

export const NewStationBody = Type.Object({ name: Name, mac: Mac, ip: Type.Optional(Ip) }, { additionalProperties: false });
export const StationPatchBody = Type.Object(
  { name: Type.Optional(Name), mac: Type.Optional(Mac), ip: Type.Optional(Ip) },
  { additionalProperties: false, minProperties: 1 },
);

export const ReasonBody = Type.Object({ reason: Type.String({ maxLength: 1000, description: 'Required, e.g. "écran cassé".' }) }, { additionalProperties: false });
export const OptionalReasonBody = Type.Object({ reason: Type.Optional(Nullable(Type.String({ maxLength: 1000 }))) }, { additionalProperties: false });

export const HeartbeatBody = Type.Object(
  {
    agentVersion: Type.Optional(Type.String({ maxLength: 80 })),
    ip: Type.Optional(Nullable(Type.String({ maxLength: 45, description: 'The address the agent sees on its interface.' }))),
    uptimeSeconds: Type.Optional(Type.Integer({ minimum: 0, description: 'Accepted and logged at debug level; not stored.' })),
    load: Type.Optional(Type.Number({ minimum: 0, description: 'One-minute load average; accepted and logged at debug level, not stored.' })),
  },
  { additionalProperties: false },
);

export const HeartbeatResponse = Type.Object({
  stationId: Type.Integer(),
  state: StationState,
  stateReason: Nullable(Type.String()),
  serverTime: Type.String({ format: 'date-time', description: "The box's clock: the agent corrects its own offset with it." }),
  heartbeatTimeoutSeconds: Type.Integer({ description: 'Silent longer than this, the station shows offline: beat well within it.' }),
  cameOnline: Type.Boolean({ description: 'The station was offline for silence and is back.' }),
  liveSession: Nullable(LiveSession),
});

export const ActiveSessionResponse = Type.Object({
  stationId: Type.Integer(),
  session: Nullable(Session),
  serverTime: Type.String({ format: 'date-time' }),
});

export const StationToken = Type.Object({
  stationId: Type.Integer(),
  token: Type.String({ description: 'st_…, shown once: the station sends it as `Authorization: Bearer st_…`.' }),
  issuedAt: Iso(),
  revokedPrevious: Type.Integer({ description: 'Earlier tokens revoked by this issue.' }),
});

export const StationStatsResponse = Type.Object({
  computedAt: Iso(),
  total: Type.Integer({ description: 'Stations not deleted.' }),
  byState: Type.Record(Type.String(), Type.Integer()),
  online: Type.Integer(),
  offline: Type.Integer(),
  availableNow: Type.Integer({ description: 'Available, online and free.' }),
  inSessionNow: Type.Integer(),
  period: Type.Object({ from: Iso(), to: Iso(), timeZone: Type.String() }),
  perStation: Type.Array(
    Type.Object({
      stationId: Type.Integer(),
      name: Nullable(Type.String()),
      state: Nullable(StationState),
      online: Type.Boolean(),
      deleted: Type.Boolean(),
      sessions: Type.Integer(),
      minutesUsed: Type.Number(),
      occupancy: Type.Number({ minimum: 0, maximum: 1 }),
    }),
  ),
});

/** A running session's time left on the wire: whole seconds, rounded up. */
export const wireRemainingSeconds = (s: Pick<LiveSessionRef, 'remainingMs'>): number => seconds(s.remainingMs);

export function liveSessionToWire(s: LiveSessionRef | null): Static<typeof LiveSession> | null {
  if (s === null) return null;
  return { id: s.id, userId: s.userId, status: s.status, startedAt: epochToIso(s.startedAt), endsAt: epochToIso(s.endsAt), remainingSeconds: wireRemainingSeconds(s) };
}

// Written out rather than spread (a list maps a page at a time): one object shape, no copy of the view.
export function stationToWire(v: StationView): Station {
  return {
    id: v.id,
    name: v.name,
    mac: v.mac,
    ip: v.ip,
    state: v.state,
    stateReason: v.stateReason,
    online: v.online,
    lastHeartbeatAt: epochToIso(v.lastHeartbeatAt),
    secondsSinceHeartbeat: v.secondsSinceHeartbeat,
    agentVersion: v.agentVersion,
    createdAt: epochToIso(v.createdAt)!,
    updatedAt: epochToIso(v.updatedAt)!,
    liveSession: liveSessionToWire(v.liveSession),
  };
}

export function fleetStatsToWire(s: StationFleetStats): Static<typeof StationStatsResponse> {
  return {
    ...s,
    computedAt: epochToIso(s.computedAt)!,
    period: { from: epochToIso(s.period.from)!, to: epochToIso(s.period.to)!, timeZone: s.period.timeZone },
  };
}
