import type { LiveSessionRef, StationView } from '../stations/station-view.ts';
import { jsonInstant as instant, jsonNullableInstant as maybeInstant, jsonNullableNumber as num, jsonNullableString as str } from './json-text.ts';
import { wireRemainingSeconds } from './station.ts';

function liveSessionJson(s: LiveSessionRef | null): string {
  if (s === null) return 'null';
  return `{"id":${s.id},"userId":${s.userId},"status":"${s.status}","startedAt":${maybeInstant(s.startedAt)},"endsAt":${maybeInstant(s.endsAt)},"remainingSeconds":${wireRemainingSeconds(s)}}`;
}

/**
 * stationToWire and the response serializer in one step, for list pages: the
 * JSON text of Station (station.ts) written from the view, fields in the
 * schema's order (list-bodies.test.ts: the same bytes as the serializer on
 * stationToWire, for every state, with and without a running session).
 */
export function stationJson(v: StationView): string {
  // State and the running session's status are words of their closed sets: nothing to escape.
  return (
    `{"id":${v.id},"name":${str(v.name)},"mac":${str(v.mac)},"ip":${str(v.ip)},"state":"${v.state}","stateReason":${str(v.stateReason)},` +
    `"online":${v.online},"lastHeartbeatAt":${maybeInstant(v.lastHeartbeatAt)},"secondsSinceHeartbeat":${num(v.secondsSinceHeartbeat)},` +
    `"agentVersion":${str(v.agentVersion)},"createdAt":${instant(v.createdAt)},"updatedAt":${instant(v.updatedAt)},"liveSession":${liveSessionJson(v.liveSession)}}`
  );
}
