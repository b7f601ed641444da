import type { LiveSessionRef, StationView } from '../stations/station-view.ts';
import type { JsonText } from './json-text.ts';
import { wireRemainingSeconds } from './station.ts';

function writeLiveSession(w: JsonText, s: LiveSessionRef | null): void {
  if (s === null) {
    w.raw('null');
    return;
  }
  w.raw('{"id":'); w.number(s.id);
  w.raw(',"userId":'); w.number(s.userId);
  w.raw(',"status":'); w.string(s.status);
  w.raw(',"startedAt":'); w.instant(s.startedAt);
  w.raw(',"endsAt":'); w.instant(s.endsAt);
  w.raw(',"remainingSeconds":'); w.number(wireRemainingSeconds(s));
  w.raw('}');
}

/**
 * stationToWire and the response serializer in one step, for list pages:
 * Station (station.ts) written from the view as JSON, fields in the schema's
 * order (test/api/list-bodies.test.ts: the same bytes as the serializer on
 * stationToWire, for every state, with and without a running session).
 */
export function writeStation(w: JsonText, v: StationView): void {
  w.raw('{"id":'); w.number(v.id);
  w.raw(',"name":'); w.string(v.name);
  w.raw(',"mac":'); w.string(v.mac);
  w.raw(',"ip":'); w.string(v.ip);
  w.raw(',"state":'); w.string(v.state);
  w.raw(',"stateReason":'); w.string(v.stateReason);
  w.raw(',"online":'); w.boolean(v.online);
  w.raw(',"lastHeartbeatAt":'); w.instant(v.lastHeartbeatAt);
  w.raw(',"secondsSinceHeartbeat":'); w.number(v.secondsSinceHeartbeat);
  w.raw(',"agentVersion":'); w.string(v.agentVersion);
  w.raw(',"createdAt":'); w.instant(v.createdAt);
  w.raw(',"updatedAt":'); w.instant(v.updatedAt);
  w.raw(',"liveSession":'); writeLiveSession(w, v.liveSession);
  w.raw('}');
}
