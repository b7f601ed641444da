import { Type, type Static } from '@sinclair/typebox';
import { AuditEvent } from './audit.ts';
import { Session } from './session.ts';
import { Station } from './station.ts';
import { Iso, Nullable, WsError, withRequestId, wsMessage } from './ws-common.ts';

/**
 * The operator channel `/ws/operator`: the live room for the panel. It opens
 * with a snapshot, then pushes deltas as changes commit. Authenticated like
 * the REST API (panel cookie `epnbox_session` or a bearer access token); a
 * login that must still change its one-time password is refused.
 */
export const OPERATOR_WS_PATH = '/ws/operator';

// ---- operator -> server ----

export const Ping = wsMessage('ping', { ...withRequestId }, 'Answered by pong: a liveness check for the panel.');

export const OPERATOR_TO_SERVER = { ping: Ping } as const;
export type OperatorToServer = Static<(typeof OPERATOR_TO_SERVER)[keyof typeof OPERATOR_TO_SERVER]>;

// ---- server -> operator ----

const ServerTime = Iso("The box's clock when the message left.");

export const Snapshot = wsMessage('snapshot', {
  serverTime: ServerTime,
  stations: Type.Array(Station, { description: 'Every station not deleted, with its running session and time left.' }),
  sessions: Type.Array(Session, { description: 'Running (active and suspended) sessions. Unused codes are counted in pendingCodes and listed by GET /api/sessions/live?status=pending; session deltas follow every change.' }),
  pendingCodes: Type.Integer({ minimum: 0, description: 'Unused (pending) codes now.' }),
  connectedStationIds: Type.Array(Type.Integer(), { description: 'Stations whose agent holds a live WebSocket now.' }),
  lastEventId: Nullable(Type.Integer({ description: 'Events up to this id are in the past; audit_event deltas follow it.' })),
});

export const StationDelta = wsMessage('station', { station: Station, serverTime: ServerTime });
export const StationRemoved = wsMessage('station_removed', { stationId: Type.Integer(), serverTime: ServerTime });
export const SessionDelta = wsMessage('session', { session: Session, serverTime: ServerTime }, 'A session changed; one that is no longer live leaves the live list.');
export const AuditEventDelta = wsMessage('audit_event', { event: AuditEvent });
export const StationConnection = wsMessage('station_connection', {
  stationId: Type.Integer(),
  connected: Type.Boolean(),
  agentVersion: Nullable(Type.String()),
  serverTime: ServerTime,
});
export const CommandAcked = wsMessage('command_acked', { stationId: Type.Integer(), commandId: Type.String(), serverTime: ServerTime });
export const Pong = wsMessage('pong', { requestId: Nullable(Type.String()), serverTime: ServerTime });

export const SERVER_TO_OPERATOR = {
  snapshot: Snapshot,
  station: StationDelta,
  station_removed: StationRemoved,
  session: SessionDelta,
  audit_event: AuditEventDelta,
  station_connection: StationConnection,
  command_acked: CommandAcked,
  pong: Pong,
  error: WsError,
} as const;
export type ServerToOperator = Static<(typeof SERVER_TO_OPERATOR)[keyof typeof SERVER_TO_OPERATOR]>;
