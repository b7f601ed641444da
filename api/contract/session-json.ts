import type { SessionView } from '../sessions/session-view.ts';
import { jsonInstant as instant, jsonNullableInstant as maybeInstant, jsonNullableNumber as num, jsonNullableString as str } from './json-text.ts';
import { wireDurations } from './session.ts';

/**
 * sessionToWire and the response serializer in one step, for list pages: the
 * JSON text of Session (session.ts) written from the view, fields in the
 * schema's order (list-bodies.test.ts: the same bytes as the serializer on
 * sessionToWire, for every status and end reason).
 */
export function sessionJson(v: SessionView): string {
  const s = wireDurations(v);
  // Status and end reason are words of their closed sets: nothing to escape.
  const capped = v.cappedAtClosing === true && v.closesAt !== undefined ? `,"cappedAtClosing":true,"closesAt":${instant(v.closesAt)}` : '';
  return (
    `{"id":${v.id},"code":${str(v.code)},"userId":${v.userId},"boundStationId":${num(v.boundStationId)},"stationId":${num(v.stationId)},` +
    `"stationIp":${str(v.stationIp)},"status":"${v.status}","endReason":${v.endReason === null ? 'null' : `"${v.endReason}"`},` +
    `"codeExpiresAt":${instant(v.codeExpiresAt)},"createdAt":${instant(v.createdAt)},"startedAt":${maybeInstant(v.startedAt)},` +
    `"suspendedAt":${maybeInstant(v.suspendedAt)},"endedAt":${maybeInstant(v.endedAt)},"createdBy":${num(v.createdBy)},` +
    `"allottedSeconds":${s.allottedSeconds},"elapsedSeconds":${s.elapsedSeconds},"remainingSeconds":${s.remainingSeconds},"percentUsed":${v.percentUsed},` +
    `"endsAt":${maybeInstant(v.endsAt)},"overdue":${v.overdue},"computedAt":${instant(v.computedAt)}${capped}}`
  );
}
