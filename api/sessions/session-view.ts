import { formatCode } from './access-code.ts';
import { sessionTiming, type SessionTiming } from './session-timing.ts';
import type { EndReason, Session, SessionStatus } from './sessions-table.ts';

/** What the API shows of a session: stored facts plus timing at `now`. Times are epoch ms. */
export interface SessionView extends SessionTiming {
  id: number;
  /** Display form, XXXX-XXXX. */
  code: string;
  userId: number;
  /** Station the code is restricted to; null = any station. */
  boundStationId: number | null;
  /** Station the session runs / ran on; null before the start. */
  stationId: number | null;
  stationIp: string | null;
  status: SessionStatus;
  /** Null while live. */
  endReason: EndReason | null;
  codeExpiresAt: number;
  createdAt: number;
  startedAt: number | null;
  /** Since when it is suspended; null unless suspended. */
  suspendedAt: number | null;
  endedAt: number | null;
  /** Operator who issued the code; null if issued by the system or the operator was deleted. */
  createdBy: number | null;
  /** The instant the timing fields were computed for (the server's clock). */
  computedAt: number;
  /** Start/resume results only: the deadline was brought back to the EPN's closing time. */
  cappedAtClosing?: true;
  /** With cappedAtClosing: the closing time (epoch ms). */
  closesAt?: number;
}

// The timing fields are written out rather than spread: a list builds a view per row.
export function toSessionView(session: Session, now: number): SessionView {
  const timing = sessionTiming(session, now);
  return {
    id: session.id,
    code: formatCode(session.code),
    userId: session.user_id,
    boundStationId: session.bound_station_id,
    stationId: session.station_id,
    stationIp: session.station_ip,
    status: session.status,
    endReason: session.end_reason,
    codeExpiresAt: session.code_expires_at,
    createdAt: session.created_at,
    startedAt: session.started_at,
    suspendedAt: session.suspended_at,
    endedAt: session.ended_at,
    createdBy: session.created_by,
    allottedMs: timing.allottedMs,
    elapsedMs: timing.elapsedMs,
    remainingMs: timing.remainingMs,
    percentUsed: timing.percentUsed,
    endsAt: timing.endsAt,
    overdue: timing.overdue,
    computedAt: now,
  };
}
