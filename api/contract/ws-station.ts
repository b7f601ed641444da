import { Type, type Static } from '@sinclair/typebox';
import { END_REASONS, SESSION_STATUSES } from '../sessions/sessions-table.ts';
import { STATION_STATES } from '../stations/stations-table.ts';
import { Iso, Nullable, WsError, withRequestId, wsMessage } from './ws-common.ts';

/**
 * The station channel `/ws/station`: what the kiosk agent and the box say to
 * each other. The agent authenticates the upgrade with its station token
 * (`Authorization: Bearer st_…`, or the subprotocols `epnbox.v1` +
 * `bearer.st_…` when it cannot set headers). The box owns deadlines: every
 * session message carries the absolute `endsAt` and the box's `serverTime`,
 * and the agent counts down locally, correcting its clock's offset.
 */
export const STATION_WS_PATH = '/ws/station';

/** How often the agent should send `heartbeat`. */
export const HEARTBEAT_INTERVAL_SECONDS = 10;
/** Events in one `replay`. */
export const MAX_REPLAY_EVENTS = 100;

const literals = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v)));
const Code = Type.String({ minLength: 1, maxLength: 32, description: 'As typed: any case, dashes and spaces allowed.' });
const CommandId = Type.String({ minLength: 1, maxLength: 64 });
const SessionId = Type.Integer({ minimum: 1 });

// ---- station -> server ----

export const Hello = wsMessage('hello', {
  agentVersion: Type.String({ minLength: 1, maxLength: 64, pattern: '^[\\x21-\\x7e]+$', description: 'Printable ASCII, no spaces, e.g. 0.3.1.' }),
  bootId: Type.String({ minLength: 1, maxLength: 64, description: 'Changes at each boot: the box knows the agent lost its local state.' }),
  ...withRequestId,
});

export const Heartbeat = wsMessage('heartbeat', {
  uptimeSeconds: Type.Integer({ minimum: 0 }),
  load: Type.Number({ minimum: 0, description: 'One-minute load average.' }),
  ip: Type.Optional(Nullable(Type.String({ maxLength: 45, description: 'The address the agent sees on its interface.' }))),
  ...withRequestId,
});

export const ValidateCode = wsMessage('validate_code', { code: Code, ...withRequestId }, 'Checks a code without starting (the lock screen shows the time it carries).');
export const StartSession = wsMessage('start_session', { code: Code, ...withRequestId }, 'The visitor typed a code: start it here. Success arrives as session_started.');
export const EndSession = wsMessage('end_session', { sessionId: SessionId, ...withRequestId }, 'The visitor logs out ("Terminer ma session"). Success arrives as ended.');
export const Ack = wsMessage('ack', { commandId: CommandId }, 'The agent received a command (lock_now, message, reboot).');

export const ReplayEvent = Type.Object(
  {
    eventId: Type.String({ minLength: 8, maxLength: 64, description: 'Unique per station (a UUID): the same event replayed twice is applied once.' }),
    type: Type.Literal('end_session'),
    sessionId: SessionId,
    occurredAt: Iso("The agent's clock, corrected by its offset; kept for the record."),
  },
  { additionalProperties: false },
);
export const Replay = wsMessage('replay', { events: Type.Array(ReplayEvent, { minItems: 1, maxItems: MAX_REPLAY_EVENTS }), ...withRequestId }, 'Events the agent queued while the box was unreachable.');

/** Every message the agent may send, by type. */
export const STATION_TO_SERVER = {
  hello: Hello,
  heartbeat: Heartbeat,
  validate_code: ValidateCode,
  start_session: StartSession,
  end_session: EndSession,
  ack: Ack,
  replay: Replay,
} as const;
export type StationToServer = Static<(typeof STATION_TO_SERVER)[keyof typeof STATION_TO_SERVER]>;

// ---- server -> station ----

const ServerTime = Iso("The box's clock when the message left: the agent corrects its offset with it.");

/** A session as the station needs it: no visitor, no code. */
const SessionFields = {
  sessionId: SessionId,
  status: literals(SESSION_STATUSES),
  endsAt: Nullable(Iso('Absolute deadline while active; null when suspended or ended.')),
  remainingSeconds: Type.Integer({ minimum: 0, description: 'At serverTime, rounded up.' }),
  allottedSeconds: Type.Integer({ minimum: 0 }),
  serverTime: ServerTime,
};

export const StationSession = Type.Object(
  { id: SessionId, status: literals(SESSION_STATUSES), endsAt: Nullable(Iso()), remainingSeconds: Type.Integer({ minimum: 0 }), allottedSeconds: Type.Integer({ minimum: 0 }), startedAt: Nullable(Iso()) },
  { additionalProperties: false },
);
export type StationSession = Static<typeof StationSession>;

export const ConnectionEstablished = wsMessage('connection_established', {
  serverTime: ServerTime,
  station: Type.Object({ id: Type.Integer(), name: Type.String(), state: literals(STATION_STATES), stateReason: Nullable(Type.String()) }, { additionalProperties: false }),
  session: Nullable(StationSession),
  heartbeatIntervalSeconds: Type.Integer({ minimum: 1 }),
  heartbeatTimeoutSeconds: Type.Integer({ minimum: 1 }),
  warningSeconds: Type.Array(Type.Integer({ minimum: 1 })),
});

export const HeartbeatAck = wsMessage('heartbeat_ack', { serverTime: ServerTime, state: literals(STATION_STATES), requestId: Nullable(Type.String()) });
export const CodeValid = wsMessage('code_valid', {
  sessionId: SessionId,
  allottedSeconds: Type.Integer({ minimum: 0 }),
  remainingSeconds: Type.Integer({ minimum: 0 }),
  serverTime: ServerTime,
  requestId: Nullable(Type.String()),
});

/** On session_started and resumed: the deadline is the EPN's closing time, earlier than the session's time would give. */
const ClosingFields = {
  cappedAtClosing: Type.Optional(Type.Boolean({ description: 'True when the session was cut short at closing time: tell the visitor.' })),
  closesAt: Type.Optional(Iso('The closing time the deadline was capped at.')),
};

export const SessionStarted = wsMessage('session_started', { ...SessionFields, ...ClosingFields });
export const TimeAdded = wsMessage('time_added', { ...SessionFields, deltaSeconds: Type.Integer({ minimum: 0 }) });
export const TimeRemoved = wsMessage('time_removed', { ...SessionFields, deltaSeconds: Type.Integer({ minimum: 0 }) });
export const Suspended = wsMessage('suspended', SessionFields, 'Lock the screen and keep the time left.');
export const Resumed = wsMessage('resumed', { ...SessionFields, ...ClosingFields });
export const Ended = wsMessage('ended', { ...SessionFields, endReason: Nullable(literals(END_REASONS)) }, 'Lock the screen and wipe the visitor’s data.');
export const Warning = wsMessage('warning', { sessionId: SessionId, secondsLeft: Type.Integer({ minimum: 1, description: 'The warning threshold: 300, 120, 60, 30, 10 by default.' }), endsAt: Iso(), serverTime: ServerTime });

export const LockNow = wsMessage('lock_now', { commandId: CommandId, serverTime: ServerTime }, 'An operator locks the station now; acknowledge with ack.');
export const OperatorMessage = wsMessage('message', { commandId: CommandId, text: Type.String({ minLength: 1, maxLength: 500 }), serverTime: ServerTime }, 'Show this text to the visitor; acknowledge with ack.');
export const Reboot = wsMessage('reboot', { commandId: CommandId, serverTime: ServerTime }, 'Acknowledge with ack, then reboot.');
export const StationStateChanged = wsMessage('station_state', { state: literals(STATION_STATES), stateReason: Nullable(Type.String()), serverTime: ServerTime });

export const ReplayOutcome = literals(['applied', 'duplicate', 'rejected', 'failed'] as const);
export const ReplayResult = wsMessage('replay_result', {
  requestId: Nullable(Type.String()),
  results: Type.Array(
    Type.Object(
      {
        eventId: Type.String(),
        outcome: ReplayOutcome,
        /** Domain error code for rejected and failed (retry a failed one later). */
        code: Nullable(Type.String()),
      },
      { additionalProperties: false },
    ),
  ),
});

/** Every message the box may send to a station, by type. */
export const SERVER_TO_STATION = {
  connection_established: ConnectionEstablished,
  heartbeat_ack: HeartbeatAck,
  code_valid: CodeValid,
  session_started: SessionStarted,
  time_added: TimeAdded,
  time_removed: TimeRemoved,
  suspended: Suspended,
  resumed: Resumed,
  ended: Ended,
  warning: Warning,
  lock_now: LockNow,
  message: OperatorMessage,
  reboot: Reboot,
  station_state: StationStateChanged,
  replay_result: ReplayResult,
  error: WsError,
} as const;
export type ServerToStation = Static<(typeof SERVER_TO_STATION)[keyof typeof SERVER_TO_STATION]>;
export type SessionMessageType = 'session_started' | 'time_added' | 'time_removed' | 'suspended' | 'resumed' | 'ended';
