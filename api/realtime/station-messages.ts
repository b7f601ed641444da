import type { AuditAction } from '../audit/audit-actions.ts';
import type { AuditEventRow } from '../audit/audit-table.ts';
import { epochToIso } from '../contract/common.ts';
import type { ServerToStation, SessionMessageType, StationSession } from '../contract/ws-station.ts';
import { sessionTiming } from '../sessions/session-timing.ts';
import type { Session } from '../sessions/sessions-table.ts';
import type { DeadlineWarning } from './deadline-scheduler.ts';

/** Domain (epoch ms, rows) -> station wire messages (ISO 8601, whole seconds rounded up). */

const SESSION_MESSAGES: Partial<Record<AuditAction, SessionMessageType>> = {
  'session.started': 'session_started',
  'session.time_added': 'time_added',
  'session.time_removed': 'time_removed',
  'session.suspended': 'suspended',
  'session.resumed': 'resumed',
  'session.ended': 'ended',
  'session.expired': 'ended',
};

const seconds = (ms: number) => Math.ceil(Math.max(0, ms) / 1000);
const iso = (ms: number) => epochToIso(ms)!;

export function stationSessionOf(row: Session, now: number): StationSession {
  const t = sessionTiming(row, now);
  return { id: row.id, status: row.status, endsAt: epochToIso(t.endsAt), remainingSeconds: seconds(t.remainingMs), allottedSeconds: seconds(t.allottedMs), startedAt: epochToIso(row.started_at) };
}

function metadataOf(event: AuditEventRow): Record<string, unknown> {
  try {
    return JSON.parse(event.metadata) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function deltaSecondsOf(event: AuditEventRow): number {
  const meta = metadataOf(event);
  return typeof meta.deltaMs === 'number' ? seconds(meta.deltaMs) : 0;
}

/** A start or resume capped at the EPN's closing time says so (see api/sessions/opening-gate.ts). */
function closingOf(event: AuditEventRow): { cappedAtClosing?: true; closesAt?: string } {
  const meta = metadataOf(event);
  return meta.cappedAtClosing === true && typeof meta.closesAt === 'number' ? { cappedAtClosing: true, closesAt: iso(meta.closesAt) } : {};
}

/**
 * The message a session event means for the station it runs on, or null
 * when the station has nothing to do with it (codes issued, cancelled,
 * refused). The fields are the session's state now, which may already be
 * past this event: the agent applies the latest state either way.
 */
export function sessionMessage(event: AuditEventRow, row: Session, now: number): ServerToStation | null {
  const type = SESSION_MESSAGES[event.action];
  if (type === undefined) return null;
  const s = stationSessionOf(row, now);
  const base = { v: 1 as const, sessionId: row.id, status: s.status, endsAt: s.endsAt, remainingSeconds: s.remainingSeconds, allottedSeconds: s.allottedSeconds, serverTime: iso(now) };
  switch (type) {
    case 'time_added':
    case 'time_removed':
      return { ...base, type, deltaSeconds: deltaSecondsOf(event) };
    case 'ended':
      return { ...base, type, endReason: row.end_reason };
    case 'session_started':
    case 'resumed':
      return { ...base, type, ...closingOf(event) };
    default:
      return { ...base, type };
  }
}

export function warningMessage(w: DeadlineWarning, now: number): ServerToStation {
  return { v: 1, type: 'warning', sessionId: w.sessionId, secondsLeft: w.secondsLeft, endsAt: iso(w.endsAt), serverTime: iso(now) };
}
