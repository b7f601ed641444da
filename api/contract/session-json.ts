import type { SessionView } from '../sessions/session-view.ts';
import type { JsonText } from './json-text.ts';
import { wireDurations } from './session.ts';

/**
 * sessionToWire and the response serializer in one step, for list pages:
 * Session (session.ts) written from the view as JSON, fields in the schema's
 * order (test/api/list-bodies.test.ts: the same bytes as the serializer on
 * sessionToWire, for every status and end reason).
 */
export function writeSession(w: JsonText, v: SessionView): void {
  const s = wireDurations(v);
  w.raw('{"id":'); w.number(v.id);
  w.raw(',"code":'); w.string(v.code);
  w.raw(',"userId":'); w.number(v.userId);
  w.raw(',"boundStationId":'); w.number(v.boundStationId);
  w.raw(',"stationId":'); w.number(v.stationId);
  w.raw(',"stationIp":'); w.string(v.stationIp);
  w.raw(',"status":'); w.string(v.status);
  w.raw(',"endReason":'); w.string(v.endReason);
  w.raw(',"codeExpiresAt":'); w.instant(v.codeExpiresAt);
  w.raw(',"createdAt":'); w.instant(v.createdAt);
  w.raw(',"startedAt":'); w.instant(v.startedAt);
  w.raw(',"suspendedAt":'); w.instant(v.suspendedAt);
  w.raw(',"endedAt":'); w.instant(v.endedAt);
  w.raw(',"createdBy":'); w.number(v.createdBy);
  w.raw(',"allottedSeconds":'); w.number(s.allottedSeconds);
  w.raw(',"elapsedSeconds":'); w.number(s.elapsedSeconds);
  w.raw(',"remainingSeconds":'); w.number(s.remainingSeconds);
  w.raw(',"percentUsed":'); w.number(v.percentUsed);
  w.raw(',"endsAt":'); w.instant(v.endsAt);
  w.raw(',"overdue":'); w.boolean(v.overdue);
  w.raw(',"computedAt":'); w.instant(v.computedAt);
  if (v.cappedAtClosing === true && v.closesAt !== undefined) {
    w.raw(',"cappedAtClosing":true,"closesAt":'); w.instant(v.closesAt);
  }
  w.raw('}');
}
